import { afterEach, describe, expect, it } from 'vitest'
import { type MockReceiver, startMockReceiver } from '../../src/prism/index.js'
import { createEvent, createRandom, deliver, IDAAS_POLICY } from '../../src/testing.js'
import { TEST_TOKEN } from './helpers.js'

const started: MockReceiver[] = []
async function mockWith(options: Parameters<typeof startMockReceiver>[0]): Promise<MockReceiver> {
  const mock = await startMockReceiver(options)
  started.push(mock)
  return mock
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((mock) => mock.close()))
})

describe('failRate and status drive the delivery engine’s retries end to end', () => {
  it('answers every valid delivery with the status alone: IDaaS makes 3 attempts, same envelope id', async () => {
    const mock = await mockWith({ status: 503 })
    const event = createEvent('user.created', undefined, { seed: 1 })
    const report = await deliver(event, { url: mock.url, token: TEST_TOKEN })
    expect(report.result).toBe('failed')
    expect(report.attempts.map((a) => [a.outcome, a.status])).toEqual([
      ['http-5xx', 503],
      ['http-5xx', 503],
      ['http-5xx', 503],
    ])
    expect(new Set(report.attempts.map((a) => a.envelopeId))).toEqual(new Set([event.id]))
    // The retry delays come from the IDaaS policy (A8), in virtual time.
    expect(report.attempts[0]?.delayMs).toBe(IDAAS_POLICY.delaysMs[0])
    expect(report.attempts[1]?.delayMs).toBe(IDAAS_POLICY.delaysMs[1])
    expect(mock.requests.map((r) => [r.status, r.outcome, r.injected, r.eventId])).toEqual([
      [503, 'failed', true, event.id],
      [503, 'failed', true, event.id],
      [503, 'failed', true, event.id],
    ])
  })

  it('fails the share of valid deliveries the seeded draws pick, so retries recover some of them', async () => {
    const seed = 7
    const failRate = 0.5
    const mock = await mockWith({ failRate, status: 502, seed })
    const events = Array.from({ length: 6 }, (_, i) =>
      createEvent('grid.created', undefined, { seed: i }),
    )
    const reports = []
    for (const event of events)
      reports.push(await deliver(event, { url: mock.url, token: TEST_TOKEN }))

    // The same seed gives the same draws: one per valid request, in arrival order.
    const draws = createRandom(seed)
    const expected: number[][] = []
    for (let i = 0; i < events.length; i++) {
      const statuses: number[] = []
      for (let attempt = 1; attempt <= IDAAS_POLICY.maxAttempts; attempt++) {
        const status = draws.next() < failRate ? 502 : 204
        statuses.push(status)
        if (status === 204) break
      }
      expected.push(statuses)
    }
    expect(reports.map((r) => r.attempts.map((a) => a.status))).toEqual(expected)
    const flat = expected.flat()
    expect(flat).toContain(502)
    expect(flat).toContain(204)
    expect(reports.some((r) => r.ok && r.attempts.length > 1)).toBe(true)
    expect(mock.summary().outcomes).toMatchObject({
      accepted: flat.filter((s) => s === 204).length,
      failed: flat.filter((s) => s === 502).length,
    })
  })

  it('never fails an invalid delivery with the injected status: it gets 422 and is not retried (A7)', async () => {
    const mock = await mockWith({ status: 503 })
    const event = createEvent('user.created', undefined, { seed: 2 }) as unknown as {
      id: string
      type: string
      data: Record<string, unknown>
    }
    event.data.subject = 7
    const report = await deliver(event, { url: mock.url, token: TEST_TOKEN })
    expect(report.attempts.map((a) => [a.outcome, a.status])).toEqual([['http-4xx', 422]])
    expect(report.attempts[0]?.responseBody).toContain('data.subject must be string')
  })
})
