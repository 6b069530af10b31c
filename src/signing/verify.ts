import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  type BareItem,
  type Dictionary,
  type InnerList,
  isInnerList,
  parseDictionary,
  serializeItem,
} from 'structured-headers'
import { formatMessage, KitError } from '../errors.js'
import { type BodyInput, toBytes } from './bytes.js'
import { checkContentDigest } from './content-digest.js'
import { createFieldReader, type HeadersInput } from './headers.js'
import { deriveHmacKey, type HmacKey } from './key.js'
import {
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_MAX_SKEW_SECONDS,
  IDAAS_COVERED_COMPONENTS,
  IDAAS_SIGNATURE_ALGORITHM,
  IDAAS_SIGNATURE_LABEL,
  type KeyEncoding,
} from './profile.js'
import { createSignatureBase } from './signature-base.js'
import { type PublicUrlOption, resolveTargetUri } from './target-uri.js'

/** Why a delivery was rejected: stable, machine-readable, safe to log. */
export type VerifyFailureReason =
  | 'missing-header'
  | 'malformed-header'
  | 'digest-mismatch'
  | 'unsupported-digest'
  | 'signature-mismatch'
  | 'missing-component'
  | 'unsupported-algorithm'
  | 'expired'
  | 'not-yet-valid'
  | 'label-not-found'
  | 'invalid-json'

/** Every {@link VerifyFailureReason}, roughly in the order the verifier checks for them. */
export const VERIFY_FAILURE_REASONS: readonly VerifyFailureReason[] = [
  'missing-header',
  'malformed-header',
  'unsupported-digest',
  'digest-mismatch',
  'label-not-found',
  'missing-component',
  'unsupported-algorithm',
  'expired',
  'not-yet-valid',
  'signature-mismatch',
  'invalid-json',
]

/** Options of {@link verifyDelivery}. */
export interface VerifyDeliveryOptions {
  /** The webhook token, or several during a migration to a new webhook; any one may match (A1). */
  token: string | readonly string[]
  /** How the token becomes the HMAC key (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /**
   * The callback URL registered in IDaaS, used as `@target-uri` instead of the URL the request
   * arrived at (A5): set it behind a proxy, load balancer or tunnel. A function maps the received
   * URL to the registered one. @default the request URL
   */
  publicUrl?: PublicUrlOption
  /** Reject a `created` older than this many seconds; `false` turns the check off (A4). @default 300 */
  maxAgeSeconds?: number | false
  /**
   * Reject a `created` more than this many seconds in the future, and allow this much clock skew
   * on `expires`; `false` turns the check off (A4). @default 60
   */
  maxSkewSeconds?: number | false
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number
}

/** A captured request: the raw body exactly as received, never re-serialized JSON. */
export interface DeliveryInput {
  /** The request method, e.g. `POST`. */
  method: string
  /** The absolute URL the request arrived at (or any URL when `publicUrl` is set). */
  url: string | URL
  /** A Fetch `Headers`, a plain record or node's `IncomingHttpHeaders`. */
  headers: HeadersInput
  /** The raw body: bytes as received, or a string that is UTF-8 encoded. */
  body?: BodyInput | null | undefined
}

/** The verified signature's parameters, e.g. `nonce` for a replay cache. */
export interface VerifiedSignature {
  /** The label of the verified signature in `Signature-Input` and `Signature`: always `sig`. */
  label: string
  /** Unix seconds, when the signer sent `created`. */
  created?: number
  /** Unix seconds, when the signer sent `expires`. */
  expires?: number
  /** The `keyid` signature parameter, when the signer sent one (RFC 9421 §2.3). */
  keyid?: string
  /** The `nonce` signature parameter, when the signer sent one: a key for a replay cache. */
  nonce?: string
  /** The `tag` signature parameter, when the signer sent one (RFC 9421 §2.3). */
  tag?: string
}

/** A delivery whose digest and signature hold and whose body is JSON. */
export interface VerifyDeliverySuccess {
  ok: true
  /** The parsed JSON body. Not validated: use `validateEvent` for that. */
  event: unknown
  /** The raw body bytes the digest was checked against. */
  body: Uint8Array
  signature: VerifiedSignature
}

/** A rejected delivery. `message` never contains the token or a signature. */
export interface VerifyDeliveryFailure {
  ok: false
  reason: VerifyFailureReason
  message: string
  /** For `missing-header` and `missing-component`: the missing header names or components. */
  missing?: string[]
}

/** The result of {@link verifyDelivery}. */
export type VerifyDeliveryResult = VerifyDeliverySuccess | VerifyDeliveryFailure

/** A delivery with its body already read, for the synchronous verifier. @internal */
export interface RawDelivery {
  method: string
  url: string
  headers: HeadersInput
  body: Uint8Array
}

/**
 * Verifies an IDaaS delivery as Entrust describes it: `Content-Digest` against the raw body, then
 * the `sig` signature over `@method`, `@target-uri` and `content-digest`, then parses the JSON.
 * Resolves `{ ok: true, event }` or `{ ok: false, reason, message }`; throws a `KitError` only for
 * bad options or an unusable request (body already read, relative URL without `publicUrl`).
 * @example
 * const result = await verifyDelivery(request, { token: process.env.IDAAS_WEBHOOK_TOKEN })
 * if (!result.ok) return new Response(result.message, { status: 401 })
 * @see https://docs.trustedauth.com/developer/webhook/webhook-signature-verification/
 */
export async function verifyDelivery(
  request: Request | DeliveryInput,
  options: VerifyDeliveryOptions,
): Promise<VerifyDeliveryResult> {
  const verify = createDeliveryVerifier(options)
  if (isFetchRequest(request)) {
    if (request.bodyUsed) {
      throw new KitError(
        'Failed to verify signature: the request body was already read. Pass request.clone() before reading it.',
      )
    }
    const body = new Uint8Array(await request.arrayBuffer())
    return verify({ method: request.method, url: request.url, headers: request.headers, body })
  }
  return verify({
    method: request.method,
    url: String(request.url),
    headers: request.headers,
    body: toBytes(request.body),
  })
}

/**
 * Checks the options once and returns a synchronous verifier for deliveries whose body is read.
 * @internal
 */
export function createDeliveryVerifier(
  options: VerifyDeliveryOptions,
): (delivery: RawDelivery) => VerifyDeliveryResult {
  const tokens = typeof options.token === 'string' ? [options.token] : options.token
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new KitError('Failed to verify signature: option "token" must be a non-empty string.')
  }
  const keys = tokens.map((token) => deriveHmacKey(token, options.keyEncoding, 'verify signature'))
  const maxAge = checkWindow(options.maxAgeSeconds, DEFAULT_MAX_AGE_SECONDS, 'maxAgeSeconds')
  const maxSkew = checkWindow(options.maxSkewSeconds, DEFAULT_MAX_SKEW_SECONDS, 'maxSkewSeconds')
  const now = options.now ?? Date.now
  const { publicUrl } = options
  return (delivery) => verifyRawDelivery(delivery, { keys, maxAge, maxSkew, now, publicUrl })
}

interface ResolvedOptions {
  keys: HmacKey[]
  maxAge: number | false
  maxSkew: number | false
  now: () => number
  publicUrl: PublicUrlOption | undefined
}

const REQUIRED_HEADERS = [
  ['content-digest', 'Content-Digest'],
  ['signature-input', 'Signature-Input'],
  ['signature', 'Signature'],
] as const

const decoder = new TextDecoder('utf-8', { fatal: true })

function verifyRawDelivery(delivery: RawDelivery, options: ResolvedOptions): VerifyDeliveryResult {
  // 1. The three headers IDaaS always sends, per Entrust's signature verification page.
  const read = createFieldReader(delivery.headers)
  const values = REQUIRED_HEADERS.map(([name]) => read(name)?.trim() || undefined)
  const [contentDigest, signatureInput, signature] = values
  if (contentDigest === undefined || signatureInput === undefined || signature === undefined) {
    const missing = REQUIRED_HEADERS.filter((_, i) => values[i] === undefined).map(([, n]) => n)
    return fail('missing-header', `required headers missing: ${quoteAll(missing)}.`, missing)
  }

  // 2. Content-Digest against the raw bytes, separately from the signature (RFC 9421 §7.2.8; A2).
  const digestProblem = checkContentDigest(contentDigest, delivery.body)
  if (digestProblem?.problem === 'malformed') {
    return fail(
      'malformed-header',
      '"Content-Digest" is not a structured field dictionary of byte sequences (RFC 9530).',
    )
  }
  if (digestProblem?.problem === 'unsupported') {
    return fail(
      'unsupported-digest',
      `"Content-Digest" has no algorithm the kit can check (found ${quoteAll(digestProblem.algorithms)}); expected "sha-256" or "sha-512".`,
    )
  }
  if (digestProblem?.problem === 'mismatch') {
    return fail(
      'digest-mismatch',
      `Content-Digest (${digestProblem.algorithm}) does not match the body. Was the JSON parsed and re-serialized?`,
    )
  }

  // 3. Signature-Input and Signature are RFC 8941 dictionaries keyed by label.
  const inputs = parseField(signatureInput)
  if (inputs === undefined) {
    return fail(
      'malformed-header',
      '"Signature-Input" is not a structured field dictionary (RFC 8941).',
    )
  }
  const signatures = parseField(signature)
  if (signatures === undefined) {
    return fail('malformed-header', '"Signature" is not a structured field dictionary (RFC 8941).')
  }
  const label = IDAAS_SIGNATURE_LABEL
  const member = inputs.get(label)
  if (member === undefined) return labelNotFound('Signature-Input', inputs)
  const signatureMember = signatures.get(label)
  if (signatureMember === undefined) return labelNotFound('Signature', signatures)
  if (!isInnerList(member)) {
    return fail('malformed-header', `"Signature-Input" member "${label}" is not an inner list.`)
  }
  const received = signatureMember[0]
  if (!(received instanceof ArrayBuffer)) {
    return fail('malformed-header', `"Signature" member "${label}" is not a byte sequence.`)
  }

  // 4. The profile (A3): the three components, alg if present, integer timestamps.
  const profileProblem = checkProfile(member)
  if (profileProblem) return profileProblem
  const parameters = readParameters(member)
  if (!parameters.ok) return parameters.failure
  const { created, expires } = parameters.signature

  // 5. The replay window (A4).
  const nowSeconds = Math.floor(options.now() / 1000)
  if (created !== undefined && options.maxAge !== false && nowSeconds - created > options.maxAge) {
    return fail(
      'expired',
      `"created" ${created} is ${nowSeconds - created} s old; the limit is ${options.maxAge} s (option "maxAgeSeconds").`,
    )
  }
  if (
    created !== undefined &&
    options.maxSkew !== false &&
    created - nowSeconds > options.maxSkew
  ) {
    return fail(
      'not-yet-valid',
      `"created" ${created} is ${created - nowSeconds} s in the future; the limit is ${options.maxSkew} s (option "maxSkewSeconds"). Is the clock right?`,
    )
  }
  if (expires !== undefined && nowSeconds > expires + (options.maxSkew || 0)) {
    return fail('expired', `"expires" ${expires} passed ${nowSeconds - expires} s ago.`)
  }

  // 6. The signature base from this request (A5 for @target-uri), then HMAC-SHA256 with each key.
  const targetUri = resolveTargetUri(delivery.url, options.publicUrl)
  const base = createSignatureBase(member, { method: delivery.method, targetUri, field: read })
  if (typeof base !== 'string') {
    return base.problem === 'missing-field'
      ? fail(
          'missing-header',
          `header "${base.component}" is covered by the signature but missing.`,
          [base.component],
        )
      : fail(
          'malformed-header',
          `"Signature-Input" covers unsupported component "${base.component}".`,
        )
  }
  const matches = options.keys.some((key) => {
    const expected = createHmac('sha256', key).update(base).digest()
    // timingSafeEqual throws on different lengths; a length mismatch is simply a wrong signature.
    return (
      received.byteLength === expected.byteLength &&
      timingSafeEqual(new Uint8Array(received), expected)
    )
  })
  if (!matches) {
    return fail(
      'signature-mismatch',
      `signature "${label}" does not match the request (@method "${delivery.method}", @target-uri "${targetUri}"). Is the token right, and is option "publicUrl" the URL registered in IDaaS?`,
    )
  }

  // 7. Only now parse the JSON.
  let event: unknown
  try {
    event = JSON.parse(decoder.decode(delivery.body))
  } catch {
    return {
      ok: false,
      reason: 'invalid-json',
      message: formatMessage(
        'Failed to read delivery: the signature holds but the body is not valid UTF-8 JSON.',
      ),
    }
  }
  return { ok: true, event, body: delivery.body, signature: parameters.signature }
}

function checkProfile(member: InnerList): VerifyDeliveryFailure | undefined {
  const components: string[] = []
  for (const item of member[0]) {
    const name = item[0]
    const supported =
      typeof name === 'string' &&
      item[1].size === 0 &&
      (name === '@method' || name === '@target-uri' || !name.startsWith('@'))
    if (!supported) {
      return fail(
        'malformed-header',
        `"Signature-Input" covers unsupported component ${serializeItem(item)}; the IDaaS profile covers "@method", "@target-uri" and "content-digest".`,
      )
    }
    if (components.includes(name)) {
      return fail('malformed-header', `"Signature-Input" covers component "${name}" twice.`)
    }
    components.push(name)
  }
  const missing = IDAAS_COVERED_COMPONENTS.filter((name) => !components.includes(name))
  if (missing.length > 0) {
    return fail(
      'missing-component',
      `signature "${IDAAS_SIGNATURE_LABEL}" does not cover ${quoteAll(missing)}; IDaaS signs "@method", "@target-uri" and "content-digest".`,
      missing,
    )
  }
  const alg = member[1].get('alg')
  if (alg !== undefined && alg !== IDAAS_SIGNATURE_ALGORITHM) {
    return typeof alg === 'string'
      ? fail(
          'unsupported-algorithm',
          `signature "${IDAAS_SIGNATURE_LABEL}" has alg "${alg}"; only "${IDAAS_SIGNATURE_ALGORITHM}" is supported.`,
        )
      : fail('malformed-header', 'signature parameter "alg" is not a string.')
  }
  return undefined
}

type ParametersResult =
  | { ok: true; signature: VerifiedSignature }
  | { ok: false; failure: VerifyDeliveryFailure }

// structured-headers parses Integers and Decimals to the same JS number, so `created=1.0` cannot
// be told from `created=1` here. That is harmless: the canonical re-serialization in the
// signature base then differs from what the signer signed, and the signature does not match.
function readParameters(member: InnerList): ParametersResult {
  const signature: VerifiedSignature = { label: IDAAS_SIGNATURE_LABEL }
  for (const name of ['created', 'expires'] as const) {
    const value = member[1].get(name)
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      return {
        ok: false,
        failure: fail('malformed-header', `signature parameter "${name}" is not an integer.`),
      }
    }
    signature[name] = value
  }
  for (const name of ['keyid', 'nonce', 'tag'] as const) {
    const value: BareItem | undefined = member[1].get(name)
    if (typeof value === 'string') signature[name] = value
  }
  return { ok: true, signature }
}

function parseField(value: string): Dictionary | undefined {
  try {
    return parseDictionary(value)
  } catch {
    return undefined
  }
}

function labelNotFound(header: string, dictionary: Dictionary): VerifyDeliveryFailure {
  // Dictionary keys are restricted to lowercase letters, digits and "_-.*", so they are safe to show.
  const found = dictionary.size > 0 ? ` (found ${quoteAll([...dictionary.keys()])})` : ''
  return fail(
    'label-not-found',
    `"${header}" has no signature labelled "${IDAAS_SIGNATURE_LABEL}"${found}.`,
  )
}

function fail(
  reason: VerifyFailureReason,
  text: string,
  missing?: string[],
): VerifyDeliveryFailure {
  const message = formatMessage(`Failed to verify signature: ${text}`)
  return missing ? { ok: false, reason, message, missing } : { ok: false, reason, message }
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ')
}

function checkWindow(
  value: number | false | undefined,
  fallback: number,
  option: string,
): number | false {
  if (value === undefined) return fallback
  if (value === false || (typeof value === 'number' && Number.isFinite(value) && value >= 0))
    return value
  throw new KitError(
    `Failed to verify signature: option "${option}" must be a number of seconds or false, got "${String(value)}".`,
  )
}

function isFetchRequest(value: Request | DeliveryInput): value is Request {
  return (
    typeof (value as Request).arrayBuffer === 'function' &&
    typeof (value as Request).bodyUsed === 'boolean'
  )
}
