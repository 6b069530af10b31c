import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENTRUST_EXAMPLES } from '../../generated/entrust-examples.js'
import { cli, hasStackTrace, tempDir } from './helpers.js'

const grid = JSON.parse(
  readFileSync(new URL('../fixtures/entrust/grid.created.json', import.meta.url), 'utf8'),
) as {
  type: string
  data: { entityAttributes: { serialNumber: unknown } } & Record<string, unknown>
}
const userCreated = ENTRUST_EXAMPLES['user.created']

/** Entrust's grid.created example with changes, as one JSON line. */
function gridWith(change: (event: typeof grid) => void): string {
  const event = structuredClone(grid)
  change(event)
  return JSON.stringify(event)
}

/** The message V8 gives for `text`, so assertions hold on every Node version. */
function jsonError(text: string): string {
  try {
    JSON.parse(text)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error(`${text} is valid JSON`)
}

async function files(entries: Record<string, string>): Promise<string> {
  const dir = await tempDir()
  for (const [name, content] of Object.entries(entries)) await writeFile(join(dir, name), content)
  return dir
}

const SUMMARY_OK_1 = '\n✔ 1 event checked in tolerant mode: 1 valid, 0 invalid.\n'

describe('idaas-webhook-kit validate', () => {
  it('accepts a valid event file with exit 0', async () => {
    const cwd = await files({ 'event.json': JSON.stringify(grid, null, 2) })
    const run = await cli(['validate', '--verbose', 'event.json'], { cwd })
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toBe(`event.json:1: "grid.created" is valid.\n${SUMMARY_OK_1}`)
  })

  it('prints only problems, notes and the summary by default; --verbose adds a line per valid event', async () => {
    const lines = [JSON.stringify(grid), JSON.stringify({ ...userCreated, region: 'eu' }), '{']
    const cwd = await files({ 'events.jsonl': `${[...lines, JSON.stringify(grid)].join('\n')}\n` })
    const quiet = await cli(['validate', 'events.jsonl'], { cwd })
    expect(quiet.code).toBe(1)
    expect(quiet.stdout).not.toContain('is valid.')
    expect(quiet.stdout).toContain('events.jsonl:2: "user.created" is valid, with 1 note:')
    expect(quiet.stdout).toContain('events.jsonl:3: invalid JSON')
    expect(quiet.stdout).toMatch(
      /\n\n✖ 4 events checked in tolerant mode: 3 valid, 1 invalid, 1 with notes\.\n$/,
    )
    const verbose = await cli(['validate', 'events.jsonl', '--verbose'], { cwd })
    expect(verbose.stdout).toContain('events.jsonl:1: "grid.created" is valid.\n')
    expect(verbose.stdout).toContain('events.jsonl:4: "grid.created" is valid.\n')
    const clean = await cli(['validate', 'e.json'], {
      cwd: await files({ 'e.json': JSON.stringify(grid) }),
    })
    expect(clean).toMatchObject({ code: 0, stdout: SUMMARY_OK_1.trimStart() })
  })

  it('waits for a slow output to drain instead of buffering without bound', async () => {
    const many = `${Array.from({ length: 3000 }, () => '{').join('\n')}\n`
    const cwd = await files({ 'bad.jsonl': many })
    const { runCLI } = await import('../../src/cli/index.js')
    const { Readable, Writable } = await import('node:stream')
    let written = 0
    let waits = 0
    const stdout = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length
        setImmediate(done)
      },
    })
    stdout.on('drain', () => waits++)
    const code = await runCLI(['validate', 'bad.jsonl'], {
      stdout,
      stderr: { write: () => true },
      stdin: Readable.from([]),
      env: {},
      cwd,
    })
    expect(code).toBe(1)
    expect(waits).toBeGreaterThan(0)
    expect(written).toBeGreaterThan(3000 * 20)
  })

  it('rejects an invalid event with exit 1, naming the file, line, type and field', async () => {
    const bad = gridWith((e) => {
      e.data.entityAttributes.serialNumber = '2'
    })
    const cwd = await files({ 'event.json': bad })
    const run = await cli(['validate', '--verbose', 'event.json'], { cwd })
    expect(run).toMatchObject({ code: 1, stderr: '' })
    expect(run.stdout).toBe(
      [
        'event.json:1: "grid.created" is invalid:',
        '✖ must be number, got string "2"',
        '  → at /data/entityAttributes/serialNumber',
        '',
        '✖ 1 event checked in tolerant mode: 0 valid, 1 invalid.',
        '',
      ].join('\n'),
    )
  })

  it('reads JSONL line by line and names each line in its messages', async () => {
    const lines = [
      JSON.stringify(grid),
      '',
      gridWith((e) => {
        e.data.entityAttributes.serialNumber = '2'
      }),
      '{"id": "x", "type": ',
      JSON.stringify(userCreated),
    ]
    const cwd = await files({ 'events.jsonl': `${lines.join('\n')}\n` })
    const run = await cli(['validate', '--verbose', 'events.jsonl'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(
      [
        'events.jsonl:1: "grid.created" is valid.',
        'events.jsonl:3: "grid.created" is invalid:',
        '✖ must be number, got string "2"',
        '  → at /data/entityAttributes/serialNumber',
        `events.jsonl:4: invalid JSON: ${jsonError('{"id": "x", "type": ')}`,
        'events.jsonl:5: "user.created" is valid.',
        '',
        '✖ 4 events checked in tolerant mode: 2 valid, 2 invalid.',
        '',
      ].join('\n'),
    )
    expect(hasStackTrace(run.stdout + run.stderr)).toBe(false)
  })

  it('reports a malformed JSON line clearly, without a stack trace', async () => {
    const cwd = await files({ 'events.ndjson': `${JSON.stringify(grid)}\nnot json\n` })
    const run = await cli(['validate', '--verbose', 'events.ndjson'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`events.ndjson:2: invalid JSON: ${jsonError('not json')}\n`)
    expect(run.stderr).toBe('')
    expect(hasStackTrace(run.stdout)).toBe(false)
  })

  it('detects several lines of JSON objects in a .json file and reads them as JSON lines', async () => {
    const cwd = await files({
      'events.json': `${JSON.stringify(grid)}\n${JSON.stringify(userCreated)}\r\n`,
    })
    const run = await cli(['validate', '--verbose', 'events.json'], { cwd })
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(
      'events.json:1: "grid.created" is valid.\nevents.json:2: "user.created" is valid.\n\n✔ 2 events checked in tolerant mode: 2 valid, 0 invalid.\n',
    )
  })

  it('reads JSON lines whose first line is broken as JSON lines, not as one document', async () => {
    const cwd = await files({ 'events.json': `{"id":\n${JSON.stringify(userCreated)}\n` })
    const run = await cli(['validate', '--verbose', 'events.json'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`events.json:1: invalid JSON: ${jsonError('{"id":')}\n`)
    expect(run.stdout).toContain('events.json:2: "user.created" is valid.\n')
  })

  it('names the line of a syntax error inside a pretty-printed document when the engine gives its position', async () => {
    const text = '{\n  "id": "x",\n  "type": "user.created"\n  "accountId": "a"\n}\n'
    const cwd = await files({ 'event.json': text })
    const run = await cli(['validate', '--verbose', 'event.json'], { cwd })
    expect(run.code).toBe(1)
    const message = jsonError(text.trimEnd()).replace(/\s*\n\s*/g, ' ')
    const line = /at position (\d+)/.test(message) ? 4 : 1
    expect(run.stdout).toContain(`event.json:${line}: invalid JSON: ${message}\n`)
  })

  it('rejects an empty file with exit 1 and says it is empty', async () => {
    const cwd = await files({ 'empty.json': '  \n\n' })
    const run = await cli(['validate', '--verbose', 'empty.json'], { cwd })
    expect(run).toMatchObject({ code: 1, stderr: '' })
    expect(run.stdout).toBe(
      'empty.json: empty input: expected a JSON event, or one JSON event per line\n\n✖ 1 event checked in tolerant mode: 0 valid, 1 invalid.\n',
    )
  })

  it('rejects a missing file with exit 2 before validating anything', async () => {
    const cwd = await files({ 'event.json': JSON.stringify(grid) })
    const run = await cli(['validate', '--verbose', 'event.json', 'missing.json'], { cwd })
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe('[idaas-webhook-kit] Failed to read "missing.json": no such file.\n')
  })

  it('rejects a directory given as a file with exit 2', async () => {
    const cwd = await tempDir()
    const run = await cli(['validate', '--verbose', '.'], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('[idaas-webhook-kit] Failed to read ".": it is a directory.\n')
  })

  it('notes an unknown field in tolerant mode and passes', async () => {
    const cwd = await files({
      'event.json': gridWith((e) => Object.assign(e.data, { region: 'eu' })),
    })
    const run = await cli(['validate', '--verbose', 'event.json'], { cwd })
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(
      [
        'event.json:1: "grid.created" is valid, with 1 note:',
        'ℹ unknown field "region"',
        '  → at /data/region',
        '',
        '✔ 1 event checked in tolerant mode: 1 valid, 0 invalid, 1 with notes.',
        '',
      ].join('\n'),
    )
  })

  it('fails an unknown field with --strict', async () => {
    const cwd = await files({
      'event.json': gridWith((e) => Object.assign(e.data, { region: 'eu' })),
    })
    const run = await cli(['validate', '--verbose', 'event.json', '--strict'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(
      [
        'event.json:1: "grid.created" is invalid:',
        '✖ is not a known field ("region" is not in the schema)',
        '  → at /data/region',
        '',
        '✖ 1 event checked in strict mode: 0 valid, 1 invalid.',
        '',
      ].join('\n'),
    )
  })

  it('accepts an unknown event type with a valid envelope as a note, and fails it with --strict', async () => {
    const cwd = await files({
      'event.json': gridWith((e) => Object.assign(e, { type: 'grid.creatd' })),
    })
    const tolerant = await cli(['validate', '--verbose', 'event.json'], { cwd })
    expect(tolerant.code).toBe(0)
    expect(tolerant.stdout).toContain(
      'event.json:1: "grid.creatd" is valid, with 1 note:\nℹ is an unknown event type "grid.creatd"; did you mean "grid.created"? (accepted: the envelope is valid)\n  → at /type\n',
    )
    const strict = await cli(['validate', '--verbose', 'event.json', '--strict'], { cwd })
    expect(strict.code).toBe(1)
    expect(strict.stdout).toContain(
      'event.json:1: "grid.creatd" is invalid:\n✖ is an unknown event type "grid.creatd"; did you mean "grid.created"?\n  → at /type\n',
    )
  })

  it('names a payload that is not an object and has no type', async () => {
    const run = await cli(['validate', '--verbose'], { stdin: '[1, 2]' })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '<stdin>:1: the event is invalid:\n✖ must be an object (an IDaaS event envelope), got array\n  → at (root)\n',
    )
  })

  it('reads stdin when no file is given, and for "-"', async () => {
    const piped = [JSON.stringify(grid).slice(0, 40), `${JSON.stringify(grid).slice(40)}\n`]
    for (const argv of [
      ['validate', '--verbose'],
      ['validate', '-', '--verbose'],
    ]) {
      const run = await cli(argv, { stdin: piped })
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(`<stdin>:1: "grid.created" is valid.\n${SUMMARY_OK_1}`)
    }
  })

  it('reports empty stdin as empty input', async () => {
    const run = await cli(['validate', '--verbose'], { stdin: '' })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '<stdin>: empty input: expected a JSON event, or one JSON event per line\n',
    )
  })

  it('refuses to wait on a terminal when nothing is piped and no file is given', async () => {
    const run = await cli(['validate', '--verbose'], { stdinIsTTY: true })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Nothing to validate: no file given and stdin is a terminal. Run "idaas-webhook-kit validate --help" for examples.\n',
    )
  })

  it('refuses "-" twice', async () => {
    const run = await cli(['validate', '--verbose', '-', '-'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('[idaas-webhook-kit] Standard input ("-") can be read only once.\n')
  })

  it('rejects an unknown reporter with exit 2', async () => {
    const run = await cli(['validate', '--verbose', '--reporter', 'jsno'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Invalid option "--reporter": expected "pretty" or "json", got "jsno". Did you mean "json"?\n',
    )
  })

  it('prints one JSON document with --reporter json, with source, ok, type, issues and notes', async () => {
    const lines = [
      JSON.stringify(grid),
      gridWith((e) => Object.assign(e.data, { region: 'eu' })),
      gridWith((e) => {
        e.data.entityAttributes.serialNumber = '2'
      }),
      '{oops',
    ]
    const cwd = await files({ 'events.jsonl': lines.join('\n') })
    const run = await cli(['validate', '--verbose', 'events.jsonl', '--reporter', 'json'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      results: [
        { source: 'events.jsonl:1', ok: true, type: 'grid.created', issues: [], notes: [] },
        {
          source: 'events.jsonl:2',
          ok: true,
          type: 'grid.created',
          issues: [],
          notes: [
            { kind: 'unknown-field', path: '/data/region', message: 'unknown field "region"' },
          ],
        },
        {
          source: 'events.jsonl:3',
          ok: false,
          type: 'grid.created',
          issues: [
            {
              path: '/data/entityAttributes/serialNumber',
              keyword: 'type',
              expected: 'number',
              actual: '2',
              message: 'must be number, got string "2"',
            },
          ],
          notes: [],
        },
        {
          source: 'events.jsonl:4',
          ok: false,
          type: null,
          issues: [{ path: '', keyword: 'json', message: `invalid JSON: ${jsonError('{oops')}` }],
          notes: [],
        },
      ],
    })
  })

  it('prints an empty result list and ok false for empty input with --reporter json', async () => {
    const run = await cli(['validate', '--verbose', '--reporter', 'json'], { stdin: '\n' })
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      results: [
        {
          source: '<stdin>',
          ok: false,
          type: null,
          issues: [
            {
              path: '',
              keyword: 'empty',
              message: 'empty input: expected a JSON event, or one JSON event per line',
            },
          ],
          notes: [],
        },
      ],
    })
  })

  it('validates every bundled Entrust example with --examples, in both modes', async () => {
    const types = Object.keys(ENTRUST_EXAMPLES)
    for (const mode of ['tolerant', 'strict'] as const) {
      const run = await cli([
        'validate',
        '--verbose',
        '--examples',
        ...(mode === 'strict' ? ['--strict'] : []),
      ])
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(
        `${types.map((t) => `example:${t}: "${t}" is valid.`).join('\n')}\n\n✔ ${types.length} events checked in ${mode} mode: ${types.length} valid, 0 invalid.\n`,
      )
    }
  })

  it('skips a line over 16 MiB with a clear message and goes on with the next', async () => {
    const huge = `{"pad": "${'x'.repeat(16 * 1024 * 1024)}"}`
    const cwd = await files({ 'big.jsonl': `${huge}\n${JSON.stringify(grid)}\n` })
    const run = await cli(['validate', '--verbose', 'big.jsonl'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(
      [
        'big.jsonl:1: line too large: more than 16 MiB, far more than any IDaaS event (skipped)',
        'big.jsonl:2: "grid.created" is valid.',
        '',
        '✖ 2 events checked in tolerant mode: 1 valid, 1 invalid.',
        '',
      ].join('\n'),
    )
  })

  it('refuses a pretty-printed document over 16 MiB without parsing it', async () => {
    const body = Array.from({ length: 20 }, () => `  "pad": "${'x'.repeat(1024 * 1024)}",`)
    const cwd = await files({ 'big.json': `{\n${body.join('\n')}\n  "end": 1\n}\n` })
    const run = await cli(['validate', '--verbose', 'big.json'], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      'big.json:1: document too large: more than 16 MiB, far more than any IDaaS event (skipped)\n',
    )
  })

  it('validates a 50,000-line JSONL file', async () => {
    const line = JSON.stringify(grid)
    const cwd = await files({
      'many.jsonl': `${Array.from({ length: 50_000 }, () => line).join('\n')}\n`,
    })
    const run = await cli(['validate', '--verbose', 'many.jsonl', '--reporter', 'json'], { cwd })
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as { ok: boolean; results: { source: string }[] }
    expect(report.ok).toBe(true)
    expect(report.results).toHaveLength(50_000)
    expect(report.results.at(-1)?.source).toBe('many.jsonl:50000')
  })

  it('colours output only when stdout is a terminal and NO_COLOR is unset', async () => {
    const argv = ['validate', '--examples']
    expect((await cli(argv, { stdoutIsTTY: true })).rawStdout).toContain('\u001b[32m')
    expect(
      (await cli(argv, { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).rawStdout,
    ).not.toContain('\u001b[')
    expect((await cli(argv, { stdoutIsTTY: false })).rawStdout).not.toContain('\u001b[')
  })
})
