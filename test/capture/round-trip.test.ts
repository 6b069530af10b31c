import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startCaptureReceiver } from '../../src/capture/capture-receiver.js'
import { checkDeliveries } from '../../src/capture/check.js'
import { decodeBody } from '../../src/capture/decode-body.js'
import { readCaptureFile } from '../../src/capture/read-captures.js'
import { replayDeliveries } from '../../src/capture/replay.js'
import { createEvent, deliver, signDelivery } from '../../src/testing.js'
import { readLines, tempDir, trustingFetch } from './helpers.js'

const SOURCE_TOKEN = 'whsec_staging-tenant'
const TARGET_TOKEN = 'whsec_local-receiver'

describe('capture → check → replay over HTTPS with self-signed certificates', () => {
  it('captures signed deliveries, reports their drift, and replays the exact bytes re-signed for a new URL', async () => {
    const dir = await tempDir()
    const capturedFile = join(dir, 'captured.jsonl')
    const replayedFile = join(dir, 'replayed.jsonl')

    // 1. A "staging tenant" delivers to the capture receiver over HTTPS.
    const source = await startCaptureReceiver({ out: capturedFile, tls: true, token: SOURCE_TOKEN })
    onTestFinished(() => source.close())
    const sourceFetch = trustingFetch(source.certificate as string)
    const events = [
      createEvent('user.created', undefined, { seed: 1 }),
      createEvent('grid.created', undefined, { seed: 2 }),
    ]
    for (const event of events) {
      const report = await deliver(
        event,
        { url: source.url, token: SOURCE_TOKEN },
        { fetch: sourceFetch },
      )
      expect(report.result).toBe('delivered')
    }
    // Pretty-printed, with a field the schemas do not know: bytes a re-serializing tool would change.
    const pretty = `${JSON.stringify({ ...createEvent('passkey.created', undefined, { seed: 3 }), region: 'eu' }, null, 2)}\n`
    const response = await sourceFetch(source.url, {
      method: 'POST',
      headers: signDelivery({ url: source.url, body: pretty, token: SOURCE_TOKEN }),
      body: pretty,
    })
    expect(response.status).toBe(204)
    await source.close()
    // The capture process was killed mid-write: a truncated last line.
    await appendFile(capturedFile, '{"format":"idaas-webhook-kit.capture","version":1,"seq":4,"rec')

    // 2. check: strict validation, signatures re-verified with the token, drift reported.
    const captured = await readCaptureFile(capturedFile)
    expect(captured.entries).toHaveLength(3)
    expect(captured.problems.map((p) => [p.line, p.kind, p.fatal])).toEqual([
      [4, 'truncated', false],
    ])
    const report = checkDeliveries(captured.entries, { token: SOURCE_TOKEN }, captured.problems)
    expect(report.ok).toBe(true)
    expect(report.signatures).toEqual({ source: 'token', checked: 3, valid: 3, invalid: 0 })
    expect(report.drift.map((f) => [f.kind, f.path, f.count, f.lines])).toEqual([
      ['unknown-field', '/region', 1, [3]],
    ])
    expect(captured.entries.every((e) => e.record.tls?.protocol === 'TLSv1.3')).toBe(true)

    // 3. replay to another HTTPS receiver with another token.
    const target = await startCaptureReceiver({ out: replayedFile, tls: true, token: TARGET_TOKEN })
    onTestFinished(() => target.close())
    const summary = await replayDeliveries(captured.entries, {
      to: target.url,
      token: TARGET_TOKEN,
      fetch: trustingFetch(target.certificate as string),
    })
    expect(summary).toMatchObject({ delivered: 3, failed: 0, skipped: 0 })
    expect(summary.results.map((r) => [r.line, r.eventType, r.result])).toEqual([
      [1, 'user.created', 'delivered'],
      [2, 'grid.created', 'delivered'],
      [3, 'passkey.created', 'delivered'],
    ])
    await target.close()

    const replayed = await readLines(replayedFile)
    expect(replayed).toHaveLength(3)
    for (const [i, record] of replayed.entries()) {
      const original = captured.entries[i]?.record
      // The exact captured bytes…
      expect(decodeBody(record.body as never).equals(decodeBody(original?.body as never))).toBe(
        true,
      )
      // …signed afresh for the new @target-uri with the target's token.
      expect(record.signature).toEqual({ checked: true, ok: true })
      expect(record.url).toBe(target.url)
    }
    expect(decodeBody(replayed[2]?.body as never).toString('utf8')).toBe(pretty)
  })
})
