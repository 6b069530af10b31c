import { describe, expect, it } from 'vitest'
import { createEvent, createIdaasTenant, createInProcessFetch } from '../../src/testing.js'

const accept = createInProcessFetch(() => new Response(null, { status: 204 }))
const events = Array.from({ length: 12 }, (_, i) =>
  createEvent('user.created', undefined, { seed: i }),
)

async function run(options: Parameters<typeof createIdaasTenant>[0]) {
  const tenant = createIdaasTenant({ fetch: accept, ...options })
  tenant.webhooks.create({ name: 'log', callbackUrl: 'https://app.test/h', events: [] })
  for (const event of events) await tenant.emit(event)
  return tenant
}

const loggedIds = (tenant: ReturnType<typeof createIdaasTenant>) =>
  tenant.deliveryLog.map((entry) => (entry.kind === 'delivery' ? entry.report.eventId : entry.kind))

describe('tenant.deliveryLog bounds', () => {
  it('keeps only the newest deliveryLogLimit entries, in the order they ended', async () => {
    const tenant = await run({ deliveryLogLimit: 5 })
    expect(tenant.deliveryLog).toHaveLength(5)
    expect(loggedIds(tenant)).toEqual(events.slice(-5).map((event) => event.id))
  })

  it('keeps 1000 entries by default and every entry with Infinity', async () => {
    const all = await run({ deliveryLogLimit: Number.POSITIVE_INFINITY })
    expect(loggedIds(all)).toEqual(events.map((event) => event.id))
    const byDefault = createIdaasTenant({ fetch: accept })
    byDefault.webhooks.create({ name: 'log', callbackUrl: 'https://app.test/h', events: [] })
    const first = events[0] as (typeof events)[number]
    for (let i = 0; i < 1003; i++) await byDefault.emit(first)
    expect(byDefault.deliveryLog).toHaveLength(1000)
  })

  it('keeps nothing with 0, and still delivers', async () => {
    const tenant = createIdaasTenant({ fetch: accept, deliveryLogLimit: 0 })
    tenant.webhooks.create({ name: 'log', callbackUrl: 'https://app.test/h', events: [] })
    const [report] = await tenant.emit(events[0] as (typeof events)[number])
    expect(report?.result).toBe('delivered')
    expect(tenant.deliveryLog).toEqual([])
  })

  it.each([-1, 1.5, Number.NaN, '10'])('refuses deliveryLogLimit %s naming the option', (value) => {
    expect(() => createIdaasTenant({ deliveryLogLimit: value as never })).toThrow(
      /^\[idaas-webhook-kit\] Invalid option "deliveryLogLimit": expected a whole number of at least 0 or Infinity, got /,
    )
  })
})
