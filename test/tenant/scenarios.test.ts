import { describe, expect, it } from 'vitest'
import type { FetchReceiver } from '../../src/index.js'
import {
  createEvent,
  createIdaasTenant,
  createInProcessFetch,
  createVirtualClock,
  deliver,
  emitBurst,
  emitOutOfOrder,
  emitTwice,
} from '../../src/testing.js'

const START = Date.parse('2026-03-16T17:33:05Z')

function recordingTenant(receiver?: FetchReceiver) {
  const seen: Array<{ id: string; type: string; at: number }> = []
  const tenant = createIdaasTenant({
    clock: createVirtualClock({ start: START, flow: 'frozen' }),
    fetch: createInProcessFetch(async (request) => {
      const body = JSON.parse(await request.clone().text()) as { id: string; type: string }
      seen.push({ id: body.id, type: body.type, at: tenant.now() })
      return receiver ? receiver(request) : new Response(null, { status: 204 })
    }),
  })
  tenant.webhooks.create({
    name: 'App',
    callbackUrl: 'https://app.test/hooks',
    events: [{ type: 'user.created' }, { type: 'user.deleted' }],
  })
  return { tenant, seen }
}

describe('emitTwice', () => {
  it('delivers the same envelope id twice, the second after the gap in virtual time', async () => {
    const { tenant, seen } = recordingTenant()
    const event = createEvent('user.created', undefined, { seed: 2 })
    const [first, second] = await emitTwice(tenant, event, { gapMs: 60_000 })

    expect(seen.map((s) => s.id)).toEqual([event.id, event.id])
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBe(60_000)
    expect([first[0]?.result, second[0]?.result]).toEqual(['delivered', 'delivered'])
  })

  it('works with a bare deliver() wrapped as a target', async () => {
    const bodies: string[] = []
    const fetch = createInProcessFetch(async (request) => {
      bodies.push(await request.text())
      return new Response(null, { status: 200 })
    })
    const target = {
      emit: (event: { id: string; type: string }) =>
        deliver(event, { url: 'https://x.test/h', token: 't' }, { fetch }),
    }
    const [a, b] = await emitTwice(target, createEvent('user.created'))
    expect(a.ok && b.ok).toBe(true)
    expect(bodies[0]).toBe(bodies[1])
  })

  it('needs a clock for a gap', async () => {
    const target = { emit: async () => 1 }
    await expect(emitTwice(target, createEvent('user.created'), { gapMs: 5 })).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "gapMs": the target has no clock to wait on. Pass a tenant, or a target with a "clock".',
    )
  })
})

describe('emitOutOfOrder', () => {
  it('delivers the later event first', async () => {
    const { tenant, seen } = recordingTenant()
    const created = createEvent('user.created', undefined, { eventTime: '2026-03-16T10:00:00Z' })
    const deleted = createEvent('user.deleted', undefined, { eventTime: '2026-03-16T10:00:05Z' })
    const { later, earlier } = await emitOutOfOrder(tenant, created, deleted)

    expect(seen.map((s) => s.type)).toEqual(['user.deleted', 'user.created'])
    expect(later[0]?.eventType).toBe('user.deleted')
    expect(earlier[0]?.eventType).toBe('user.created')
  })

  it('refuses a pair whose eventTimes are already reversed', async () => {
    const { tenant, seen } = recordingTenant()
    const created = createEvent('user.created', undefined, { eventTime: '2026-03-16T10:00:05Z' })
    const deleted = createEvent('user.deleted', undefined, { eventTime: '2026-03-16T10:00:00Z' })
    await expect(emitOutOfOrder(tenant, created, deleted)).rejects.toThrow(
      '[idaas-webhook-kit] Failed to emit out of order: "earlier" happened at 2026-03-16T10:00:05.000Z, after "later" at 2026-03-16T10:00:00.000Z. Swap the arguments?',
    )
    expect(seen).toEqual([])
  })
})

describe('emitBurst', () => {
  it('delivers N events concurrently and returns their reports in order', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const { tenant, seen } = recordingTenant(async () => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      return new Response(null, { status: 202 })
    })
    const events = Array.from({ length: 50 }, (_, i) =>
      createEvent('user.created', undefined, { seed: i }),
    )
    const results = await emitBurst(tenant, events)

    expect(results.map((r) => r[0]?.eventId)).toEqual(events.map((e) => e.id))
    expect(results.every((r) => r[0]?.result === 'delivered')).toBe(true)
    expect(new Set(seen.map((s) => s.id)).size).toBe(50)
    expect(maxInFlight).toBe(50)
  })

  it('keeps retries of a burst in virtual time: all 20 deliveries fail after 3 attempts each', async () => {
    const { tenant, seen } = recordingTenant(() => new Response(null, { status: 503 }))
    const events = Array.from({ length: 20 }, (_, i) =>
      createEvent('user.created', undefined, { seed: i }),
    )
    const wall = performance.now()
    const results = await emitBurst(tenant, events)
    expect(performance.now() - wall).toBeLessThan(2000)
    expect(seen).toHaveLength(60)
    for (const [report] of results) {
      const [a1, a2, a3] = report?.attempts ?? []
      expect((a2?.startedAt ?? 0) - (a1?.startedAt ?? 0)).toBeGreaterThanOrEqual(2000)
      expect((a3?.startedAt ?? 0) - (a2?.startedAt ?? 0)).toBeGreaterThanOrEqual(4000)
    }
  })
})
