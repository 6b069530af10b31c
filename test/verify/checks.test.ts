import { describe, expect, it } from 'vitest'
import { VERIFY_CHECK_IDS, VERIFY_CHECKS } from '../../src/testing.js'
import {
  check,
  failedIds,
  goodReceiver,
  handRolled,
  overloaded,
  redirecting,
  refusingRedelivery,
  rejectingType,
  reserializing,
  slowOn,
  TOKEN,
  verifyHandler,
} from './support.js'

// Event types the tests break are past index 20 of the catalogue; a burst of 20 never sends them,
// so each receiver fails exactly the check it was built for.
const SMALL_BURST = 20

describe('the checks against a correct receiver', () => {
  it('passes every check on the kit reference handler, in-process, and skips only uses-https', async () => {
    const report = await verifyHandler(goodReceiver())
    expect(report.ok).toBe(true)
    expect(report.checks.map((c) => c.id)).toEqual([...VERIFY_CHECK_IDS])
    for (const result of report.checks.filter((c) => c.id !== 'uses-https')) {
      expect(result.status, `${result.id}: ${result.message}`).toBe('passed')
      expect(result.ok, result.id).toBe(true)
      expect(result.details.warnings ?? [], result.id).toEqual([])
    }
    // Not run, so not reported as passed.
    expect(check(report, 'uses-https')).toMatchObject({ status: 'skipped', ok: false })
    expect(check(report, 'uses-https').details.skipped).toBe('in-process handler')
    expect(report.checks.filter((c) => c.details.skipped !== undefined)).toHaveLength(1)
    expect(report.target).toBe('https://receiver.idaas-webhook-kit.test/webhooks/idaas')
  })

  it('passes every check on a hand-written verifier that checks the whole profile', async () => {
    const report = await verifyHandler(handRolled())
    expect(failedIds(report)).toEqual([])
  })

  it('gives each check the severity the contract names', async () => {
    const report = await verifyHandler(goodReceiver(), {
      only: ['rejects-stale-signature', 'no-redirect'],
    })
    expect(check(report, 'rejects-stale-signature').severity).toBe('warning')
    expect(check(report, 'no-redirect').severity).toBe('error')
    expect(VERIFY_CHECKS.map((c) => [c.id, c.severity])).toEqual([
      ['uses-https', 'warning'],
      ['accepts-every-event-type', 'error'],
      ['verifies-raw-body', 'error'],
      ['tolerates-unknown-event-type', 'error'],
      ['tolerates-unknown-fields', 'error'],
      ['accepts-redelivery', 'error'],
      ['responds-in-time', 'error'],
      ['rejects-missing-signature', 'error'],
      ['rejects-wrong-token', 'error'],
      ['rejects-tampered-body', 'error'],
      ['rejects-stale-signature', 'warning'],
      ['handles-burst', 'error'],
      ['no-redirect', 'error'],
    ])
  })

  it('lists p50/p95/max for responds-in-time and the burst', async () => {
    const report = await verifyHandler(goodReceiver(), { burst: 10 })
    const timings = check(report, 'responds-in-time').details.timings as Record<string, number>
    expect(Object.keys(timings)).toEqual(['count', 'p50', 'p95', 'max'])
    expect(timings.count).toBe(41) // probe + 25 types + 9 tricky bodies + 2 unknown types + 2 unknown fields + 2 redelivery
    expect(timings.p50).toBeLessThanOrEqual(timings.p95 as number)
    expect(check(report, 'responds-in-time').message).toMatch(
      /^p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms over 41 attempts, all within 3000 ms\.$/,
    )
    expect(check(report, 'handles-burst').details).toMatchObject({ concurrent: 10, delivered: 10 })
  })
})

describe('each check against a receiver built to break it', () => {
  it('accepts-every-event-type: a 400 for one type names that type, its status and body', async () => {
    const report = await verifyHandler(rejectingType('credential.print'), { burst: SMALL_BURST })
    expect(failedIds(report)).toEqual(['accepts-every-event-type'])
    const result = check(report, 'accepts-every-event-type')
    expect(result.message).toBe('1 of 25 event types did not get a 2xx: "credential.print" (400).')
    expect(result.details.failures).toEqual([
      {
        case: 'credential.print',
        outcome: 'http-4xx',
        status: 400,
        durationMs: expect.any(Number),
        attempts: 1,
        body: '{"error":"unsupported event type"}',
      },
    ])
  })

  it('accepts-every-event-type: a success after a retry passes with a warning', async () => {
    let failedOnce = false
    const good = goodReceiver()
    const flaky = async (request: Request) => {
      if (!failedOnce) {
        failedOnce = true
        return new Response('warming up', { status: 503 })
      }
      return good(request)
    }
    const report = await verifyHandler(flaky, { only: ['accepts-every-event-type'] })
    // The probe took the 503 (one attempt, not retried): it is not a probe failure.
    expect(check(report, 'accepts-every-event-type').ok).toBe(true)
    let again = 0
    const retried = async (request: Request) =>
      (await good(request.clone())).status === 204 && again++ === 1
        ? new Response(null, { status: 503 })
        : good(request)
    const second = await verifyHandler(retried, { only: ['accepts-every-event-type'] })
    const result = check(second, 'accepts-every-event-type')
    expect(result.ok).toBe(true)
    expect(result.message).toBe('All 25 event types got a 2xx; 1 warning.')
    expect(result.details.warnings).toEqual([
      '"authentication.succeeded" got a 2xx only on attempt 2 (before: 503); IDaaS retries 5xx, but a failed delivery counts toward auto-disable (A9).',
    ])
  })

  it('accepts-every-event-type: every delivery refused with 401 hints at the token and public URL', async () => {
    const report = await verifyHandler(goodReceiver({ token: 'whsec_another-token' }), {
      only: ['accepts-every-event-type'],
    })
    expect(check(report, 'accepts-every-event-type').message).toMatch(
      /^25 of 25 event types did not get a 2xx: .* Every delivery got 401: is the token the receiver verifies with the one given to verify, and behind a proxy or tunnel, is the public URL the one registered in IDaaS \(A5\)\?$/,
    )
  })

  it('responds-in-time: an answer after the deadline fails it, with the timings and the late event', async () => {
    const report = await verifyHandler(slowOn('hardware.token.assigned', 400), {
      timeoutMs: 250,
      burst: SMALL_BURST,
    })
    expect(failedIds(report)).toEqual(['accepts-every-event-type', 'responds-in-time'])
    const result = check(report, 'responds-in-time')
    expect(result.message).toMatch(
      /^1 of 41 attempts got no complete answer within 250 ms: "hardware\.token\.assigned" \(no answer within the deadline\); p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms over 41 attempts\. Answer 2xx first/,
    )
    expect(result.details).toMatchObject({ deadlineMs: 250, timings: { count: 41 } })
    expect(result.details.failures).toEqual([
      { case: 'hardware.token.assigned', outcome: 'timeout', durationMs: expect.any(Number) },
    ])
  })

  it('responds-in-time: an answer above slowMs passes with a warning', async () => {
    const report = await verifyHandler(slowOn('hardware.token.assigned', 60), {
      slowMs: 40,
      only: ['responds-in-time'],
    })
    const result = check(report, 'responds-in-time')
    expect(result.ok).toBe(true)
    expect(result.details.warnings).toEqual([
      expect.stringMatching(
        /^1 answer took more than 40 ms \("hardware\.token\.assigned" \(204\)\): close to IDaaS's 3000 ms deadline under load\.$/,
      ),
    ])
  })

  it('rejects-missing-signature: an unsigned delivery that gets a 2xx', async () => {
    const report = await verifyHandler(handRolled({ requireSignature: false }))
    expect(failedIds(report)).toEqual(['rejects-missing-signature'])
    const result = check(report, 'rejects-missing-signature')
    expect(result.message).toBe(
      '3 of 3 deliveries without a signature got a 2xx: "no-signature-headers" (204), "no-content-digest" (204), "unsigned" (204). Require Content-Digest, Signature-Input and Signature, and answer 401 when one is missing.',
    )
    expect(result.details.failures?.map((f) => f.description)).toEqual([
      'Signature-Input and Signature removed.',
      'Content-Digest removed.',
      'No Content-Digest, Signature-Input or Signature: a plain JSON POST.',
    ])
  })

  it('rejects-wrong-token: a verifier that ignores the label and alg', async () => {
    const report = await verifyHandler(handRolled({ label: false, alg: false }))
    expect(failedIds(report)).toEqual(['rejects-wrong-token'])
    expect(check(report, 'rejects-wrong-token').message).toMatch(
      /^2 of 5 deliveries with a wrong signature got a 2xx: "label-not-sig" \(204\), "alg-not-hmac-sha256" \(204\)\. Verify the "sig" signature/,
    )
  })

  it('rejects-tampered-body: a verifier that never compares Content-Digest with the body', async () => {
    const report = await verifyHandler(handRolled({ digest: false }))
    expect(failedIds(report)).toEqual(['rejects-tampered-body'])
    expect(check(report, 'rejects-tampered-body').message).toMatch(
      /^2 of 4 deliveries with a tampered body got a 2xx: "body-changed-old-digest" \(204\), "unsupported-digest-algorithm" \(204\)\. Check Content-Digest against the raw bytes/,
    )
  })

  it('rejects-stale-signature: a receiver without a replay window fails it as a warning only', async () => {
    const report = await verifyHandler(goodReceiver({ maxAgeSeconds: false }))
    expect(failedIds(report)).toEqual(['rejects-stale-signature'])
    const result = check(report, 'rejects-stale-signature')
    expect(result).toMatchObject({ ok: false, severity: 'warning' })
    expect(result.message).toMatch(
      /^1 of 1 delivery signed an hour ago got a 2xx: "created-one-hour-old" \(204\)\. Reject a "created" older than a few minutes/,
    )
    expect(report.ok).toBe(true)
  })

  it('verifies-raw-body: a receiver that re-serializes the JSON before verifying', async () => {
    const report = await verifyHandler(reserializing())
    expect(failedIds(report)).toEqual(['verifies-raw-body'])
    const result = check(report, 'verifies-raw-body')
    expect(result.details.failures?.map((f) => f.case)).toEqual([
      'escaped-unicode',
      'literal-unicode-spaced',
      'uppercase-unicode-escape',
      'pretty-printed',
      'crlf-tabs-whitespace',
      'reordered-keys',
      'decimal-number',
      'exponent-number',
      'trailing-newline',
    ])
    expect(result.details.failures?.[0]).toMatchObject({
      status: 401,
      body: '{"error":"digest-mismatch"}',
      description: expect.stringContaining('\\u escapes'),
    })
  })

  it('tolerates-unknown-event-type: a receiver whose unknown-type handler throws (500, retried)', async () => {
    const report = await verifyHandler(
      goodReceiver({
        onUnknownEvent: () => {
          throw new Error('no handler for this type')
        },
      }),
    )
    expect(failedIds(report)).toEqual(['tolerates-unknown-event-type'])
    const result = check(report, 'tolerates-unknown-event-type')
    expect(result.message).toMatch(
      /^2 of 2 events of a type IDaaS may add later did not get a 2xx: "user\.suspended" \(500\), "session\.terminated" \(500\)\. Answer 2xx and ignore types/,
    )
    expect(result.details.failures?.[0]).toMatchObject({ attempts: 3, outcome: 'http-5xx' })
  })

  it('tolerates-unknown-fields: a receiver that refuses fields it does not know', async () => {
    const report = await verifyHandler(
      goodReceiver({
        onEvent: (_event, { notes }) => {
          if (notes.length > 0) throw new Error('unexpected fields')
        },
      }),
    )
    // The reordered-keys tricky body carries an unknown field too (A15), so verifies-raw-body
    // fails for the same reason; its evidence shows the 500 on that one body only.
    expect(failedIds(report)).toEqual(['verifies-raw-body', 'tolerates-unknown-fields'])
    expect(check(report, 'tolerates-unknown-fields').message).toMatch(
      /^2 of 2 events with fields IDaaS may add later did not get a 2xx: "user\.created \+ top-level fields" \(500\), "grid\.created \+ data fields" \(500\)\./,
    )
    expect(check(report, 'verifies-raw-body').details.failures?.map((f) => f.case)).toEqual([
      'reordered-keys',
    ])
  })

  it('accepts-redelivery: a receiver that answers 409 to an id it has seen', async () => {
    const report = await verifyHandler(refusingRedelivery())
    expect(failedIds(report)).toEqual(['accepts-redelivery'])
    expect(check(report, 'accepts-redelivery').message).toMatch(
      /^The same delivery \(envelope id "[0-9a-f-]{36}"\) got 204 first and 409 when delivered again\. Answer 2xx for an envelope id already seen, and skip the work \(A6: retries reuse the id\)\.$/,
    )
  })

  it('handles-burst: a receiver that answers 503 above 8 requests in flight', async () => {
    const report = await verifyHandler(overloaded(8))
    expect(failedIds(report)).toEqual(['handles-burst'])
    const result = check(report, 'handles-burst')
    expect(result.message).toMatch(
      /^\d+ of 50 concurrent deliveries did not get a 2xx \(503 ×\d+\); p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms\. Accept deliveries concurrently and queue the work\.$/,
    )
    expect(result.details).toMatchObject({ concurrent: 50, timings: { count: expect.any(Number) } })
  })

  it('no-redirect: a 307 for one event type fails it (and that delivery)', async () => {
    const report = await verifyHandler(redirecting('credential.update'), { burst: SMALL_BURST })
    expect(failedIds(report)).toEqual(['accepts-every-event-type', 'no-redirect'])
    expect(check(report, 'no-redirect').message).toBe(
      '1 of 74 requests got a 3xx, which IDaaS does not retry and is assumed not to follow (A7): "credential.update" (307), Location "https://elsewhere.example/hooks". Register the final URL.',
    )
  })

  it('no-redirect: a receiver that redirects everything is reported once, by no-redirect', async () => {
    const report = await verifyHandler(redirecting('all'))
    expect(failedIds(report)).toEqual(['no-redirect'])
    expect(check(report, 'no-redirect').message).toBe(
      'The receiver answered 307 with Location "https://elsewhere.example/hooks": IDaaS is assumed not to follow redirects (A7) and does not retry a 3xx, so every delivery would fail. Point verify, and the webhook, at the final URL. No other check was run.',
    )
    const notRun = report.checks.filter((c) => c.id !== 'no-redirect')
    for (const result of notRun) {
      expect(result.details.skipped, result.id).toMatch(
        /^(the receiver redirects|in-process handler)$/,
      )
    }
  })

  it('uses the token only to sign: a receiver with another token fails without the token in the report', async () => {
    const report = await verifyHandler(goodReceiver({ token: 'whsec_another' }))
    expect(JSON.stringify(report)).not.toContain(TOKEN)
  })
})
