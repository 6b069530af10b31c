import { describe, expect, it } from 'vitest'
import { type DeliveryReport, isKitError, verifyDelivery } from '../../src/index.js'
import {
  assertDelivered,
  createDeliveryPolicy,
  createInProcessFetch,
  createVirtualClock,
  type DeliveryError,
  deliver,
  describeDelivery,
  formatDeliveryReport,
  IDAAS_POLICY,
  ISSUANCE_LEGACY_POLICY,
  isDeliveryError,
} from '../../src/testing.js'
import { createdOf, fastDeadlineClock, scriptedFetch, userCreated } from './support.js'

const URL_ = 'https://app.test/webhooks/idaas'
const TOKEN = 'whsec_engine-test-token'
const target = { url: URL_, token: TOKEN }

const outcomes = (report: DeliveryReport) => report.attempts.map((a) => a.outcome)

describe('deliver under the IDaaS policy', () => {
  it('makes 3 attempts for a 5xx, at 2000 ms and 4000 ms plus jitter after the previous attempt', async () => {
    const clock = fastDeadlineClock()
    const t0 = clock.now()
    const fetch = scriptedFetch([503], clock)
    const report = await deliver(userCreated(), target, { clock, fetch, seed: 3 })

    expect(report.result).toBe('failed')
    expect(outcomes(report)).toEqual(['http-5xx', 'http-5xx', 'http-5xx'])
    const [a1, a2, a3] = report.attempts
    expect(a1?.startedAt).toBe(t0)
    // The frozen clock makes every attempt take 0 ms of clock time, so "after the previous
    // attempt ended" is "after it started".
    expect(a1?.delayMs).toBe(2000)
    expect(a2?.delayMs).toBe(4000)
    for (const attempt of [a1, a2]) {
      expect(attempt?.jitterMs).toBeGreaterThanOrEqual(0)
      expect(attempt?.jitterMs).toBeLessThanOrEqual(500)
    }
    expect(a2?.startedAt).toBe(t0 + 2000 + (a1?.jitterMs ?? Number.NaN))
    expect(a3?.startedAt).toBe((a2?.startedAt ?? 0) + 4000 + (a2?.jitterMs ?? Number.NaN))
    expect(a1?.nextAttemptAt).toBe(a2?.startedAt)
    expect(a2?.nextAttemptAt).toBe(a3?.startedAt)
    expect(a3?.nextAttemptAt).toBeUndefined()
    // The receiver saw the attempts at those virtual times.
    expect(fetch.received.map((r) => r.at)).toEqual(report.attempts.map((a) => a.startedAt))
  })

  it('keeps the envelope id and signs every attempt afresh with a new created (A6)', async () => {
    const clock = fastDeadlineClock()
    const fetch = scriptedFetch([503, 502, 204], clock)
    const event = userCreated()
    const report = await deliver(event, target, { clock, fetch })

    expect(report.result).toBe('delivered')
    expect(outcomes(report)).toEqual(['http-5xx', 'http-5xx', 'success'])
    const ids = fetch.received.map((r) => JSON.parse(r.body).id)
    expect(ids).toEqual([event.id, event.id, event.id])
    const created = fetch.received.map((r) => createdOf(r.headers.get('signature-input')))
    expect(created).toEqual(report.attempts.map((a) => Math.floor(a.startedAt / 1000)))
    expect(new Set(created).size).toBe(3)
    const signatures = new Set(fetch.received.map((r) => r.headers.get('signature')))
    expect(signatures.size).toBe(3)
    for (const [index, received] of fetch.received.entries()) {
      const attemptTime = report.attempts[index]?.startedAt ?? 0
      const result = await verifyDelivery(
        { method: 'POST', url: received.url, headers: received.headers, body: received.body },
        { token: TOKEN, now: () => attemptTime },
      )
      expect(result.ok).toBe(true)
    }
  })

  it.each([
    ['a 4xx', [400], 'http-4xx'],
    ['a 410', [410], 'http-4xx'],
    ['a 3xx', [{ status: 302, location: 'https://elsewhere.test/' }], 'redirect'],
    ['a 304', [304], 'redirect'],
    ['a timeout', ['timeout'], 'timeout'],
    ['a network error', ['network'], 'network'],
    ['a 2xx on the first try', [204], 'success'],
    ['a 200 with a body', [200], 'success'],
  ] as const)('makes exactly 1 attempt for %s', async (_, steps, outcome) => {
    const clock = fastDeadlineClock()
    const fetch = scriptedFetch(steps, clock)
    const report = await deliver(userCreated(), target, { clock, fetch })

    expect(outcomes(report)).toEqual([outcome])
    expect(fetch.received).toHaveLength(1)
    expect(report.attempts[0]?.nextAttemptAt).toBeUndefined()
    expect(report.result).toBe(outcome === 'success' ? 'delivered' : 'failed')
    expect(report.ok).toBe(outcome === 'success')
  })

  it('records the status, the Location of a redirect and never follows it (A7)', async () => {
    const requested: string[] = []
    const fetch = createInProcessFetch({
      'https://app.test/old': (request) => {
        requested.push(request.url)
        return new Response(null, { status: 301, headers: { location: 'https://app.test/new' } })
      },
      'https://app.test/new': (request) => {
        requested.push(request.url)
        return new Response(null, { status: 204 })
      },
    })
    const report = await deliver(
      userCreated(),
      { url: 'https://app.test/old', token: TOKEN },
      { fetch },
    )

    expect(report.attempts).toEqual([
      expect.objectContaining({
        outcome: 'redirect',
        status: 301,
        location: 'https://app.test/new',
      }),
    ])
    expect(requested).toEqual(['https://app.test/old'])
  })

  it('records the network error code and a message without the token', async () => {
    const clock = fastDeadlineClock()
    const report = await deliver(userCreated(), target, {
      clock,
      fetch: scriptedFetch(['network']),
    })

    expect(report.attempts[0]).toMatchObject({ outcome: 'network', errorCode: 'ECONNREFUSED' })
    expect(report.attempts[0]?.error).toContain('ECONNREFUSED')
    expect(JSON.stringify(report)).not.toContain(TOKEN)
  })

  it('counts the body in the deadline: a 2xx whose body never ends is a timeout', async () => {
    const clock = fastDeadlineClock()
    const fetch = createInProcessFetch(
      () => new Response(new ReadableStream({ start() {} }), { status: 200 }),
    )
    const report = await deliver(userCreated(), target, { clock, fetch })

    expect(report.attempts).toEqual([expect.objectContaining({ outcome: 'timeout', status: 200 })])
    expect(report.result).toBe('failed')
    expect(describeDelivery(report)).toBe(
      'Failed to deliver "user.created" to POST https://app.test/webhooks/idaas: 1 attempt, last timeout (no complete response within 3000 ms).',
    )
  })

  it('keeps the first KiB of a refused response body to show why', async () => {
    const fetch = createInProcessFetch(() => new Response('x'.repeat(5000), { status: 401 }))
    const report = await deliver(userCreated(), target, { fetch })
    expect(report.attempts[0]?.responseBody).toHaveLength(1024)
  })

  it('keeps the token and the signature out of the report when a receiver echoes them', async () => {
    let signature = ''
    const fetch = createInProcessFetch(async (request) => {
      signature = request.headers.get('signature') ?? ''
      const echoed = `bad signature ${signature} for token ${TOKEN}`
      return new Response(echoed, { status: 401 })
    })
    const report = await deliver(userCreated(), target, { fetch })
    const bare = signature.slice('sig=:'.length, -1)
    expect(report.attempts[0]?.responseBody).toBe('bad signature [redacted] for token [redacted]')
    expect(JSON.stringify(report)).not.toContain(TOKEN)
    expect(JSON.stringify(report)).not.toContain(bare)
  })

  it('costs no wall time for a full retry sequence with the default virtual clock', async () => {
    const fetch = scriptedFetch([503])
    const wall = performance.now()
    const report = await deliver(userCreated(), target, { fetch })
    const wallMs = performance.now() - wall

    const span = report.endedAt - report.startedAt
    expect(report.attempts).toHaveLength(3)
    expect(span).toBeGreaterThanOrEqual(6000)
    expect(span).toBeLessThan(7100)
    expect(wallMs).toBeLessThan(1000)
  })

  it('gives the same timeline for the same seed and another one for another seed', async () => {
    const run = async (seed: number) => {
      const clock = fastDeadlineClock()
      const report = await deliver(userCreated(), target, {
        clock,
        seed,
        fetch: scriptedFetch([503]),
      })
      return report.attempts.map(({ durationMs: _, ...rest }) => rest)
    }
    const first = await run(11)
    expect(await run(11)).toEqual(first)
    expect(await run(12)).not.toEqual(first)
  })

  it('rejects with a KitError for a URL no in-process receiver serves, instead of a network failure', async () => {
    const fetch = createInProcessFetch({ 'https://app.test/a': () => new Response(null) })
    const error = await deliver(
      userCreated(),
      { url: 'https://app.test/typo', token: TOKEN },
      { fetch },
    ).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toContain('"https://app.test/a"')
  })

  it('refuses in-process receivers that are not a handler or a map from absolute URL to handler', () => {
    expect(() => createInProcessFetch(undefined as never)).toThrow(
      '[idaas-webhook-kit] Invalid argument "receivers": expected a Fetch handler or an object from callback URL to handler, got undefined.',
    )
    expect(() => createInProcessFetch({ '/hooks': () => new Response(null) })).toThrow(
      '[idaas-webhook-kit] Invalid argument "receivers": key "/hooks" is not an absolute URL. Use the callback URL, e.g. "https://app.test/hooks".',
    )
    expect(() => createInProcessFetch({ 'https://app.test/a': 'app' as never })).toThrow(
      '[idaas-webhook-kit] Invalid argument "receivers": the receiver for "https://app.test/a" must be a function (request => response), got "app".',
    )
  })

  it('rejects bad arguments before the first attempt, naming the field', async () => {
    await expect(deliver(userCreated(), { url: 'not a url', token: TOKEN })).rejects.toThrow(
      '[idaas-webhook-kit] Failed to deliver "user.created": "target.url" must be an absolute URL, got "not a url".',
    )
    await expect(deliver(userCreated(), { url: URL_, token: '' })).rejects.toThrow(
      '"target.token" must be a non-empty string',
    )
  })

  it('rejects bad signing options before the first attempt, naming every field', async () => {
    const fetch = scriptedFetch([204])
    const signing = { keyEncoding: 'hex', created: 'no', keyid: 42, nonse: true }
    await expect(
      deliver(userCreated(), target, { fetch, signing: signing as never }),
    ).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "signing": unknown field "nonse"; "keyEncoding" must be "utf8" or "base64", got "hex"; "created" must be true or false, got "no"; "keyid" must be a string of printable ASCII characters, got 42.',
    )
    await expect(
      deliver(
        userCreated(),
        { url: URL_, token: 'whsec_' },
        { fetch, signing: { keyEncoding: 'base64' } },
      ),
    ).rejects.toThrow(
      '[idaas-webhook-kit] Failed to deliver "user.created": "target.token" decodes to no bytes with "signing.keyEncoding" "base64". Is the token base64?',
    )
    expect(fetch.received).toEqual([])
  })

  it('rejects with the error onAttempt throws and makes no further attempt', async () => {
    const fetch = scriptedFetch([503])
    const failure = new Error('logger broke')
    await expect(
      deliver(userCreated(), target, {
        fetch,
        onAttempt: () => {
          throw failure
        },
      }),
    ).rejects.toBe(failure)
    expect(fetch.received).toHaveLength(1)
    await expect(deliver(userCreated(), target, { onAttempt: 'log' as never })).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "onAttempt": expected a function, got "log".',
    )
  })
})

describe('deliver with other policies', () => {
  it('retries timeouts and network errors when the policy says so (A7)', async () => {
    const clock = fastDeadlineClock()
    const policy = createDeliveryPolicy({ retryOn: ['http-5xx', 'timeout', 'network'] })
    const fetch = scriptedFetch(['timeout', 'network', 204], clock)
    const report = await deliver(userCreated(), target, { clock, fetch, policy })
    expect(outcomes(report)).toEqual(['timeout', 'network', 'success'])
  })

  it('sends a new envelope id per retry when the policy says so (A6)', async () => {
    const clock = fastDeadlineClock()
    const policy = createDeliveryPolicy({ envelopeIdPerAttempt: 'new' })
    const fetch = scriptedFetch([500], clock)
    const event = userCreated()
    const report = await deliver(event, target, { clock, fetch, policy })
    const ids = fetch.received.map((r) => JSON.parse(r.body).id as string)
    expect(ids[0]).toBe(event.id)
    expect(new Set(ids).size).toBe(3)
    expect(report.attempts.map((a) => a.envelopeId)).toEqual(ids)
  })

  it('follows the issuance-legacy schedule: 5 retries at 30 s, 2 min, 15 min, 2 h, 10 h after the first attempt (A16)', async () => {
    const clock = fastDeadlineClock()
    const fetch = scriptedFetch([404], clock)
    const report = await deliver(userCreated(), target, {
      clock,
      fetch,
      policy: 'issuance-legacy',
    })
    const t0 = report.attempts[0]?.startedAt ?? 0
    expect(report.attempts.map((a) => a.startedAt - t0)).toEqual([
      0, 30_000, 120_000, 900_000, 7_200_000, 36_000_000,
    ])
    expect(report.policy).toBe(ISSUANCE_LEGACY_POLICY.name)
  })

  it('stops before the next attempt when its signal aborts, with result "cancelled"', async () => {
    const clock = createVirtualClock({ flow: 'frozen' })
    const controller = new AbortController()
    const fetch = scriptedFetch([503])
    const report = await deliver(userCreated(), target, {
      clock,
      fetch,
      signal: controller.signal,
      onAttempt: () => controller.abort(),
    })
    expect(report.result).toBe('cancelled')
    expect(report.attempts).toHaveLength(1)
    expect(describeDelivery(report)).toBe(
      'Cancelled the delivery of "user.created" to POST https://app.test/webhooks/idaas after 1 attempt: option "signal" aborted it.',
    )
  })
})

describe('assertDelivered', () => {
  it('throws a DeliveryError whose message names the event, the URL and the last status', async () => {
    const clock = fastDeadlineClock()
    const report = await deliver(userCreated(), target, { clock, fetch: scriptedFetch([503]) })
    let thrown: unknown
    try {
      assertDelivered(report)
    } catch (error) {
      thrown = error
    }
    expect(isDeliveryError(thrown)).toBe(true)
    expect((thrown as DeliveryError).policy).toBe('idaas')
    expect((thrown as Error).message).toBe(
      '[idaas-webhook-kit] Failed to deliver "user.created" to POST https://app.test/webhooks/idaas: 3 attempts, last status 503 Service Unavailable.',
    )
    expect(formatDeliveryReport(report).split('\n')).toHaveLength(4)
  })

  it('passes for a delivered report', async () => {
    const report = await deliver(userCreated(), target, { fetch: scriptedFetch([200]) })
    expect(() => assertDelivered(report)).not.toThrow()
    expect(IDAAS_POLICY.deadlineMs).toBe(3000)
  })
})
