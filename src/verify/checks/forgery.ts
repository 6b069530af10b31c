import { toBytes } from '../../signing/bytes.js'
import { deriveHmacKey } from '../../signing/key.js'
import {
  createNegativeVectors,
  type NegativeVector,
  type NegativeVectorId,
} from '../../signing/negative-vectors.js'
import { createSignedDelivery, type SignedDelivery } from '../../signing/signed-delivery.js'
import { createXSha2Signature, X_SHA2_HEADER } from '../../signing/x-sha2.js'
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
  const { token, keyEncoding, signUrl, schemes } = context.options
  const event = context.event('user.created', offset)
  const base = createSignedDelivery({
    url: signUrl,
    body: JSON.stringify(event),
    token,
    created: Math.floor(Date.now() / 1000),
    ...(keyEncoding === undefined ? {} : { keyEncoding }),
    schemes,
  })
  const vectors = createNegativeVectors(base, {
    token,
    ...(keyEncoding === undefined ? {} : { keyEncoding }),
  })
  return { base, vectors }
}

/** The tenant sends only the older `x-sha2-signature` header (A17). */
function olderOnly(context: VerifyContext): boolean {
  return !context.options.schemes.includes('rfc9421')
}

/** The tenant sends both schemes: a right `x-sha2-signature` must not rescue a wrong RFC 9421 one. */
function both(context: VerifyContext): boolean {
  return context.options.schemes.includes('rfc9421') && context.options.schemes.includes('x-sha2')
}

/** A token no IDaaS webhook has. */
const WRONG_TOKEN = 'whsec_not-the-webhook-token-0000000000000000'

type OlderForgeryId =
  | 'x-sha2-missing'
  | 'x-sha2-empty'
  | 'x-sha2-wrong-token'
  | 'x-sha2-truncated'
  | 'x-sha2-not-hex'
  | 'x-sha2-body-changed'

/**
 * Forgeries in the older scheme (A17): a correct `x-sha2-signature` delivery of a fresh event,
 * then the same with the header missing, empty, computed with another token, cut short, not hex,
 * or kept while the body changed.
 */
function olderForgeries(context: VerifyContext, offset: number): Map<OlderForgeryId, Forgery> {
  const { token, keyEncoding, signUrl } = context.options
  const body = JSON.stringify(context.event('user.created', offset))
  const base = createSignedDelivery({
    url: signUrl,
    body,
    token,
    ...(keyEncoding === undefined ? {} : { keyEncoding }),
    schemes: ['x-sha2'],
  })
  const right = base.headers[X_SHA2_HEADER] ?? ''
  const contentType = { 'Content-Type': base.headers['Content-Type'] }
  const withValue = (value: string): SignedDelivery => ({
    ...base,
    headers: { ...contentType, [X_SHA2_HEADER]: value },
  })
  const wrong = createXSha2Signature(deriveHmacKey(WRONG_TOKEN), toBytes(body))
  const tampered = body.replace('{', '{"tampered":true,')
  const list: Array<[OlderForgeryId, string, SignedDelivery]> = [
    [
      'x-sha2-missing',
      'No x-sha2-signature header: a plain JSON POST.',
      { ...base, headers: contentType },
    ],
    ['x-sha2-empty', 'An empty x-sha2-signature header.', withValue('')],
    ['x-sha2-wrong-token', 'x-sha2-signature computed with another token.', withValue(wrong)],
    [
      'x-sha2-truncated',
      'x-sha2-signature cut to 63 of its 64 hex digits.',
      withValue(right.slice(0, 63)),
    ],
    [
      'x-sha2-not-hex',
      'x-sha2-signature with its first digit replaced by "z".',
      withValue(`z${right.slice(1)}`),
    ],
    [
      'x-sha2-body-changed',
      'Body changed after signing; x-sha2-signature is the original one.',
      { ...withValue(right), body: tampered },
    ],
  ]
  return new Map(list.map(([id, description, delivery]) => [id, { id, description, delivery }]))
}

function pickOlder(
  forged: Map<OlderForgeryId, Forgery>,
  ids: readonly OlderForgeryId[],
): Forgery[] {
  return ids.map((id) => forged.get(id) as Forgery)
}

/** Without any signature: in both-schemes mode the older header goes too. */
function withoutOlder(forgery: Forgery): Forgery {
  const headers = Object.fromEntries(
    Object.entries(forgery.delivery.headers).filter(
      ([name]) => name.toLowerCase() !== X_SHA2_HEADER,
    ),
  )
  return {
    ...forgery,
    description: `${forgery.description} No x-sha2-signature either.`,
    delivery: { ...forgery.delivery, headers },
  }
}

/** In both-schemes mode: forged RFC 9421 signatures keep a right `x-sha2-signature` beside them. */
function besideRightOlder(forgery: Forgery): Forgery {
  return {
    ...forgery,
    description: `${forgery.description} A right x-sha2-signature is kept beside it: it must not rescue the delivery.`,
  }
}

/** What the older header cannot be tested for, in the details of a check that ran anyway. */
const OLDER_UNTESTABLE =
  'x-sha2-signature covers only the body: a signature bound to the URL (@target-uri) or the method cannot be tested (A17)'

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
    if (olderOnly(context)) {
      return expectRejected(
        context,
        'rejects-missing-signature',
        ['delivery without a signature', 'deliveries without a signature'],
        pickOlder(olderForgeries(context, 4000), ['x-sha2-missing', 'x-sha2-empty']),
        'Require x-sha2-signature, and answer 401 when it is missing or empty.',
      )
    }
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
      [
        ...pick(vectors, ['no-signature-headers', 'no-content-digest']).map((forgery) =>
          both(context) ? withoutOlder(forgery) : forgery,
        ),
        unsigned,
      ],
      'Require Content-Digest, Signature-Input and Signature, and answer 401 when one is missing.',
    )
  },
}

/** `rejects-wrong-token`: signatures that do not verify with the webhook token. */
export const rejectsWrongToken: VerifyCheck = {
  id: 'rejects-wrong-token',
  async run(context) {
    if (olderOnly(context)) {
      const outcome = await expectRejected(
        context,
        'rejects-wrong-token',
        ['delivery with a wrong signature', 'deliveries with a wrong signature'],
        pickOlder(olderForgeries(context, 4100), [
          'x-sha2-wrong-token',
          'x-sha2-truncated',
          'x-sha2-not-hex',
        ]),
        'Compare x-sha2-signature with the hex HMAC-SHA256 of the raw body (keyed with the webhook token), in constant time, and answer 401 when it does not match.',
      )
      return { ...outcome, details: { ...outcome.details, notTested: OLDER_UNTESTABLE } }
    }
    const { base, vectors } = forgeries(context, 4100)
    const sent = pick(vectors, [
      'wrong-token',
      'label-not-sig',
      'alg-not-hmac-sha256',
      'wrong-target-uri',
      'malformed-signature-input',
    ])
    if (both(context)) {
      const wrongOlder = createXSha2Signature(deriveHmacKey(WRONG_TOKEN), toBytes(base.body))
      sent.splice(0, sent.length, ...sent.map(besideRightOlder), {
        id: 'x-sha2-wrong-beside-valid-rfc9421',
        description:
          'A valid RFC 9421 signature beside an x-sha2-signature computed with another token: every signature carried must verify.',
        delivery: { ...base, headers: { ...base.headers, [X_SHA2_HEADER]: wrongOlder } },
      })
    }
    return expectRejected(
      context,
      'rejects-wrong-token',
      ['delivery with a wrong signature', 'deliveries with a wrong signature'],
      sent,
      both(context)
        ? 'Verify every signature a delivery carries: the "sig" signature (hmac-sha256 over @method, @target-uri and content-digest) and x-sha2-signature, and answer 401 when one does not match; the older header binds neither URL nor method.'
        : 'Verify the "sig" signature (hmac-sha256 with the webhook token over @method, @target-uri and content-digest) and answer 401 when it does not match.',
    )
  },
}

/** `rejects-tampered-body`: the body changed after signing, or its digest cannot be trusted. */
export const rejectsTamperedBody: VerifyCheck = {
  id: 'rejects-tampered-body',
  run(context) {
    if (olderOnly(context)) {
      return expectRejected(
        context,
        'rejects-tampered-body',
        ['delivery with a tampered body', 'deliveries with a tampered body'],
        pickOlder(olderForgeries(context, 4200), ['x-sha2-body-changed']),
        'Compute the HMAC over the raw bytes received, never over re-serialized JSON, and answer 401 when it does not match.',
      )
    }
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
  async run(context) {
    if (olderOnly(context)) {
      const reason =
        'x-sha2-signature has no "created": freshness (A4) cannot be checked with the older header alone'
      return { ok: true, skipped: reason, message: `Not run: ${reason}.` }
    }
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
