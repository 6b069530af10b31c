import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startCaptureReceiver } from '../../src/capture/capture-receiver.js'
import { decodeBody } from '../../src/capture/decode-body.js'
import { verifyDelivery } from '../../src/index.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { readLines } from '../capture/helpers.js'
import { CAPTURED_TOKEN, captureRecord, writeCaptureFile } from '../capture/records.js'
import { startStandInReceiver } from '../prism/helpers.js'
import { cli, hasStackTrace, tempDir } from './helpers.js'

const TARGET_TOKEN = 'whsec_replay-target'
const pretty = `${JSON.stringify(ENTRUST_EXAMPLES['password.updated'], null, 2)}\n`
const compact = JSON.stringify(ENTRUST_EXAMPLES['magiclink.email.sent'])

describe('idaas-webhook-kit replay', () => {
  it('resends the exact captured bytes, re-signed for --to with --token, and reports each delivery', async () => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [
      captureRecord(pretty, 1),
      captureRecord(compact, 2),
    ])
    const receiver = await startStandInReceiver()
    const run = await cli(['replay', 'd.jsonl', '--to', receiver.url, '--token', TARGET_TOKEN], {
      cwd: dir,
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(
      [
        `Replaying 2 deliveries to ${receiver.url} (policy "idaas", real time: retries wait).`,
        `✔ line 1 password.updated "${ENTRUST_EXAMPLES['password.updated'].id}": Delivered "password.updated" to POST ${receiver.url}: 1 attempt, last status 204 No Content.`,
        `✔ line 2 magiclink.email.sent "${ENTRUST_EXAMPLES['magiclink.email.sent'].id}": Delivered "magiclink.email.sent" to POST ${receiver.url}: 1 attempt, last status 204 No Content.`,
        '',
        '✔ 2 delivered, 0 failed, 0 skipped.',
        '',
      ].join('\n'),
    )
    expect(run.stdout).not.toContain(TARGET_TOKEN)
    expect(receiver.seen.map((r) => r.body.toString('utf8'))).toEqual([pretty, compact])
    for (const seen of receiver.seen) {
      const verified = await verifyDelivery(
        { method: 'POST', url: receiver.url, headers: seen.headers, body: seen.body },
        { token: TARGET_TOKEN },
      )
      expect(verified.ok).toBe(true)
    }
  })

  it('replays to an HTTPS receiver with a self-signed certificate given by --ca, token from $IDAAS_WEBHOOK_TOKEN', async () => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(pretty)])
    const target = await startCaptureReceiver({
      out: join(dir, 'replayed.jsonl'),
      tls: true,
      token: TARGET_TOKEN,
    })
    onTestFinished(() => target.close())
    await writeFile(join(dir, 'ca.pem'), target.certificate as string)
    const run = await cli(['replay', 'd.jsonl', '--to', target.url, '--ca', 'ca.pem'], {
      cwd: dir,
      env: { IDAAS_WEBHOOK_TOKEN: TARGET_TOKEN },
    })
    expect(run.code).toBe(0)
    const [record] = await readLines(join(dir, 'replayed.jsonl'))
    expect(record?.signature).toEqual({ checked: true, ok: true })
    expect(decodeBody(record?.body as never).toString('utf8')).toBe(pretty)
  })

  it('exits 1 when a delivery fails, with its attempt timeline, and skips a truncated last line', async () => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(compact)], '{"format":"idaas-web')
    const receiver = await startStandInReceiver(() => ({ status: 401, body: 'bad signature' }))
    const run = await cli(['replay', 'd.jsonl', '--to', receiver.url, '--token', TARGET_TOKEN], {
      cwd: dir,
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '⚠ line 2 is truncated (no newline at the end, incomplete JSON): the capture was interrupted while writing it, so it is skipped.',
    )
    expect(run.stdout).toContain(
      `✖ line 1 magiclink.email.sent "${ENTRUST_EXAMPLES['magiclink.email.sent'].id}": Failed to deliver "magiclink.email.sent" to POST ${receiver.url}: 1 attempt, last status 401 Unauthorized.\n  #1 at +0 ms`,
    )
    expect(run.stdout).toContain('✖ 0 delivered, 1 failed, 0 skipped.')
  })

  it('exits 1 and names the unreadable middle line it could not replay, while sending the others', async () => {
    const dir = await tempDir()
    const first = JSON.stringify(captureRecord(compact, 1))
    const damaged = JSON.stringify(captureRecord(pretty, 2)).slice(0, 90)
    const third = JSON.stringify(captureRecord(pretty, 3))
    await writeFile(join(dir, 'd.jsonl'), `${first}\n${damaged}\n${third}\n`)
    const receiver = await startStandInReceiver()
    const run = await cli(['replay', 'd.jsonl', '--to', receiver.url, '--token', TARGET_TOKEN], {
      cwd: dir,
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '✖ line 2 is not valid JSON (it starts like a capture record): the capture file is damaged.',
    )
    expect(run.stdout).toContain(
      '✖ 2 delivered, 0 failed, 0 skipped, 1 unreadable line not replayed (line 2).',
    )
    expect(receiver.seen).toHaveLength(2)
  })

  it('skips a record whose body no longer matches its length and SHA-256, and sends the others', async () => {
    const dir = await tempDir()
    const damaged = captureRecord(compact, 1)
    if (damaged.body) damaged.body.data = damaged.body.data.replace('magiclink', 'magiclimk')
    await writeCaptureFile(join(dir, 'd.jsonl'), [damaged, captureRecord(pretty, 2)])
    const receiver = await startStandInReceiver()
    const run = await cli(['replay', 'd.jsonl', '--to', receiver.url, '--token', TARGET_TOKEN], {
      cwd: dir,
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '⚠ line 1: skipped, the stored body does not match its recorded length or SHA-256 (the capture file was edited or damaged).',
    )
    expect(run.stdout).toContain('✖ 1 delivered, 0 failed, 1 skipped.')
    expect(receiver.seen.map((r) => r.body.toString('utf8'))).toEqual([pretty])
  })

  it('writes one JSON document with --reporter json', async () => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(compact)])
    const receiver = await startStandInReceiver()
    const run = await cli(
      ['replay', 'd.jsonl', '--to', receiver.url, '--token', TARGET_TOKEN, '--reporter', 'json'],
      { cwd: dir },
    )
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({
      format: 'idaas-webhook-kit.replay-report',
      version: 1,
      delivered: 1,
      failed: 0,
      results: [{ line: 1, result: 'delivered', eventType: 'magiclink.email.sent' }],
    })
    expect(run.stdout).not.toContain(TARGET_TOKEN)
    expect(run.stdout).not.toContain(CAPTURED_TOKEN)
  })

  it.each([
    [
      ['replay', 'd.jsonl', '--token', 't'],
      'Missing option "--to": the receiver URL to resend to. Run "idaas-webhook-kit replay --help" for usage.',
    ],
    [
      ['replay', 'd.jsonl', '--to', 'http://127.0.0.1:9/hooks'],
      'Missing token: pass "--token <token>" or set IDAAS_WEBHOOK_TOKEN.',
    ],
    [
      ['replay', 'd.jsonl', '--to', 'mailto:x', '--token', 't'],
      'Invalid option "--to": expected an http: or https: URL, got "mailto:x".',
    ],
    [
      ['replay', 'nope.jsonl', '--to', 'http://127.0.0.1:9/hooks', '--token', 't'],
      'Failed to read "nope.jsonl": no such file.',
    ],
  ])('rejects %j with exit 2 and no stack trace', async (argv, message) => {
    const dir = await tempDir()
    await writeCaptureFile(join(dir, 'd.jsonl'), [captureRecord(compact)])
    const run = await cli(argv, { cwd: dir })
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(`[idaas-webhook-kit] ${message}\n`)
    expect(hasStackTrace(run.stderr)).toBe(false)
  })
})
