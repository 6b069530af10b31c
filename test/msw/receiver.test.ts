import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { type FetchReceiver, type IdaasTenant, verifyDelivery } from '../../src/index.js'
import { createReceiverHandler } from '../../src/msw/index.js'
import { createEvent, createIdaasTenant, createTimerClock, deliver } from '../../src/testing.js'

const CALLBACK = 'https://app.test/webhooks/idaas'
const server = setupServer()

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

function tenantWithWebhook(callbackUrl = CALLBACK): {
  tenant: IdaasTenant
  token: string
  id: string
} {
  const tenant = createIdaasTenant({ seed: 3 })
  const { token, id } = tenant.webhooks.create({
    name: 'App',
    callbackUrl,
    events: [{ type: 'user.created' }],
  })
  return { tenant, token, id }
}

const event = () => createEvent('user.created', undefined, { seed: 8 })

describe('createReceiverHandler', () => {
  it('routes a tenant delivery to an in-process receiver that verifies the signature', async () => {
    const { tenant, token } = tenantWithWebhook()
    const seen: unknown[] = []
    const receiver: FetchReceiver = async (request) => {
      const result = await verifyDelivery(request, { token, now: tenant.now })
      if (!result.ok) return new Response(result.message, { status: 401 })
      seen.push(result.event)
      return new Response(null, { status: 204 })
    }
    server.use(createReceiverHandler(CALLBACK, receiver))

    const sent = event()
    const [report] = await tenant.emit(sent)
    expect(report).toMatchObject({
      result: 'delivered',
      attempts: [{ outcome: 'success', status: 204 }],
    })
    expect(seen).toEqual([sent])
  })

  it('retries a 503 receiver 3 times in virtual time', async () => {
    const { tenant } = tenantWithWebhook()
    let calls = 0
    server.use(
      createReceiverHandler(CALLBACK, () => {
        calls++
        return new Response(null, { status: 503 })
      }),
    )
    const wall = performance.now()
    const [report] = await tenant.emit(event())
    expect(performance.now() - wall).toBeLessThan(1500)
    expect(calls).toBe(3)
    expect((report?.endedAt ?? 0) - (report?.startedAt ?? 0)).toBeGreaterThanOrEqual(6000)
  })

  it('treats a receiver that throws as a 500, which is retried', async () => {
    const { tenant } = tenantWithWebhook()
    server.use(
      createReceiverHandler(CALLBACK, () => {
        throw new Error('receiver crashed')
      }),
    )
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    const [report] = await tenant.emit(event())
    expect(report?.attempts.map((a) => a.status)).toEqual([500, 500, 500])
    printed.mockRestore()
  })

  it('classifies HttpResponse.error() as a network error, not retried', async () => {
    const { tenant } = tenantWithWebhook()
    server.use(http.post(CALLBACK, () => HttpResponse.error()))
    const [report] = await tenant.emit(event())
    expect(report?.attempts).toEqual([expect.objectContaining({ outcome: 'network' })])
  })

  it('gives the same report through MSW with the default node:http transport and with fetch', async () => {
    const { tenant, token } = tenantWithWebhook()
    server.use(
      createReceiverHandler(CALLBACK, async (request) => {
        const body = await request.text()
        const signed = request.headers.has('signature') && request.headers.has('content-digest')
        return new Response(`signed=${signed} bytes=${body.length}`, { status: 409 })
      }),
    )
    const sent = event()
    const target = { url: CALLBACK, token }
    const viaNodeHttp = await deliver(sent, target, { policy: tenant.policy })
    const viaFetch = await deliver(sent, target, {
      policy: tenant.policy,
      fetch: (input, init) => fetch(input, init),
    })
    const strip = (report: typeof viaFetch) =>
      report.attempts.map(({ outcome, status, responseBody }) => ({
        outcome,
        status,
        responseBody,
      }))
    expect(strip(viaNodeHttp)).toEqual([
      {
        outcome: 'http-4xx',
        status: 409,
        responseBody: `signed=true bytes=${JSON.stringify(sent).length}`,
      },
    ])
    expect(strip(viaFetch)).toEqual(strip(viaNodeHttp))
  })

  it('does not follow a redirect under MSW', async () => {
    const { tenant } = tenantWithWebhook()
    let followed = false
    server.use(
      createReceiverHandler(
        CALLBACK,
        () => new Response(null, { status: 307, headers: { location: 'https://app.test/moved' } }),
      ),
      http.post('https://app.test/moved', () => {
        followed = true
        return new HttpResponse(null, { status: 204 })
      }),
    )
    const [report] = await tenant.emit(event())
    expect(report?.attempts).toEqual([
      expect.objectContaining({
        outcome: 'redirect',
        status: 307,
        location: 'https://app.test/moved',
      }),
    ])
    expect(followed).toBe(false)
  })

  it('lets an unhandled callback URL fail loudly (onUnhandledRequest: "error"), not as a network error', async () => {
    const { tenant } = tenantWithWebhook('https://nobody.test/hooks')
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    await expect(tenant.emit(event())).rejects.toThrow('[MSW] Cannot bypass a request')
    printed.mockRestore()
  })

  it('rejects a callback URL that is not absolute', () => {
    expect(() => createReceiverHandler('/hooks', () => new Response())).toThrow(
      '[idaas-webhook-kit] Failed to create a receiver handler: "callbackUrl" must be an absolute URL, got "/hooks".',
    )
  })
})

describe('the 3 s deadline against a slow in-process receiver (real time)', () => {
  /** Answers 204 after `ms` real milliseconds, or stops when the delivery aborts. */
  const slow =
    (ms: number): FetchReceiver =>
    (request) =>
      new Promise<Response>((resolve, reject) => {
        const timer = setTimeout(() => resolve(new Response(null, { status: 204 })), ms)
        request.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(request.signal.reason)
        })
      })

  it('marks a 3.2 s receiver as a timeout (not retried) and delivers to a 2.5 s one, both at once', async () => {
    // Fake time through createTimerClock: the deadline and the receivers' waits cost no wall time.
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') })
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const tenant = createIdaasTenant({ clock: createTimerClock() })
    const slowHook = tenant.webhooks.create({
      name: 'slow',
      callbackUrl: 'https://slow.test/hooks',
      events: [],
    })
    const okHook = tenant.webhooks.create({
      name: 'ok',
      callbackUrl: 'https://ok.test/hooks',
      events: [],
    })
    server.use(
      createReceiverHandler('https://slow.test/hooks', slow(3200)),
      createReceiverHandler('https://ok.test/hooks', slow(2500)),
    )
    const pending = tenant.emit(event())
    await vi.advanceTimersByTimeAsync(3200)
    const reports = await pending

    const byHook = Object.fromEntries(reports.map((r) => [r.webhookId, r]))
    const timedOut = byHook[slowHook.id]
    const delivered = byHook[okHook.id]
    expect(timedOut?.result).toBe('failed')
    expect(timedOut?.attempts).toEqual([
      expect.objectContaining({ outcome: 'timeout', durationMs: 3000 }),
    ])
    expect(delivered?.result).toBe('delivered')
    expect(delivered?.attempts).toEqual([
      expect.objectContaining({ outcome: 'success', durationMs: 2500 }),
    ])
    // Both ran at once: the two attempts started at the same instant.
    expect(delivered?.attempts[0]?.startedAt).toBe(timedOut?.attempts[0]?.startedAt)
  })

  it('aborts the request the receiver sees when the deadline passes, with the fetch option', async () => {
    let aborted = false
    server.use(
      createReceiverHandler('https://hang.test/hooks', (request) => {
        return new Promise<Response>((_, reject) => {
          request.signal.addEventListener('abort', () => {
            aborted = true
            reject(request.signal.reason)
          })
        })
      }),
    )
    const report = await deliver(
      event(),
      { url: 'https://hang.test/hooks', token: 't' },
      {
        policy: { ...createIdaasTenant().policy, name: 'short', deadlineMs: 200 },
        // MSW's node:http interceptor gives the handler's request no abort signal; fetch does.
        fetch: (input, init) => fetch(input, init),
      },
    )
    expect(report.attempts[0]?.outcome).toBe('timeout')
    await vi.waitFor(() => expect(aborted).toBe(true))
  })

  it('times out a hanging in-process receiver with the default node:http transport too', async () => {
    let answer: (response: Response) => void = () => {}
    server.use(
      createReceiverHandler(
        'https://hang.test/hooks',
        () => new Promise<Response>((resolve) => (answer = resolve)),
      ),
    )
    const report = await deliver(
      event(),
      { url: 'https://hang.test/hooks', token: 't' },
      { policy: { ...createIdaasTenant().policy, name: 'short', deadlineMs: 200, maxAttempts: 1 } },
    )
    answer(new Response(null, { status: 204 })) // too late: the attempt is already over
    expect(report.attempts).toEqual([
      expect.objectContaining({ outcome: 'timeout', error: 'No complete response within 200 ms.' }),
    ])
  })
})

describe('MSW with fake timers', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('times out a receiver that takes 3.2 s of fake time, driven by createTimerClock', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') })
    const tenant = createIdaasTenant({ clock: createTimerClock() })
    tenant.webhooks.create({ name: 'App', callbackUrl: CALLBACK, events: [] })
    server.use(
      createReceiverHandler(CALLBACK, async (request) => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 3200)
          request.signal.addEventListener('abort', () => {
            clearTimeout(timer)
            resolve()
          })
        })
        return new Response(null, { status: 204 })
      }),
    )
    const reports = tenant.emit(event())
    await vi.advanceTimersByTimeAsync(3200)
    const [report] = await reports
    expect(report?.attempts).toEqual([
      expect.objectContaining({ outcome: 'timeout', durationMs: 3000 }),
    ])
  })
})
