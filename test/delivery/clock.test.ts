import { afterEach, describe, expect, it, vi } from 'vitest'
import { isKitError } from '../../src/index.js'
import {
  createInProcessFetch,
  createRealClock,
  createTimerClock,
  createVirtualClock,
  deliver,
  IDAAS_POLICY,
} from '../../src/testing.js'
import { userCreated } from './support.js'

const START = Date.parse('2026-01-01T00:00:00Z')
const target = { url: 'https://app.test/hooks', token: 'whsec_clock' }

/** A receiver that answers `status` after `ms` of the global (possibly fake) setTimeout, or gives up when the request is aborted. */
function slowReceiver(ms: number, status = 204) {
  return (request: Request) =>
    new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => resolve(new Response(null, { status })), ms)
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(request.signal.reason)
      })
    })
}

describe('createVirtualClock', () => {
  it('skips a wait at once and moves its time by exactly the wait', async () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const wall = performance.now()
    await clock.sleep(60 * 60 * 1000)
    expect(clock.now()).toBe(START + 3_600_000)
    expect(performance.now() - wall).toBeLessThan(200)
  })

  it('shares time between concurrent waits: 1 s and 3 s waits end at +3 s, not +4 s', async () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const woke: Array<[string, number]> = []
    await Promise.all([
      clock.sleep(3000).then(() => woke.push(['long', clock.now()])),
      clock.sleep(1000).then(() => woke.push(['short', clock.now()])),
    ])
    expect(woke).toEqual([
      ['short', START + 1000],
      ['long', START + 3000],
    ])
  })

  it('never skips time while an attempt is in flight (frozen flow)', async () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const events: string[] = []
    let release = () => {}
    const work = clock.track(
      () =>
        new Promise<void>((resolve) => {
          release = () => {
            events.push('work done')
            resolve()
          }
        }),
    )
    const sleeper = clock.sleep(5000).then(() => events.push(`woke at +${clock.now() - START}`))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(events).toEqual([])
    expect(clock.pendingSleeps).toBe(1)
    release()
    await Promise.all([work, sleeper])
    expect(events).toEqual(['work done', 'woke at +5000'])
  })

  it('lets real time run during an attempt with real-time flow', async () => {
    const clock = createVirtualClock({ start: START })
    await clock.track(() => new Promise((resolve) => setTimeout(resolve, 60)))
    expect(clock.now() - START).toBeGreaterThanOrEqual(55)
    expect(clock.now() - START).toBeLessThan(1000)
  })

  it('wakes due waits on advance() and refuses to go back in time', async () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const sleeping = clock.sleep(86_400_000)
    clock.advance(86_400_000)
    await sleeping
    expect(clock.now()).toBe(START + 86_400_000)
    clock.set('2026-01-03T00:00:00Z')
    expect(clock.now()).toBe(START + 2 * 86_400_000)
    expect(() => clock.set(START)).toThrow(
      '[idaas-webhook-kit] Failed to set the virtual clock: 2026-01-01T00:00:00.000Z is before its current time 2026-01-03T00:00:00.000Z. Virtual time only moves forward.',
    )
  })

  it('rejects a wait whose signal aborts, and forgets it', async () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const controller = new AbortController()
    let release = () => {}
    const work = clock.track(() => new Promise<void>((resolve) => (release = resolve)))
    const sleeping = clock.sleep(1000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    expect(clock.pendingSleeps).toBe(0)
    release()
    await work
  })

  it('leaves no timer or immediate behind after a delivery with retries and a timeout', async () => {
    const count = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length
    await new Promise((resolve) => setImmediate(resolve))
    const before = count()
    const clock = createVirtualClock({ start: START })
    await deliver(userCreated(), target, {
      clock,
      fetch: createInProcessFetch(() => new Response(null, { status: 503 })),
    })
    await deliver(userCreated(), target, {
      clock,
      policy: { ...IDAAS_POLICY, name: 'short', deadlineMs: 20 },
      fetch: createInProcessFetch(slowReceiver(1000)),
    })
    expect(clock.pendingSleeps).toBe(0)
    // At most as many as before: timers of the test runner itself may end meanwhile.
    expect(count()).toBeLessThanOrEqual(before)
  })

  it('rejects invalid options with a KitError naming the option', () => {
    expect(() => createVirtualClock({ start: 'yesterday' })).toThrow('Invalid option "start"')
    let error: unknown
    try {
      createVirtualClock({ flow: 'fast' as never })
    } catch (e) {
      error = e
    }
    expect(isKitError(error)).toBe(true)
  })

  it('refuses infinite waits, and timers longer than 2^31 - 1 ms, so now() stays a number', async () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(
      '[idaas-webhook-kit] Invalid argument "ms": expected a finite number of milliseconds (at least 0), got Infinity.',
    )
    expect(clock.now()).toBe(START)
    expect(() => clock.sleep(Number.POSITIVE_INFINITY)).toThrow('got Infinity')
    for (const timers of [clock, createRealClock(), createTimerClock()]) {
      expect(() => timers.setTimer(() => {}, 2 ** 31)).toThrow(
        '[idaas-webhook-kit] Invalid argument "ms": expected milliseconds from 0 to 2147483647, got 2147483648.',
      )
    }
    expect(() => createRealClock().sleep(2 ** 31)).toThrow('from 0 to 2147483647')
    clock.advance(2 ** 40)
    expect(clock.now()).toBe(START + 2 ** 40)
  })
})

describe('the deadline with fake timers', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('marks a receiver that answers after 3.2 s of fake time as a timeout, via createTimerClock', async () => {
    vi.useFakeTimers({ now: START })
    const report = deliver(userCreated(), target, {
      clock: createTimerClock(),
      fetch: createInProcessFetch(slowReceiver(3200)),
    })
    await vi.advanceTimersByTimeAsync(3200)
    const { attempts } = await report
    expect(attempts).toEqual([expect.objectContaining({ outcome: 'timeout', durationMs: 3000 })])
    expect(attempts[0]?.startedAt).toBe(START)
  })

  it('delivers to a receiver that answers after 2.5 s of fake time, via createTimerClock', async () => {
    vi.useFakeTimers({ now: START })
    const report = deliver(userCreated(), target, {
      clock: createTimerClock(),
      fetch: createInProcessFetch(slowReceiver(2500)),
    })
    await vi.advanceTimersByTimeAsync(2500)
    const { attempts, result } = await report
    expect(result).toBe('delivered')
    expect(attempts).toEqual([expect.objectContaining({ outcome: 'success', durationMs: 2500 })])
  })

  it('runs a whole 5xx retry sequence on fake timers: attempts at 0, ~2 s and ~6 s', async () => {
    vi.useFakeTimers({ now: START })
    const report = deliver(userCreated(), target, {
      clock: createTimerClock(),
      fetch: createInProcessFetch(() => new Response(null, { status: 503 })),
      seed: 5,
    })
    await vi.advanceTimersByTimeAsync(7000)
    const { attempts } = await report
    const offsets = attempts.map((a) => a.startedAt - START)
    expect(offsets[0]).toBe(0)
    expect(offsets[1]).toBe(2000 + (attempts[0]?.jitterMs ?? Number.NaN))
    expect(offsets[2]).toBe((offsets[1] ?? 0) + 4000 + (attempts[1]?.jitterMs ?? Number.NaN))
  })

  it('keeps the default virtual clock working while fake timers are installed', async () => {
    vi.useFakeTimers({ now: START })
    const { attempts } = await deliver(userCreated(), target, {
      fetch: createInProcessFetch(() => new Response(null, { status: 500 })),
    })
    expect(attempts).toHaveLength(3)
  })
})
