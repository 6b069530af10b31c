// Shared helpers for the delivery, tenant and MSW tests: scripted in-process receivers and
// clocks whose deadline fires fast. Not a test file (vitest only runs *.test.ts).
import type { DeliveryClock, FetchLike, VirtualClock } from '../../src/index.js'
import { createEvent, createVirtualClock } from '../../src/testing.js'

/** What a scripted receiver does for one request. */
export type Step = number | 'network' | 'timeout' | { status: number; location?: string }

export interface Received {
  url: string
  method: string
  headers: Headers
  body: string
  /** The tenant/engine clock when the request arrived (if a clock was given). */
  at?: number
}

/**
 * A fetch that answers from a script, one step per request (the last step repeats), and records
 * every request. `network` rejects like undici does; `timeout` never answers until aborted.
 */
export function scriptedFetch(
  steps: readonly Step[],
  clock?: DeliveryClock,
): FetchLike & {
  received: Received[]
} {
  const received: Received[] = []
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    const entry: Received = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: await request.text(),
    }
    if (clock) entry.at = clock.now()
    received.push(entry)
    const step = steps[Math.min(received.length - 1, steps.length - 1)] ?? 204
    if (step === 'network') {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
          code: 'ECONNREFUSED',
        }),
      })
    }
    if (step === 'timeout') {
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
    }
    const { status, location } =
      typeof step === 'number' ? { status: step, location: undefined } : step
    const headers = location ? { location } : undefined
    return new Response([204, 205, 304].includes(status) ? null : `status ${status}`, {
      status,
      ...(headers ? { headers } : {}),
    })
  }
  return Object.assign(fetch, { received })
}

/**
 * A frozen virtual clock whose deadline timer fires after `deadlineRealMs` real milliseconds
 * whatever the policy says, so `timeout` steps cost almost no wall time. Time values stay
 * deterministic because the clock is frozen during attempts.
 */
export function fastDeadlineClock(
  start = Date.parse('2026-03-16T17:33:05Z'),
  deadlineRealMs = 5,
): VirtualClock {
  const clock = createVirtualClock({ start, flow: 'frozen' })
  return Object.assign(Object.create(clock) as VirtualClock, {
    setTimer: (callback: () => void) => clock.setTimer(callback, deadlineRealMs),
  })
}

/** A valid `user.created` event with a fixed seed. */
export function userCreated(seed = 1) {
  return createEvent('user.created', undefined, { seed })
}

/** The `created` parameter of a `Signature-Input` header. */
export function createdOf(signatureInput: string | null): number | undefined {
  const match = /;created=(\d+)/.exec(signatureInput ?? '')
  return match ? Number(match[1]) : undefined
}
