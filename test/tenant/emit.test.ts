import { describe, expect, it } from 'vitest'
import {
  type DeliveryReport,
  type FetchReceiver,
  type IdaasTenant,
  verifyDelivery,
  type WebhookParms,
} from '../../src/index.js'
import {
  createEvent,
  createIdaasTenant,
  createInProcessFetch,
  createVirtualClock,
  describeDelivery,
} from '../../src/testing.js'
import { userCreated } from '../delivery/support.js'

const START = Date.parse('2026-03-16T17:33:05Z')
const DAY = 86_400_000

const parms = (overrides: Partial<WebhookParms> = {}): WebhookParms => ({
  name: 'App',
  callbackUrl: 'https://app.test/hooks',
  events: [{ type: 'user.created' }],
  ...overrides,
})

/** A receiver answering `status` (or a function of the request count) and counting requests. */
function counting(status: number | ((n: number) => number)): FetchReceiver & { bodies: string[] } {
  const bodies: string[] = []
  const receiver = async (request: Request) => {
    bodies.push(await request.text())
    const code = typeof status === 'number' ? status : status(bodies.length)
    return new Response(null, { status: code })
  }
  return Object.assign(receiver, { bodies })
}

function tenantWith(routes: Record<string, FetchReceiver>): IdaasTenant {
  return createIdaasTenant({
    clock: createVirtualClock({ start: START, flow: 'frozen' }),
    fetch: createInProcessFetch(routes),
  })
}

async function emitMany(tenant: IdaasTenant, count: number): Promise<DeliveryReport[][]> {
  const all: DeliveryReport[][] = []
  for (let i = 0; i < count; i++) all.push(await tenant.emit(userCreated(i)))
  return all
}

describe('tenant.emit', () => {
  it('delivers to every enabled webhook subscribed to the type, one report each', async () => {
    const a = counting(204)
    const b = counting(204)
    const other = counting(204)
    const tenant = tenantWith({
      'https://a.test/h': a,
      'https://b.test/h': b,
      'https://c.test/h': other,
    })
    const hookA = tenant.webhooks.create(parms({ callbackUrl: 'https://a.test/h' }))
    const hookB = tenant.webhooks.create(parms({ callbackUrl: 'https://b.test/h', events: [] }))
    tenant.webhooks.create(
      parms({ callbackUrl: 'https://c.test/h', events: [{ type: 'user.deleted' }] }),
    )

    const reports = await tenant.emit(userCreated())

    expect(reports.map((r) => [r.webhookId, r.result])).toEqual([
      [hookA.id, 'delivered'],
      [hookB.id, 'delivered'],
    ])
    expect([a.bodies.length, b.bodies.length, other.bodies.length]).toEqual([1, 1, 0])
  })

  it("signs each delivery with that webhook's own token", async () => {
    const requests: Request[] = []
    const tenant = tenantWith({
      'https://app.test/hooks': (request) => {
        requests.push(request)
        return new Response(null, { status: 200 })
      },
    })
    const { token } = tenant.webhooks.create(parms())
    await tenant.emit(userCreated())
    const result = await verifyDelivery(requests[0] as Request, { token, now: tenant.now })
    expect(result.ok).toBe(true)
    const signature = requests[0]?.headers.get('signature') ?? ''
    const log = JSON.stringify(tenant.deliveryLog)
    expect(log).not.toContain(token)
    expect(log).not.toContain(signature.slice(5, -1))
  })

  it('sends nothing to a disabled webhook and logs the event as dropped (A10)', async () => {
    const receiver = counting(204)
    const tenant = tenantWith({ 'https://app.test/hooks': receiver })
    const { id } = tenant.webhooks.create(parms({ enabled: false }))
    const event = userCreated()

    expect(await tenant.emit(event)).toEqual([])
    expect(receiver.bodies).toEqual([])
    expect(tenant.deliveryLog).toEqual([
      {
        kind: 'dropped',
        webhookId: id,
        at: START,
        eventId: event.id,
        eventType: 'user.created',
        reason: 'disabled',
      },
    ])
  })

  it('sends nothing to an expired webhook and does not queue the event for later (A10)', async () => {
    const receiver = counting(204)
    const tenant = tenantWith({ 'https://app.test/hooks': receiver })
    const { id } = tenant.webhooks.create(parms({ expiry: 1 }))
    tenant.advance(DAY)

    expect(await tenant.emit(userCreated())).toEqual([])
    expect(tenant.deliveryLog.at(-1)).toMatchObject({
      kind: 'dropped',
      webhookId: id,
      reason: 'expired',
    })
    tenant.webhooks.update(id, parms({ expiry: 0 }))
    expect(receiver.bodies).toEqual([])
    await tenant.emit(userCreated(2))
    expect(receiver.bodies).toHaveLength(1)
  })

  it('rejects an argument that is not an event', async () => {
    await expect(createIdaasTenant().emit({ type: 'user.created' } as never)).rejects.toThrow(
      '[idaas-webhook-kit] Failed to emit: argument "event" must be an object with a string "id" and "type".',
    )
  })
})

describe('auto-disable after 100 consecutive failed deliveries (A9)', () => {
  it('disables the webhook exactly at the 100th failed delivery (300 attempts of 503)', async () => {
    const receiver = counting(503)
    const tenant = tenantWith({ 'https://app.test/hooks': receiver })
    const { id } = tenant.webhooks.create(parms())

    await emitMany(tenant, 99)
    expect(tenant.webhooks.get(id).enabled).toBe(true)
    expect(tenant.webhooks.inspect(id).consecutiveFailures).toBe(99)
    expect(receiver.bodies).toHaveLength(297)

    await emitMany(tenant, 1)
    expect(tenant.webhooks.get(id).enabled).toBe(false)
    expect(tenant.webhooks.inspect(id)).toMatchObject({
      disabledBy: 'auto-disable',
      consecutiveFailures: 100,
    })
    expect(receiver.bodies).toHaveLength(300)
    expect(tenant.deliveryLog.at(-1)).toMatchObject({
      kind: 'auto-disabled',
      webhookId: id,
      consecutiveFailures: 100,
    })

    expect(await tenant.emit(userCreated(1000))).toEqual([])
    expect(receiver.bodies).toHaveLength(300)
  })

  it('counts 4xx and timeouts-as-failures as failed deliveries too', async () => {
    const tenant = tenantWith({ 'https://app.test/hooks': counting(400) })
    const { id } = tenant.webhooks.create(parms())
    await emitMany(tenant, 100)
    expect(tenant.webhooks.get(id).enabled).toBe(false)
  })

  it('resets the count after a 2xx delivery', async () => {
    // Delivery 99 succeeds on its 3rd attempt: 98 failed deliveries × 3 attempts, then 503, 503, 204.
    const receiver = counting((n) => (n === 98 * 3 + 3 ? 204 : 503))
    const tenant = tenantWith({ 'https://app.test/hooks': receiver })
    const { id } = tenant.webhooks.create(parms())

    await emitMany(tenant, 99)
    expect(tenant.webhooks.inspect(id).consecutiveFailures).toBe(0)
    await emitMany(tenant, 99)
    expect(tenant.webhooks.get(id).enabled).toBe(true)
    expect(tenant.webhooks.inspect(id).consecutiveFailures).toBe(99)
    await emitMany(tenant, 1)
    expect(tenant.webhooks.get(id).enabled).toBe(false)
  })

  it('resets the count when the webhook is enabled again', async () => {
    const tenant = tenantWith({ 'https://app.test/hooks': counting(500) })
    const { id } = tenant.webhooks.create(parms())
    await emitMany(tenant, 100)
    expect(tenant.webhooks.get(id).enabled).toBe(false)

    tenant.webhooks.update(id, parms({ enabled: true }))
    expect(tenant.webhooks.inspect(id)).toMatchObject({
      active: true,
      consecutiveFailures: 0,
      disabledBy: null,
    })
    await emitMany(tenant, 99)
    expect(tenant.webhooks.get(id).enabled).toBe(true)
    await emitMany(tenant, 1)
    expect(tenant.webhooks.get(id).enabled).toBe(false)
  })

  it('counts attempts instead when the policy says so', async () => {
    const tenant = createIdaasTenant({
      clock: createVirtualClock({ start: START, flow: 'frozen' }),
      fetch: createInProcessFetch(() => new Response(null, { status: 503 })),
      policy: { ...tenantPolicy(), countFailures: 'attempts', autoDisableAfter: 6 },
    })
    const { id } = tenant.webhooks.create(parms())
    const [[first]] = (await emitMany(tenant, 1)) as [[DeliveryReport]]
    expect(first.attempts).toHaveLength(3)
    expect(tenant.webhooks.inspect(id).consecutiveFailures).toBe(3)
    const [[second]] = (await emitMany(tenant, 1)) as [[DeliveryReport]]
    expect(second.attempts).toHaveLength(3)
    expect(tenant.webhooks.get(id).enabled).toBe(false)
  })

  it('stops the pending retries of a webhook that is disabled mid-delivery', async () => {
    let release = () => {}
    const firstAttempt = new Promise<void>((resolve) => (release = resolve))
    const tenant = tenantWith({
      'https://app.test/hooks': () => {
        release()
        return new Response(null, { status: 503 })
      },
    })
    const { id } = tenant.webhooks.create(parms())
    const reports = tenant.emit(userCreated())
    await firstAttempt
    tenant.webhooks.update(id, parms({ enabled: false }))
    const [report] = await reports
    expect(report?.result).toBe('cancelled')
    expect(report?.attempts).toHaveLength(1)
    expect(tenant.webhooks.inspect(id).consecutiveFailures).toBe(0)
    expect(describeDelivery(report as DeliveryReport)).toBe(
      `Cancelled the delivery of "user.created" to POST https://app.test/hooks after 1 attempt: webhook "${id}" was disabled, deleted or expired (A10).`,
    )
  })

  it('makes no further attempt once the webhook expires during its retries (A10)', async () => {
    const receiver = counting(503)
    const tenant = tenantWith({ 'https://app.test/hooks': receiver })
    const { id } = tenant.webhooks.create(parms({ expiry: 1 }))
    // The first attempt 1 s before the expiry; the retry ~2 s later would be after it.
    tenant.advance(DAY - 1000)

    const [report] = (await tenant.emit(userCreated())) as [DeliveryReport]

    expect(receiver.bodies).toHaveLength(1)
    expect(report.result).toBe('cancelled')
    expect(report.attempts.map((a) => a.startedAt)).toEqual([START + DAY - 1000])
    expect(tenant.webhooks.inspect(id)).toMatchObject({ active: false, disabledBy: 'expiry' })
  })
})

describe('tenant.webhooks.test (A12)', () => {
  it('sends one signed webhook.test envelope with empty data, not retried and not counted', async () => {
    const requests: Request[] = []
    const tenant = tenantWith({
      'https://app.test/hooks': (request) => {
        requests.push(request)
        return new Response(null, { status: 503 })
      },
    })
    const { id, token } = tenant.webhooks.create(parms())
    const report = await tenant.webhooks.test(id)

    expect(report).toMatchObject({ result: 'failed', eventType: 'webhook.test', webhookId: id })
    expect(report.attempts).toHaveLength(1)
    expect(tenant.webhooks.inspect(id).consecutiveFailures).toBe(0)
    const verified = await verifyDelivery(requests[0] as Request, { token, now: tenant.now })
    expect(verified.ok && verified.event).toEqual({
      id: report.eventId,
      type: 'webhook.test',
      accountId: tenant.accountId,
      eventTime: new Date(START).toISOString(),
      data: {},
    })
    expect(tenant.deliveryLog).toEqual([{ kind: 'test', webhookId: id, at: START, report }])
  })

  it('posts to the callbackUrl of WebhookTestParms instead, when given', async () => {
    const hit: string[] = []
    const tenant = tenantWith({
      'https://app.test/hooks': () => new Response(null, { status: 204 }),
      'https://staging.test/hooks': (request) => {
        hit.push(request.url)
        return new Response(null, { status: 204 })
      },
    })
    const { id } = tenant.webhooks.create(parms())
    await tenant.webhooks.test(id, { callbackUrl: 'https://staging.test/hooks' })
    expect(hit).toEqual(['https://staging.test/hooks'])
  })
})

describe('the delivery log', () => {
  it('records deliveries with their reports, in the order they ended', async () => {
    const tenant = tenantWith({ 'https://app.test/hooks': counting((n) => (n === 1 ? 500 : 200)) })
    const { id } = tenant.webhooks.create(parms())
    const event = createEvent('user.created', undefined, { seed: 4 })
    const [report] = await tenant.emit(event)

    expect(tenant.deliveryLog).toEqual([
      { kind: 'delivery', webhookId: id, at: report?.endedAt, report },
    ])
    expect(report?.attempts.map((a) => a.outcome)).toEqual(['http-5xx', 'success'])
    expect(tenant.now()).toBe(report?.endedAt)
  })
})

function tenantPolicy() {
  return { ...createIdaasTenant().policy }
}
