import { createTrickyBodies, TRICKY_BODY_EVENT } from '../../signing/tricky-bodies.js'
import { listCases, summary, type VerifyCheck } from '../check.js'
import type { DeliveryOutcome } from '../context.js'
import { retryWarnings } from './acceptance.js'

/**
 * `verifies-raw-body`: the byte-tricky valid bodies, each signed over its exact bytes, all get a
 * 2xx. They go through the delivery engine (policy, deadline, retries) with their bytes swapped in
 * and signed afresh for each attempt.
 */
export const verifiesRawBody: VerifyCheck = {
  id: 'verifies-raw-body',
  async run(context) {
    const outcomes: Array<{ name: string; outcome: DeliveryOutcome }> = []
    for (const [index, tricky] of createTrickyBodies().entries()) {
      // A fresh envelope id per body, so that a receiver refusing repeated ids fails
      // accepts-redelivery, not this check. Only the id's bytes change.
      const id = context.event('grid.created', 5000 + index).id
      const body = tricky.body.replace(TRICKY_BODY_EVENT.id, id)
      const outcome = await context.deliverEvent(
        { id, type: TRICKY_BODY_EVENT.type },
        'verifies-raw-body',
        tricky.id,
        {
          rawBody: body,
        },
      )
      outcome.evidence.description = tricky.description
      outcomes.push({ name: tricky.id, outcome })
    }
    const deliveries = outcomes.map((o) => o.outcome.evidence)
    const warnings = retryWarnings(outcomes)
    const failures = outcomes.filter((o) => !o.outcome.delivered).map((o) => o.outcome.evidence)
    const details = { sent: deliveries.length, deliveries: deliveries.map(summary) }
    if (failures.length === 0) {
      return {
        ok: true,
        message: `All ${deliveries.length} byte-tricky bodies got a 2xx: the signature is checked over the raw bytes.`,
        warnings,
        details,
      }
    }
    return {
      ok: false,
      message: `${failures.length} of ${deliveries.length} byte-tricky bodies did not get a 2xx: ${listCases(failures)}. Check Content-Digest and the signature over the bytes exactly as received, never over re-serialized JSON.`,
      failures,
      warnings,
      details,
    }
  },
}
