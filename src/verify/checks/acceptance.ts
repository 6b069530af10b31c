import type { IdaasEventType } from '../../../generated/types.js'
import { IDAAS_EVENT_TYPES } from '../../schema/event-types.js'
import { emitTwice } from '../../tenant/scenarios.js'
import { type CheckOutcome, listCases, plural, summary, type VerifyCheck } from '../check.js'
import type { DeliveryOutcome } from '../context.js'
import { describeEvidence } from '../evidence.js'
import { MAX_RESPONSE_BYTES } from '../transport.js'
import type { VerifyEvidence } from '../types.js'

/** The 25 event types Entrust names, in catalogue order (not the kit's own `webhook.test`). */
export const EVENT_TYPES: readonly IdaasEventType[] = IDAAS_EVENT_TYPES.filter(
  (info) => info.provenance !== 'assumption',
).map((info) => info.type)

/** A sentence for each delivery that got its 2xx only after a retry (a warning, not a failure). */
export function retryWarnings(
  deliveries: ReadonlyArray<{ name: string; outcome: DeliveryOutcome }>,
): string[] {
  const warnings: string[] = []
  for (const { name, outcome } of deliveries) {
    const attempts = outcome.report?.attempts ?? []
    if (!outcome.delivered || attempts.length < 2) continue
    const before = attempts
      .slice(0, -1)
      .map((a) => String(a.status ?? a.outcome))
      .join(', ')
    warnings.push(
      `"${name}" got a 2xx only on attempt ${attempts.length} (before: ${before}); IDaaS retries 5xx, but a failed delivery counts toward auto-disable (A9).`,
    )
  }
  return warnings
}

const HINT_401 =
  'Every delivery got 401: is the token the receiver verifies with the one given to verify, and behind a proxy or tunnel, is the public URL the one registered in IDaaS (A5)?'

/** `accepts-every-event-type`: a signed delivery of each of the 25 types gets a 2xx. */
export const acceptsEveryEventType: VerifyCheck = {
  id: 'accepts-every-event-type',
  async run(context) {
    const results = await context.everyEventType(EVENT_TYPES)
    const failures = results.filter((r) => !r.outcome.delivered).map((r) => r.outcome.evidence)
    const warnings = retryWarnings(results.map((r) => ({ name: r.type, outcome: r.outcome })))
    const truncated = context.options.transport.truncatedBodies
    if (truncated > 0) {
      warnings.push(
        `${plural(truncated, 'response')} had a body over ${MAX_RESPONSE_BYTES / 1024} KiB (read no further): IDaaS needs no body, answer 204 or a short one.`,
      )
    }
    const details = {
      sent: results.length,
      deliveries: results.map((r) => summary(r.outcome.evidence)),
    }
    const total = results.length
    if (failures.length === 0) {
      const retried = warnings.length > 0 ? `; ${plural(warnings.length, 'warning')}` : ''
      return {
        ok: true,
        message: `All ${total} event types got a 2xx${retried}.`,
        warnings,
        details,
      }
    }
    const all401 = failures.length === total && failures.every((f) => f.status === 401)
    return {
      ok: false,
      message: `${failures.length} of ${total} event types did not get a 2xx: ${listCases(failures)}.${all401 ? ` ${HINT_401}` : ''}`,
      failures,
      warnings,
      details,
    }
  },
}

/** `accepts-redelivery`: the same delivery (same envelope id) twice gets a 2xx both times. */
export const acceptsRedelivery: VerifyCheck = {
  id: 'accepts-redelivery',
  async run(context): Promise<CheckOutcome> {
    const event = context.event('password.updated', 2000)
    const names = [`${event.type} (first)`, `${event.type} (redelivered)`] as const
    let index = 0
    const [first, second] = await emitTwice(
      { emit: (e) => context.deliverEvent(e, 'accepts-redelivery', names[index++] ?? e.type) },
      event,
    )
    const deliveries: VerifyEvidence[] = [first.evidence, second.evidence]
    const failures = deliveries.filter((_, i) => ![first, second][i]?.delivered)
    const warnings = retryWarnings([
      { name: names[0], outcome: first },
      { name: names[1], outcome: second },
    ])
    const details = { envelopeId: event.id, deliveries: deliveries.map(summary) }
    if (failures.length === 0) {
      return {
        ok: true,
        message: `The same delivery (envelope id "${event.id}") got a 2xx both times.`,
        warnings,
        details,
      }
    }
    const hint = first.delivered
      ? ' Answer 2xx for an envelope id already seen, and skip the work (A6: retries reuse the id).'
      : ''
    return {
      ok: false,
      message: `The same delivery (envelope id "${event.id}") got ${describeEvidence(first.evidence)} first and ${describeEvidence(second.evidence)} when delivered again.${hint}`,
      failures,
      warnings,
      details,
    }
  },
}
