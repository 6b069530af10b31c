import {
  createNegativeVectors,
  type NegativeVector,
  type NegativeVectorId,
} from '../../signing/negative-vectors.js'
import { createSignedDelivery, type SignedDelivery } from '../../signing/signed-delivery.js'
import { type CheckOutcome, listCases, plural, summary, type VerifyCheck } from '../check.js'
import type { VerifyContext } from '../context.js'
import type { VerifyCheckId, VerifyEvidence } from '../types.js'

/** A forged delivery: a negative vector of the kit, or one built here. */
interface Forgery {
  id: string
  description: string
  delivery: SignedDelivery
}

/**
 * A correctly signed delivery of a fresh event (its own envelope id, so that a receiver which
 * answers 2xx to ids it has seen is not mistaken for one that accepts forgeries) and its
 * negative vectors, signed with `created` = now.
 */
function forgeries(
  context: VerifyContext,
  offset: number,
): { base: SignedDelivery; vectors: NegativeVector[] } {
  const { token, keyEncoding, signUrl } = context.options
  const event = context.event('user.created', offset)
  const base = createSignedDelivery({
    url: signUrl,
    body: JSON.stringify(event),
    token,
    created: Math.floor(Date.now() / 1000),
    ...(keyEncoding === undefined ? {} : { keyEncoding }),
  })
  const vectors = createNegativeVectors(base, {
    token,
    ...(keyEncoding === undefined ? {} : { keyEncoding }),
  })
  return { base, vectors }
}

function pick(vectors: readonly NegativeVector[], ids: readonly NegativeVectorId[]): Forgery[] {
  return ids.map((id) => {
    const vector = vectors.find((v) => v.id === id)
    if (vector === undefined) throw new Error(`negative vector "${id}" is missing`)
    return { id: vector.id, description: vector.description, delivery: vector.delivery }
  })
}

/** Sends each forgery once and passes when none got a 2xx. */
async function expectRejected(
  context: VerifyContext,
  check: VerifyCheckId,
  what: readonly [singular: string, plural: string],
  sent: readonly Forgery[],
  advice: string,
): Promise<CheckOutcome> {
  const deliveries: VerifyEvidence[] = []
  for (const forgery of sent) {
    const { evidence } = await context.sendOnce(forgery.delivery, check, forgery.id, {
      description: forgery.description,
    })
    deliveries.push(evidence)
  }
  const failures = deliveries.filter((d) => d.outcome === 'success' || d.outcome === 'not-sent')
  const unanswered = deliveries.filter((d) => ['timeout', 'network', 'tls'].includes(d.outcome))
  const warnings = unanswered.map(
    (d) =>
      `"${d.case}" got no HTTP answer (${d.outcome}): counted as refused, but answer 401 so that a sender can tell.`,
  )
  const details = { sent: deliveries.length, deliveries: deliveries.map(summary) }
  const count = plural(deliveries.length, what[0], what[1])
  if (failures.length === 0) {
    const statuses = [...new Set(deliveries.map((d) => d.status ?? d.outcome))].join(', ')
    return {
      ok: true,
      message:
        deliveries.length === 1
          ? `The ${what[0]} was refused (${statuses}).`
          : `All ${count} were refused (${statuses}).`,
      warnings,
      details,
    }
  }
  const accepted = failures.filter((f) => f.outcome === 'success')
  const message =
    accepted.length > 0
      ? `${accepted.length} of ${count} got a 2xx: ${listCases(accepted)}. ${advice}`
      : `${failures.length} of ${count} could not be sent: ${listCases(failures)}.`
  return { ok: false, message, failures, warnings, details }
}

/** `rejects-missing-signature`: no Signature/Signature-Input, no Content-Digest, or none at all. */
export const rejectsMissingSignature: VerifyCheck = {
  id: 'rejects-missing-signature',
  run(context) {
    const { base, vectors } = forgeries(context, 4000)
    const unsigned: Forgery = {
      id: 'unsigned',
      description: 'No Content-Digest, Signature-Input or Signature: a plain JSON POST.',
      delivery: {
        ...base,
        headers: { 'Content-Type': base.headers['Content-Type'] ?? 'application/json' },
      },
    }
    return expectRejected(
      context,
      'rejects-missing-signature',
      ['delivery without a signature', 'deliveries without a signature'],
      [...pick(vectors, ['no-signature-headers', 'no-content-digest']), unsigned],
      'Require Content-Digest, Signature-Input and Signature, and answer 401 when one is missing.',
    )
  },
}

/** `rejects-wrong-token`: signatures that do not verify with the webhook token. */
export const rejectsWrongToken: VerifyCheck = {
  id: 'rejects-wrong-token',
  run(context) {
    const { vectors } = forgeries(context, 4100)
    return expectRejected(
      context,
      'rejects-wrong-token',
      ['delivery with a wrong signature', 'deliveries with a wrong signature'],
      pick(vectors, [
        'wrong-token',
        'label-not-sig',
        'alg-not-hmac-sha256',
        'wrong-target-uri',
        'malformed-signature-input',
      ]),
      'Verify the "sig" signature (hmac-sha256 with the webhook token over @method, @target-uri and content-digest) and answer 401 when it does not match.',
    )
  },
}

/** `rejects-tampered-body`: the body changed after signing, or its digest cannot be trusted. */
export const rejectsTamperedBody: VerifyCheck = {
  id: 'rejects-tampered-body',
  run(context) {
    const { vectors } = forgeries(context, 4200)
    return expectRejected(
      context,
      'rejects-tampered-body',
      ['delivery with a tampered body', 'deliveries with a tampered body'],
      pick(vectors, [
        'body-changed-old-digest',
        'body-changed-fresh-digest',
        'content-digest-not-covered',
        'unsupported-digest-algorithm',
      ]),
      'Check Content-Digest against the raw bytes received and require content-digest among the signed components (RFC 9421 §7.2.8).',
    )
  },
}

/** `rejects-stale-signature` (warning): `created` one hour old (A4). */
export const rejectsStaleSignature: VerifyCheck = {
  id: 'rejects-stale-signature',
  run(context) {
    const { vectors } = forgeries(context, 4300)
    return expectRejected(
      context,
      'rejects-stale-signature',
      ['delivery signed an hour ago', 'deliveries signed an hour ago'],
      pick(vectors, ['created-one-hour-old']),
      'Reject a "created" older than a few minutes (the kit uses 300 s, A4), so a captured delivery cannot be replayed.',
    )
  },
}
