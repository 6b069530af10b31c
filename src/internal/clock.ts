import { KitError } from '../errors.js'

// The real timer functions, taken when this module loads: fake timers installed later (vitest
// `vi.useFakeTimers()`, jest) do not reach the virtual and the real clock. The timer clock
// (`createTimerClock`) looks the globals up on every call instead, so fake timers drive it.
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout
const realSetImmediate = globalThis.setImmediate
const realDateNow = Date.now
const realPerformanceNow = performance.now.bind(performance)

/**
 * Where the delivery engine and the fake tenant take time from. Nothing in them reads
 * `Date.now()` or sets a timer directly. Implement it to plug in your own clock.
 */
export interface DeliveryClock {
  /** `virtual`, `real`, `timers`, or anything for your own clock. */
  readonly kind?: string
  /** The time in milliseconds since the epoch: attempt start times, `created`, expiry dates. */
  now(): number
  /** Resolves after `ms` of this clock's time (the wait between attempts); rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Calls `callback` after `ms` (an attempt's deadline). Returns a function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void
  /** Starts a stopwatch; the function it returns reads the milliseconds elapsed since. */
  stopwatch(): () => number
  /**
   * Runs `work`, one attempt in flight. A virtual clock never skips time while work is in
   * flight. Optional: clocks without it just run `work`.
   */
  track?<T>(work: () => Promise<T>): Promise<T>
}

/** A clock by name or a clock object: `'virtual'` (default) or `'real'`. */
export type ClockOption = 'virtual' | 'real' | DeliveryClock

/** Options of {@link createVirtualClock}. */
export interface VirtualClockOptions {
  /** The time the clock starts at: epoch milliseconds, a `Date` or an ISO string. @default the real time now */
  start?: number | Date | string
  /**
   * `real-time`: between skips, time runs at real speed, so an attempt that takes 2.5 s takes
   * 2.5 s of virtual time. `frozen`: time moves only when every delivery waits (and with
   * `advance`), so the same seed gives a bit-identical timeline whatever the receiver's speed.
   * @default 'real-time'
   */
  flow?: 'real-time' | 'frozen'
}

/** A clock whose waits cost no wall time. */
export interface VirtualClock extends DeliveryClock {
  readonly kind: 'virtual'
  /** Runs `work`, one attempt in flight: time never skips while work is in flight. */
  track<T>(work: () => Promise<T>): Promise<T>
  /** Moves time forward by `ms` at once and wakes every wait that is due. */
  advance(ms: number): void
  /** Moves time forward to `time`; throws a `KitError` for a time in the past. */
  set(time: number | Date | string): void
  /** How many waits are pending. */
  readonly pendingSleeps: number
}

interface Sleeper {
  wakeAt: number
  resolve: () => void
  cleanup: () => void
}

function toEpochMs(value: number | Date | string, option: string): number {
  const ms =
    typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Date.parse(value)
  if (!Number.isFinite(ms)) {
    throw new KitError(
      `Invalid option "${option}": expected epoch milliseconds, a Date or an ISO 8601 string, got ${JSON.stringify(String(value))}.`,
    )
  }
  return ms
}

/**
 * The longest wait a timer can take: 2^31 − 1 ms (about 24.8 days). Node's `setTimeout` fires
 * after 1 ms for anything longer. @internal
 */
export const MAX_TIMER_MS = 2_147_483_647

/** `ms` if it is a finite number of milliseconds from 0 to `max`; a `KitError` otherwise. */
function checkMs(ms: number, what: string, max = Number.MAX_VALUE): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > max) {
    const expected =
      max === Number.MAX_VALUE
        ? 'a finite number of milliseconds (at least 0)'
        : `milliseconds from 0 to ${max}`
    throw new KitError(`Invalid argument "${what}": expected ${expected}, got ${String(ms)}.`)
  }
  return ms
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError')
}

/**
 * Creates a virtual clock (the default clock): when every delivery is waiting between attempts,
 * time skips to the next wake-up at once, so a full retry sequence costs no wall time. Attempts
 * themselves run for real: their deadline is a real timer, so a slow receiver still times out.
 * @example
 * const clock = createVirtualClock({ start: '2026-01-01T00:00:00Z' })
 * const tenant = createIdaasTenant({ clock })
 * clock.advance(24 * 60 * 60 * 1000) // one day later: webhooks with `expiry: 1` have expired
 */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const flow = options.flow ?? 'real-time'
  if (flow !== 'real-time' && flow !== 'frozen') {
    throw new KitError(
      `Invalid option "flow": expected "real-time" or "frozen", got ${JSON.stringify(String(flow))}.`,
    )
  }
  const frozen = flow === 'frozen'
  let base = options.start === undefined ? realDateNow() : toEpochMs(options.start, 'start')
  let realAnchor = realPerformanceNow()
  let active = 0
  let sleepers: Sleeper[] = []
  let scheduled = false
  let wakeTimer: ReturnType<typeof setTimeout> | undefined

  const exactNow = (): number => (frozen ? base : base + (realPerformanceNow() - realAnchor))
  const jumpTo = (time: number): void => {
    base = time
    realAnchor = realPerformanceNow()
  }
  const wakeDue = (): void => {
    const now = exactNow()
    while (sleepers.length > 0 && (sleepers[0] as Sleeper).wakeAt <= now) {
      const sleeper = sleepers.shift() as Sleeper
      sleeper.cleanup()
      sleeper.resolve()
    }
  }
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    realSetImmediate(run)
  }
  // Runs after the microtasks of the current turn, so a delivery woken by the previous run has
  // already started its next attempt (and called `track`) before the clock decides to skip.
  function run(): void {
    scheduled = false
    if (wakeTimer !== undefined) {
      realClearTimeout(wakeTimer)
      wakeTimer = undefined
    }
    wakeDue()
    const first = sleepers[0]
    if (first === undefined) return
    if (active > 0) {
      // Attempts in flight: never skip. With real-time flow, wake the sleeper when its time comes.
      if (!frozen) {
        const waitMs = Math.min(MAX_TIMER_MS, Math.max(0, first.wakeAt - exactNow()))
        wakeTimer = realSetTimeout(schedule, waitMs)
      }
      return
    }
    if (first.wakeAt > exactNow()) jumpTo(first.wakeAt)
    wakeDue()
    if (sleepers.length > 0) schedule()
  }

  return {
    kind: 'virtual',
    now: () => Math.floor(exactNow()),
    sleep(ms, signal) {
      checkMs(ms, 'ms')
      if (signal?.aborted) return Promise.reject(abortReason(signal))
      return new Promise<void>((resolve, reject) => {
        const sleeper: Sleeper = {
          wakeAt: exactNow() + ms,
          resolve,
          cleanup: () => {},
        }
        if (signal) {
          const onAbort = () => {
            sleepers = sleepers.filter((s) => s !== sleeper)
            reject(abortReason(signal))
          }
          signal.addEventListener('abort', onAbort, { once: true })
          sleeper.cleanup = () => signal.removeEventListener('abort', onAbort)
        }
        let index = sleepers.length
        while (index > 0 && (sleepers[index - 1] as Sleeper).wakeAt > sleeper.wakeAt) index--
        sleepers.splice(index, 0, sleeper)
        schedule()
      })
    },
    setTimer(callback, ms) {
      const handle = realSetTimeout(callback, checkMs(ms, 'ms', MAX_TIMER_MS))
      return () => realClearTimeout(handle)
    },
    stopwatch() {
      const start = realPerformanceNow()
      return () => realPerformanceNow() - start
    },
    async track(work) {
      active++
      try {
        return await work()
      } finally {
        active--
        if (active === 0 && sleepers.length > 0) schedule()
      }
    },
    advance(ms) {
      jumpTo(exactNow() + checkMs(ms, 'ms'))
      wakeDue()
      if (sleepers.length > 0) schedule()
    },
    set(time) {
      const target = toEpochMs(time, 'time')
      if (target < exactNow()) {
        throw new KitError(
          `Failed to set the virtual clock: ${new Date(target).toISOString()} is before its current time ${new Date(Math.floor(exactNow())).toISOString()}. Virtual time only moves forward.`,
        )
      }
      jumpTo(target)
      wakeDue()
      if (sleepers.length > 0) schedule()
    },
    get pendingSleeps() {
      return sleepers.length
    },
  }
}

/**
 * Creates a clock that waits for real, with the timer functions as they were when the kit
 * loaded, so fake timers do not reach it. For end-to-end runs: a retry sequence takes ~6 s.
 */
export function createRealClock(): DeliveryClock {
  return {
    kind: 'real',
    now: () => realDateNow(),
    sleep(ms, signal) {
      checkMs(ms, 'ms', MAX_TIMER_MS)
      return timerSleep(ms, signal, realSetTimeout, realClearTimeout)
    },
    setTimer(callback, ms) {
      const handle = realSetTimeout(callback, checkMs(ms, 'ms', MAX_TIMER_MS))
      return () => realClearTimeout(handle)
    },
    stopwatch() {
      const start = realPerformanceNow()
      return () => realPerformanceNow() - start
    },
  }
}

/** Options of {@link createTimerClock}: each function defaults to the global one, looked up on every call. */
export interface TimerClockOptions {
  /** The time in epoch milliseconds. @default () => Date.now() */
  now?: () => number
  /** @default (callback, ms) => globalThis.setTimeout(callback, ms) */
  setTimeout?: (callback: () => void, ms: number) => unknown
  /** @default (handle) => globalThis.clearTimeout(handle) */
  clearTimeout?: (handle: unknown) => void
}

/**
 * Creates a clock backed by the global timer functions, looked up on every call, so your fake
 * timers (vitest `vi.useFakeTimers()`, jest, @sinonjs/fake-timers) drive waits, deadlines and
 * `now()`. Advance them yourself, e.g. `await vi.advanceTimersByTimeAsync(7000)`.
 * @example
 * vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
 * const tenant = createIdaasTenant({ clock: createTimerClock() })
 * const reports = tenant.emit(event)
 * await vi.advanceTimersByTimeAsync(10_000)
 * await reports
 */
export function createTimerClock(options: TimerClockOptions = {}): DeliveryClock {
  const now = options.now ?? (() => Date.now())
  const set =
    options.setTimeout ??
    ((callback: () => void, ms: number) => globalThis.setTimeout(callback, ms))
  const clear =
    options.clearTimeout ??
    ((handle: unknown) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>))
  return {
    kind: 'timers',
    now: () => now(),
    sleep(ms, signal) {
      checkMs(ms, 'ms', MAX_TIMER_MS)
      return timerSleep(ms, signal, set, clear)
    },
    setTimer(callback, ms) {
      const handle = set(callback, checkMs(ms, 'ms', MAX_TIMER_MS))
      return () => clear(handle)
    },
    stopwatch() {
      const start = now()
      return () => now() - start
    },
  }
}

function timerSleep<H>(
  ms: number,
  signal: AbortSignal | undefined,
  set: (callback: () => void, ms: number) => H,
  clear: (handle: H) => void,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal))
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clear(handle)
      reject(abortReason(signal as AbortSignal))
    }
    const handle = set(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** The clock for an option: `'virtual'` (or nothing) makes a new virtual clock. */
export function resolveClock(option: ClockOption | undefined): DeliveryClock {
  if (option === undefined || option === 'virtual') return createVirtualClock()
  if (option === 'real') return createRealClock()
  if (
    option === null ||
    typeof option !== 'object' ||
    typeof option.now !== 'function' ||
    typeof option.sleep !== 'function' ||
    typeof option.setTimer !== 'function' ||
    typeof option.stopwatch !== 'function'
  ) {
    throw new KitError(
      'Invalid option "clock": expected "virtual", "real" or an object with now, sleep, setTimer and stopwatch. Did you mean createTimerClock()?',
    )
  }
  return option
}
