import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { escapeControls, escapeStringsDeep, plainTextForTerminal } from '../../src/terminal-text.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { captureRecord, writeCaptureFile } from '../capture/records.js'
import { cli, tempDir } from '../cli/helpers.js'
import { listen } from '../support/listen.js'

/** Sequences that clear the screen, set the window title, ring the bell, reorder text. */
const HOSTILE = [
  '\u001b[2J',
  '\u001b]0;pwned\u0007',
  '\u009b31m',
  '\u0085',
  '\u202eevil\u202c',
  '\u2066iso\u2069',
  '\u200f',
  '\r',
  '\b',
  '\u2028',
  '\u0000',
  '\u007f',
]
const ALL = HOSTILE.join('')
/** What may not reach a terminal: the kit's own colours (`ESC [ n m`) are removed first. */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

function assertTerminalSafe(text: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the kit's own SGR colour codes
  const withoutColours = text.replace(/\u001b\[\d+(;\d+)*m/g, '')
  const found = UNSAFE.exec(withoutColours)
  expect(
    found,
    found ? `unsafe U+${found[0].charCodeAt(0).toString(16)} in ${JSON.stringify(text)}` : '',
  ).toBeNull()
}

async function safeRun(argv: string[], options: Parameters<typeof cli>[1] = {}) {
  let raw = { stdout: '', stderr: '' }
  for (const stdoutIsTTY of [false, true]) {
    const run = await cli(argv, { ...options, stdoutIsTTY })
    // cli() strips ANSI codes for readability; the raw stdout is what a terminal would get.
    assertTerminalSafe(run.rawStdout)
    assertTerminalSafe(run.stderr)
    raw = { stdout: run.rawStdout, stderr: run.stderr }
  }
  return raw
}

describe('terminal escaping of values from outside', () => {
  it('escapes each hostile character on its own and as a whole, keeping other text', () => {
    for (const h of [...HOSTILE, ALL]) {
      assertTerminalSafe(escapeControls(`a${h}b`))
      expect(escapeControls(`a${h}b`).startsWith('a')).toBe(true)
    }
    expect(escapeControls('é✔ plain')).toBe('é✔ plain')
    expect(escapeControls('\u001b[2J')).toBe('\\u001b[2J')
    expect(plainTextForTerminal('a\nb\u0085')).toBe('a\nb\\u0085')
    const json = JSON.stringify({ [ALL]: ALL }, null, 2)
    expect(JSON.parse(plainTextForTerminal(json))).toEqual(JSON.parse(json))
    expect(escapeStringsDeep({ k: [ALL], n: 1, [ALL]: null })).toEqual({
      k: [escapeControls(ALL)],
      n: 1,
      [escapeControls(ALL)]: null,
    })
  })

  for (const reporter of ['pretty', 'json']) {
    it(`validate --reporter ${reporter}: hostile event fields, keys, invalid JSON and file names are escaped`, async () => {
      const dir = await tempDir()
      const event = { ...ENTRUST_EXAMPLES['user.created'], [`x${ALL}`]: ALL }
      const lines = [
        JSON.stringify(event),
        JSON.stringify({ ...event, type: ALL }),
        `{"broken": "${ALL.replaceAll('"', '')}`,
        JSON.stringify({ ...event, data: { [ALL]: 1 } }),
      ]
      const name = `ev${HOSTILE[0]}${HOSTILE[4]}.jsonl`
      await writeFile(join(dir, name), `${lines.join('\n')}\n`)
      const out = await safeRun(['validate', name, '--reporter', reporter, '--strict'], {
        cwd: dir,
      })
      expect(out.stdout).toContain('\\u001b[2J')
      if (reporter === 'json') {
        const parsed = JSON.parse(out.stdout) as { results: { type: string | null }[] }
        expect(parsed.results[1]?.type).toBe(ALL)
      }
    })
  }

  it('usage errors escape what the user typed: file names and option values', async () => {
    const dir = await tempDir()
    await safeRun(['validate', `missing${ALL}.json`], { cwd: dir })
    await safeRun(['send', `http://127.0.0.1:9/${ALL}`, `user.created${ALL}`, '--token', 'tkn1'])
    await safeRun(['verify', 'http://127.0.0.1:9/', '--token', 'tkn1', '--only', ALL])
    await safeRun(['validate', '--reporter', `x${ALL}`])
  })

  it('check: hostile delivery fields in the drift report are escaped, pretty and JSON', async () => {
    const dir = await tempDir()
    const body = JSON.stringify({ ...ENTRUST_EXAMPLES['user.created'], [ALL]: ALL })
    const bad = JSON.stringify({ ...ENTRUST_EXAMPLES['user.created'], type: ALL })
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(body, 1), captureRecord(bad, 2)])
    const pretty = await safeRun(['check', 'd.jsonl'], { cwd: dir })
    expect(pretty.stdout).toContain('\\u001b[2J')
    await safeRun(['check', 'd.jsonl', '--reporter', 'json'], { cwd: dir })
  })

  it('send: a hostile event id, status text and body from the receiver are escaped', async () => {
    const origin = await listen(
      createServer((req, res) => {
        req.resume()
        req.on('end', () => {
          // Node refuses C0 characters in a status text but lets Latin-1 C1 ones through.
          res.writeHead(400, 'Bad\u0085\u009bRequest', { 'content-type': 'text/plain' })
          res.end(`no${ALL}`)
        })
      }),
    )
    const out = await safeRun([
      'send',
      `${origin}/hook`,
      'user.created',
      '--token',
      'whsec_terminal',
      '--set',
      `id="${ALL.replaceAll('"', '')}"`,
    ])
    expect(out.stdout).toContain('\\u0085')
  })

  it('replay and verify: a receiver answering with hostile bodies and status texts is escaped', async () => {
    const origin = await listen(
      createServer((req, res) => {
        req.resume()
        req.on('end', () => {
          res.writeHead(400, 'No\u0085pe', { 'content-type': 'text/plain' })
          res.end(`bad${ALL}`)
        })
      }),
    )
    const dir = await tempDir()
    const body = JSON.stringify({ ...ENTRUST_EXAMPLES['user.created'], id: `id${ALL}` })
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(body, 1)])
    await safeRun(['replay', 'd.jsonl', '--to', `${origin}/h`, '--token', 'whsec_t'], { cwd: dir })
    await safeRun(
      ['replay', 'd.jsonl', '--to', `${origin}/h`, '--token', 'whsec_t', '--reporter', 'json'],
      { cwd: dir },
    )
    for (const reporter of ['pretty', 'json', 'junit']) {
      await safeRun(
        [
          'verify',
          `${origin}/h`,
          '--token',
          'whsec_t',
          '--only',
          'accepts-every-type',
          '--reporter',
          reporter,
        ],
        { cwd: dir, env: { GITHUB_ACTIONS: 'true' } },
      )
    }
  }, 60_000)

  it('verify-signature: hostile header values in the reason are escaped', async () => {
    const dir = await tempDir()
    await writeFile(
      join(dir, 'h.txt'),
      `Signature-Input: sig=("@method");keyid="${ALL.replace(/["\r\n\u2028]/g, '')}"\nSignature: sig=:${ALL}:\nContent-Digest: x${ALL}\n`,
    )
    await writeFile(join(dir, 'b.json'), JSON.stringify(ENTRUST_EXAMPLES['user.created']))
    await safeRun(
      [
        'verify-signature',
        'b.json',
        '--headers',
        'h.txt',
        '--url',
        'http://x/h',
        '--token',
        'tkn1',
      ],
      { cwd: dir },
    )
  })
})

describe('signature parameters that cannot be serialized', () => {
  const cases: [string, string][] = [
    ['--nonce', 'naïve'],
    ['--nonce', 'a\u0000b'],
    ['--keyid', 'key\r\nInjected: yes'],
    ['--keyid', `k${ALL}`],
    ['--tag', 'tag\n'],
    ['--tag', '日本'],
  ]
  it.each(cases)('sign %s %j is a usage error naming the flag', async (flag, value) => {
    const run = await cli(
      ['sign', '--url', 'http://127.0.0.1/h', '--token', 'whsec_x', flag, value],
      { stdin: '{}' },
    )
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      new RegExp(
        `^\\[idaas-webhook-kit\\] Invalid option "${flag}": expected printable ASCII characters only`,
      ),
    )
    expect(run.stderr).not.toContain('This is a bug')
    assertTerminalSafe(run.stderr)
  })
})
