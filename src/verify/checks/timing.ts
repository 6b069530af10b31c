import { emitBurst } from '../../delivery/scenarios.js'
import { createRealClock } from '../../internal/clock.js'
import { listCases, plural, type VerifyCheck } from '../check.js'
import { round, timings } from '../evidence.js'
import type { VerifyEvidence } from '../types.js'
import { EVENT_TYPES, retryWarnings } from './acceptance.js'

const SLOWEST_LISTED = 5

/**
 * `responds-in-time`: every attempt of the valid deliveries sent one at a time (the probe, the 25
 * event types, the tricky bodies, the unknown types and fields, the redelivery) was answered
 * within the deadline; a warning above `slowMs`. The burst is measured by `handles-burst`.
 */
export const respondsInTime: VerifyCheck = {
  id: 'responds-in-time',
  async run(context) {
    const { timeoutMs, slowMs } = context.options
    // With --only responds-in-time, the 25 event types are the sample (sent once per run).
    await context.everyEventType(EVENT_TYPES)
    const timed = context.attempts.filter((a) => a.timed)
    const stats = timings(timed.map((a) => a.durationMs))
    const toEvidence = (a: (typeof timed)[number]): VerifyEvidence => {
      const evidence: VerifyEvidence = {
        case: a.case,
        outcome: a.outcome,
        durationMs: round(a.durationMs),
      }
      if (a.status !== undefined) evidence.status = a.status
      return evidence
    }
    const late = timed.filter((a) => a.outcome === 'timeout' || a.durationMs > timeoutMs)
    const slow = timed.filter((a) => !late.includes(a) && a.durationMs > slowMs)
    const slowest = [...timed]
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, SLOWEST_LISTED)
      .map(toEvidence)
    const figures = `p50 ${stats.p50} ms, p95 ${stats.p95} ms, max ${stats.max} ms over ${plural(stats.count, 'attempt')}`
    const details = { timings: stats, deadlineMs: timeoutMs, slowMs, slowest }
    const warnings =
      slow.length > 0
        ? [
            `${plural(slow.length, 'answer')} took more than ${slowMs} ms (${listCases(slow.map(toEvidence))}): close to IDaaS's ${timeoutMs} ms deadline under load.`,
          ]
        : []
    if (late.length === 0) {
      return {
        ok: true,
        message: `${figures}, all within ${timeoutMs} ms.`,
        warnings,
        details,
      }
    }
    const failures = late.map(toEvidence)
    return {
      ok: false,
      message: `${late.length} of ${plural(stats.count, 'attempt')} got no complete answer within ${timeoutMs} ms: ${listCases(failures)}; ${figures}. Answer 2xx first and do slow work afterwards (a queue).`,
      failures,
      warnings,
      details,
    }
  },
}

/** `handles-burst`: N concurrent deliveries all get a 2xx, p95 within the deadline. */
export const handlesBurst: VerifyCheck = {
  id: 'handles-burst',
  async run(context) {
    const { burst, timeoutMs } = context.options
    const events = Array.from({ length: burst }, (_, index) =>
      context.event(EVENT_TYPES[index % EVENT_TYPES.length] ?? 'user.created', 10_000 + index),
    )
    const elapsed = createRealClock().stopwatch()
    const outcomes = await emitBurst(
      {
        emit: (event) =>
          context.deliverEvent(event, 'handles-burst', event.type, { concurrent: true }),
      },
      events,
    )
    const wallMs = round(elapsed())
    const durations = outcomes.flatMap((o) => o.report?.attempts.map((a) => a.durationMs) ?? [])
    const stats = timings(durations)
    const failed = outcomes.filter((o) => !o.delivered)
    const failures = failed.map((o) => o.evidence)
    const warnings = retryWarnings(outcomes.map((o) => ({ name: o.evidence.case, outcome: o })))
    const byOutcome = new Map<string, number>()
    for (const failure of failures) {
      const key = failure.status === undefined ? failure.outcome : String(failure.status)
      byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1)
    }
    const figures = `p50 ${stats.p50} ms, p95 ${stats.p95} ms, max ${stats.max} ms`
    const details = {
      concurrent: burst,
      delivered: burst - failed.length,
      wallMs,
      timings: stats,
      deadlineMs: timeoutMs,
    }
    const p95Ok = stats.p95 <= timeoutMs
    if (failed.length === 0 && p95Ok) {
      return {
        ok: true,
        message: `All ${burst} concurrent deliveries got a 2xx in ${wallMs} ms; ${figures}.`,
        warnings,
        details,
      }
    }
    const counts = [...byOutcome].map(([key, count]) => `${key} ×${count}`).join(', ')
    const what =
      failed.length > 0
        ? `${failed.length} of ${burst} concurrent deliveries did not get a 2xx (${counts})`
        : `p95 ${stats.p95} ms is above the ${timeoutMs} ms deadline`
    return {
      ok: false,
      message: `${what}; ${figures}. Accept deliveries concurrently and queue the work.`,
      failures: failures.slice(0, 10),
      warnings: warnings.slice(0, 10),
      details,
    }
  },
}
