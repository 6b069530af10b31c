import { http } from 'msw'
import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createEvent,
  createInProcessFetch,
  createTimerClock,
  deliver,
  IDAAS_POLICY,
} from '../../src/testing.js'

const START = Date.parse('2026-01-01T00:00:00Z')
const target = { url: 'https://app.test/hooks', token: 'whsec_deadlines' }
const event = () => createEvent('user.created', {}, { seed: 7 })

/**
 * Bodies that never end and hand out every chunk on a microtask: nothing in them ever waits for
 * a timer or for I/O, which used to starve the deadline timer. Each variant differs in chunk
 * size, chunks per pull, status, and whether `pull` is async.
 */
const variants = [1, 1024, 64 * 1024].flatMap((size) =>
  [1, 16].flatMap((perPull) =>
    [200, 204, 503].flatMap((status) =>
      [false, true].map((asyncPull) => ({ size, perPull, status, asyncPull })),
    ),
  ),
)

function endlessBody(variant: (typeof variants)[number]): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(variant.size).fill(0x61)
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      for (let i = 0; i < variant.perPull; i++) controller.enqueue(chunk)
      return variant.asyncPull ? Promise.resolve() : undefined
    },
  })
}

const endlessReceiver = (variant: (typeof variants)[number]) => () =>
  // 204 cannot have a body in the Fetch API; the body rides on a 200 then.
  new Response(endlessBody(variant), { status: variant.status === 204 ? 200 : variant.status })

afterEach(() => {
  vi.useRealTimers()
})

describe('a receiver whose body never ends, on microtasks only', () => {
  it.each(variants)(
    'ends the attempt at the 3 s deadline of fake time, as a timeout: %o',
    async (variant) => {
      vi.useFakeTimers({ now: START, toFake: ['setTimeout', 'clearTimeout', 'Date'] })
      const report = deliver(event(), target, {
        clock: createTimerClock(),
        fetch: createInProcessFetch(endlessReceiver(variant)),
      })
      await vi.advanceTimersByTimeAsync(3000)
      const { attempts, result } = await report
      // A7: a timeout is not retried, so one attempt, whatever the status.
      expect(result).toBe('failed')
      expect(attempts).toEqual([expect.objectContaining({ outcome: 'timeout', durationMs: 3000 })])
    },
  )

  it('ends at a short real deadline with the default clock, and keeps only the evidence bytes', async () => {
    const started = performance.now()
    const { attempts } = await deliver(event(), target, {
      policy: { ...IDAAS_POLICY, deadlineMs: 150 },
      fetch: createInProcessFetch(
        endlessReceiver({ size: 64 * 1024, perPull: 1, status: 200, asyncPull: false }),
      ),
    })
    const elapsed = performance.now() - started
    expect(attempts).toEqual([expect.objectContaining({ outcome: 'timeout' })])
    // Bounded by the deadline, not by the body: well under the 10 s test timeout.
    expect(elapsed).toBeGreaterThanOrEqual(140)
  })

  // With the default node:http transport, MSW's own interceptor pumps the handler's body into a
  // mock socket in a loop of microtasks that nothing outside it can interrupt, so no timer can
  // fire; the fetch transport hands the body to the engine, whose reader yields to timers.
  it('ends an MSW handler that streams forever at the deadline with the fetch transport', async () => {
    const server = setupServer(
      http.post(target.url, () =>
        endlessReceiver({ size: 512, perPull: 4, status: 200, asyncPull: true })(),
      ),
    )
    server.listen({ onUnhandledRequest: 'error' })
    try {
      vi.useFakeTimers({ now: START, toFake: ['setTimeout', 'clearTimeout', 'Date'] })
      const report = deliver(event(), target, {
        clock: createTimerClock(),
        fetch: (input, init) => fetch(input, init),
      })
      await vi.advanceTimersByTimeAsync(3000)
      const { attempts } = await report
      expect(attempts).toEqual([expect.objectContaining({ outcome: 'timeout', durationMs: 3000 })])
    } finally {
      server.close()
    }
  })
})
