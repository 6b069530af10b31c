import type { IdaasEventType } from '../../../generated/types.js'
import { emitTwice } from '../../delivery/scenarios.js'
import { IDAAS_EVENT_TYPES } from '../../schema/event-types.js'
import { createSignedDelivery } from '../../signing/signed-delivery.js'
import { type CheckOutcome, listCases, plural, summary, type VerifyCheck } from '../check.js'
import type { DeliveryOutcome, VerifyContext } from '../context.js'
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

/**
 * What a receiver that checks only the older `x-sha2-signature` header means, and how to fix it
 * (A17; docs/idaas-webhooks.md §7.7 and §8.1).
 */
export const OLDER_HEADER_DIAGNOSIS =
  "The receiver checks only the older x-sha2-signature header (IDaaS's in-product help): the same delivery with an x-sha2-signature added was accepted. IDaaS's current profile signs with RFC 9421 (Content-Digest, Signature-Input, Signature), so every delivery would be rejected and IDaaS disables the webhook after 100 consecutive failures. Fix it with the kit's receiver helpers (createIdaasWebhookHandler, createIdaasNodeHandler, idaasExpressMiddleware, idaasFastifyPlugin) and schemes: ['rfc9421', 'x-sha2'] while migrating, or by hand: check Content-Digest against the raw body and the \"sig\" signature (hmac-sha256 over @method, @target-uri and content-digest), as https://docs.trustedauth.com/developer/webhook/webhook-signature-verification/ describes."

/**
 * Sends the first rejected event type again with an `x-sha2-signature` beside the RFC 9421
 * headers: a 2xx then means the receiver checks only the older header. Only when the tenant's
 * schemes do not include it already, and the rejections were 4xx answers.
 */
async function diagnoseOlderReceiver(
  context: VerifyContext,
  rejected: ReadonlyArray<{ type: IdaasEventType; index: number }>,
): Promise<{ evidence: VerifyEvidence } | undefined> {
  const { schemes, token, keyEncoding, signUrl } = context.options
  const first = rejected[0]
  if (schemes.includes('x-sha2') || !schemes.includes('rfc9421') || first === undefined) {
    return undefined
  }
  const delivery = createSignedDelivery({
    url: signUrl,
    body: JSON.stringify(context.event(first.type, 1000 + first.index)),
    token,
    ...(keyEncoding === undefined ? {} : { keyEncoding }),
    schemes: ['rfc9421', 'x-sha2'],
  })
  const sent = await context.sendOnce(
    delivery,
    'accepts-every-event-type',
    `${first.type} (x-sha2-signature added)`,
    { description: 'The same delivery with an x-sha2-signature added (A17).' },
  )
  return sent.outcome === 'success' ? { evidence: sent.evidence } : undefined
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
    const rejected = results
      .map((r, index) => ({ type: r.type, index, outcome: r.outcome }))
      .filter((r) => !r.outcome.delivered && r.outcome.evidence.outcome === 'http-4xx')
    const older =
      rejected.length === failures.length
        ? await diagnoseOlderReceiver(context, rejected)
        : undefined
    if (older !== undefined) {
      return {
        ok: false,
        message: `${failures.length} of ${total} event types did not get a 2xx: ${listCases(failures)}. The receiver checks only the older x-sha2-signature header, which IDaaS's current profile does not send (A17).`,
        failures,
        warnings,
        details: {
          ...details,
          diagnosis: OLDER_HEADER_DIAGNOSIS,
          diagnosticDelivery: summary(older.evidence),
        },
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
