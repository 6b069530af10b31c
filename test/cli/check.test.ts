import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DriftReport } from '../../src/index.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { CAPTURED_TOKEN, captureRecord, writeCaptureFile } from '../capture/records.js'
import { cli, hasStackTrace, tempDir } from './helpers.js'

const grid = JSON.stringify(ENTRUST_EXAMPLES['grid.created'])
const badGrid = grid.replace('"serialNumber":2', '"serialNumber":"2"')
const withRegion = JSON.stringify({ ...ENTRUST_EXAMPLES['user.created'], region: 'eu' })

describe('idaas-webhook-kit check', () => {
  it('prints the drift report and exits 1 on schema violations; a truncated last line is only reported', async () => {
    const dir = await tempDir()
    await writeCaptureFile(
      join(dir, 'd.jsonl'),
      [captureRecord(grid, 1), captureRecord(badGrid, 2), captureRecord(withRegion, 3)],
      '{"format":"idaas-webhook-kit.capture","ver',
    )
    const run = await cli(['check', 'd.jsonl'], { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe(
      [
        'Checked 3 deliveries from d.jsonl: 1 clean, 1 with drift only, 1 with errors.',
        'Event types: grid.created ×2, user.created ×1.',
        '',
        'Errors: the deliveries break the schemas',
        '✖ must be number',
        '  → at /data/entityAttributes/serialNumber (1 of 3; grid.created; line 2)',
        '',
        'Drift: the schemas or the kit’s assumptions did not expect this',
        '⚠ unknown field "region"',
        '  → at /region (1 of 3; user.created; line 3)',
        '',
        'Unreadable lines',
        '⚠ line 4 is truncated (no newline at the end, incomplete JSON): the capture was interrupted while writing it, so it is skipped',
        '',
        '✖ 1 error finding; 1 drift finding.',
        '',
      ].join('\n'),
    )
  })

  it('exits 1 on a damaged line in the middle that starts like a capture record, naming its line', async () => {
    const dir = await tempDir()
    const good = JSON.stringify(captureRecord(grid, 1))
    const damaged = JSON.stringify(captureRecord(grid, 2)).slice(0, 80)
    await writeFile(join(dir, 'd.jsonl'), `${good}\n${damaged}\n${good}\n`)
    const run = await cli(['check', 'd.jsonl'], { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '✖ line 2 is not valid JSON (it starts like a capture record): the capture file is damaged',
    )
    expect(run.stdout).toContain('✖ 0 error findings, 1 unreadable line; 0 drift findings.')
  })

  it('reads lines up to --max-line-bytes and names the flag for a longer one', async () => {
    const dir = await tempDir()
    const line = JSON.stringify(captureRecord(grid, 1))
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(grid, 1)])
    const bytes = Buffer.byteLength(line)
    const short = await cli(['check', 'd.jsonl', '--max-line-bytes', String(bytes - 1)], {
      cwd: dir,
    })
    expect(short.code).toBe(1)
    expect(short.stdout).toContain(
      `✖ line 1 is longer than ${bytes - 1} bytes, the longest line read ("maxLineBytes", CLI "--max-line-bytes"), so it is not read`,
    )
    const enough = await cli(['check', 'd.jsonl', '--max-line-bytes', String(bytes)], { cwd: dir })
    expect(enough.code).toBe(0)
    const bad = await cli(['check', 'd.jsonl', '--max-line-bytes', '0'], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(
      'Invalid option "--max-line-bytes": expected a whole number from 1 to 9007199254740991, got "0".',
    )
  })

  it('exits 0 with drift only, and 1 with --fail-on-drift', async () => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(withRegion)])
    expect((await cli(['check', 'd.jsonl'], { cwd: dir })).code).toBe(0)
    expect((await cli(['check', 'd.jsonl', '--fail-on-drift'], { cwd: dir })).code).toBe(1)
  })

  it('writes one JSON document with --reporter json, re-verifying signatures with $IDAAS_WEBHOOK_TOKEN', async () => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(grid), captureRecord(grid, 2)])
    const run = await cli(['check', 'd.jsonl', '--reporter', 'json'], {
      cwd: dir,
      env: { IDAAS_WEBHOOK_TOKEN: CAPTURED_TOKEN },
    })
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as DriftReport
    expect(report).toMatchObject({
      format: 'idaas-webhook-kit.drift-report',
      version: 1,
      deliveries: 2,
      clean: 2,
      ok: true,
      signatures: { source: 'token', checked: 2, valid: 2, invalid: 0 },
    })
    expect(run.stdout).not.toContain(CAPTURED_TOKEN)
  })

  it('reads a capture file from stdin with "-"', async () => {
    const text = `${JSON.stringify(captureRecord(grid))}\n`
    const run = await cli(['check', '-'], { stdin: text })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Checked 1 delivery from <stdin>: 1 clean')
  })

  it('fails on a file that is not a capture file, saying so per line', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'events.jsonl'), `${grid}\n`)
    const run = await cli(['check', 'events.jsonl'], { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '✖ line 1 is not a capture record ("format" is not "idaas-webhook-kit.capture")',
    )
  })

  it.each([
    [
      ['check'],
      'Missing argument <deliveries> for command "check". Run "idaas-webhook-kit check --help" for usage.',
    ],
    [['check', 'missing.jsonl'], 'Failed to read "missing.jsonl": no such file.'],
    [
      ['check', 'd.jsonl', '--reporter', 'junit'],
      'Invalid option "--reporter": expected "pretty" or "json", got "junit".',
    ],
  ])('rejects %j with exit 2 and no stack trace', async (argv, message) => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(grid)])
    const run = await cli(argv, { cwd: dir })
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(`[idaas-webhook-kit] ${message}\n`)
    expect(hasStackTrace(run.stderr)).toBe(false)
  })
})
