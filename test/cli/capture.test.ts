import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CaptureRecord } from '../../src/capture/format.js'
import { createCaptureCommand, formatCaptureLine } from '../../src/cli/commands/capture.js'
import { createStyle } from '../../src/cli/style.js'
import { ENTRUST_EXAMPLES, signDelivery } from '../../src/testing.js'
import { readLines, trustingFetch } from '../capture/helpers.js'
import { spawnServeCli, startServeCommand } from '../prism/serve-command.js'
import { cli, tempDir } from './helpers.js'

const TOKEN = 'whsec_cli-capture-token'
const body = JSON.stringify(ENTRUST_EXAMPLES['kba.question.created'])

describe('idaas-webhook-kit capture', () => {
  it('records deliveries to --out, prints one line each without secrets, and a count when stopped', async () => {
    const dir = await tempDir()
    const run = await startServeCommand(
      createCaptureCommand,
      ['capture', '--port', '0', '--out', 'captured.jsonl', '--token', TOKEN],
      { cwd: dir },
    )
    expect(run.stdout()).toContain(
      `Capture receiver listening on ${run.url} (any path is recorded)`,
    )
    const headers = signDelivery({ url: run.url, body, token: TOKEN })
    expect((await fetch(run.url, { method: 'POST', headers, body })).status).toBe(204)
    const { code, stdout, stderr } = await run.stop()
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toMatch(
      /✔ #1 POST \/webhooks\/idaas "kba\.question\.created" "[^"]+" \d+ B → 204, signature valid\n/,
    )
    expect(stdout).toContain('Captured 1 request to captured.jsonl.')
    expect(stdout).not.toContain(TOKEN)
    expect(stdout).not.toContain(headers.Signature.slice(5, 30))
    const [record] = await readLines(join(dir, 'captured.jsonl'))
    expect(record?.signature).toEqual({ checked: true, ok: true })
  })

  it('serves HTTPS with --tls and writes the certificate for clients with --cert-out', async () => {
    const dir = await tempDir()
    const run = await startServeCommand(
      createCaptureCommand,
      [
        'capture',
        '--port',
        '0',
        '--out',
        'tls.jsonl',
        '--tls',
        '--cert-out',
        'cert.pem',
        '--quiet',
      ],
      { cwd: dir },
    )
    expect(run.url).toMatch(/^https:\/\//)
    expect(run.stdout()).toMatch(
      /TLS \(1\.2 minimum\), self-signed certificate SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/,
    )
    const cert = await readFile(join(dir, 'cert.pem'), 'utf8')
    const response = await trustingFetch(cert)(run.url, { method: 'POST', body })
    expect(response.status).toBe(204)
    const { stdout } = await run.stop()
    expect(stdout).not.toContain('#1 POST')
    expect((await readLines(join(dir, 'tls.jsonl')))[0]?.tls?.protocol).toBe('TLSv1.3')
  })

  it('prints no control character from the request: the event type is quoted, the path escaped', () => {
    const record = {
      seq: 1,
      method: 'POST',
      url: 'http://127.0.0.1:4012/webhooks/idaas?\u001b[2J',
      body: {
        encoding: 'utf8',
        data: JSON.stringify({ type: 'user.created\u001b]0;x\u0007', id: 'a\u009b' }),
        bytes: 10,
        sha256: '',
      },
      signature: { checked: false },
      response: { status: 204 },
    } as unknown as CaptureRecord
    const line = formatCaptureLine(record, createStyle({ write: () => {}, isTTY: false }, {}))
    expect(line).toBe(
      '✔ #1 POST /webhooks/idaas?%1B[2J "user.created\\u001b]0;x\\u0007" "a\\u009b" 10 B → 204, signature not checked',
    )
  })

  it.each([
    [
      ['--cert-out', 'c.pem'],
      'Option "--cert-out" needs "--tls": there is no certificate without it.',
    ],
    [['--out', '-'], 'Invalid option "--out": capture writes to a file, not to stdout ("-").'],
    [
      ['--public-url', '/hooks'],
      'Invalid option "--public-url": expected an absolute URL, got "/hooks".',
    ],
    [
      ['--max-body', '0'],
      'Invalid option "--max-body": expected a whole number from 1 to 9007199254740991, got "0".',
    ],
  ])('rejects %j with exit 2', async (args, message) => {
    const run = await cli(['capture', '--port', '0', ...args], {
      commands: [createCaptureCommand()],
      cwd: await tempDir(),
    })
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(`[idaas-webhook-kit] ${message}\n`)
  })

  it('stops cleanly on Ctrl-C as the built bin, with every acknowledged delivery in the file', async () => {
    const dir = await tempDir()
    const child = await spawnServeCli(
      ['capture', '--port', '0', '--out', join(dir, 'bin.jsonl')],
      dir,
    )
    for (let i = 0; i < 3; i++) {
      expect((await fetch(child.url, { method: 'POST', body })).status).toBe(204)
    }
    const { code, signal, stdout } = await child.interrupt()
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(stdout).toContain('Captured 3 requests to bin.jsonl.')
    expect((await readLines(join(dir, 'bin.jsonl'))).map((r) => r.seq)).toEqual([1, 2, 3])
  })
})
