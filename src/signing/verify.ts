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
import { createFieldReader, type FieldReader, type HeadersInput } from './headers.js'
import { deriveHmacKey, type HmacKey } from './key.js'
import {
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_MAX_SKEW_SECONDS,
  IDAAS_COVERED_COMPONENTS,
  IDAAS_SIGNATURE_ALGORITHM,
  IDAAS_SIGNATURE_LABEL,
  type KeyEncoding,
} from './profile.js'
import { profileDifferences } from './profile-check.js'
import { isIntegerText, memberParameterText } from './raw-parameters.js'
import { createSignatureBase } from './signature-base.js'
import {
  DEFAULT_TARGET_URI_FORM,
  isTargetUriForm,
  type PublicUrlOption,
  resolveTargetUri,
  type TargetUriForm,
  urlForMessage,
} from './target-uri.js'
import {
  checkSchemes,
  checkXSha2Signature,
  type SignatureScheme,
  type UncheckedProperty,
  X_SHA2_HEADER,
  X_SHA2_UNCHECKED,
} from './x-sha2.js'

/** Why a delivery was rejected: stable, machine-readable, safe to log. */
export type VerifyFailureReason =
  | 'missing-header'
  | 'malformed-header'
  | 'digest-mismatch'
  | 'unsupported-digest'
  | 'signature-mismatch'
  | 'missing-component'
  | 'profile-mismatch'
  | 'unsupported-algorithm'
  | 'expired'
  | 'not-yet-valid'
  | 'label-not-found'
  | 'scheme-not-accepted'
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
  'profile-mismatch',
  'expired',
  'not-yet-valid',
  'signature-mismatch',
  'scheme-not-accepted',
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
  /**
   * Which signatures pass. `idaas`: Entrust's step 4, the member matches the IDaaS signing profile
   * (alg="hmac-sha256", exactly `@method`, `@target-uri` and `content-digest`, in any order).
   * `rfc9421`: any RFC 9421 signature whose `alg`, if present, is `hmac-sha256` and that covers at
   * least those three components (and otherwise only HTTP fields). @default 'idaas'
   */
  profile?: SignatureProfile
  /** How the URL becomes `@target-uri` (A5): WHATWG-`normalized` or `exact` as given. @default 'normalized' */
  targetUriForm?: TargetUriForm
  /**
   * Longest accepted `Content-Digest`, `Signature-Input` or `Signature` value, in characters;
   * a longer one is `malformed-header` without being parsed. @default 8192
   */
  maxFieldLength?: number
  /**
   * Which signatures are accepted (A17): `rfc9421` (the current profile), `x-sha2` (the older
   * `x-sha2-signature` header), or both; every accepted one a request carries must verify. The
   * older header covers only the body: no freshness (A4), URL or method. @default ['rfc9421']
   */
  schemes?: readonly SignatureScheme[]
}

/** Which signatures {@link verifyDelivery} accepts: see {@link VerifyDeliveryOptions.profile}. */
export type SignatureProfile = 'idaas' | 'rfc9421'

/** Default of option `maxFieldLength`, in characters: IDaaS's three headers take about 200. */
export const DEFAULT_MAX_FIELD_LENGTH = 8192

/** Most members a `Signature-Input` or `Signature` dictionary may have: more is `malformed-header`. */
export const MAX_SIGNATURE_MEMBERS = 32

/** Most components a signature may cover: more is `malformed-header`. */
export const MAX_COVERED_COMPONENTS = 32

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
  /**
   * The label of the verified signature in `Signature-Input` and `Signature`: `sig`; or
   * `x-sha2-signature` when only the older header verified (it has no parameters, A17).
   */
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
  /** The schemes that verified, e.g. `['rfc9421']` or, for an older-only delivery, `['x-sha2']` (A17). */
  schemes: readonly SignatureScheme[]
  /**
   * Set when only `x-sha2-signature` verified: it covers only the body, so freshness (A4), the
   * URL and the method were not checked.
   */
  unchecked?: readonly UncheckedProperty[]
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
 * Checks the options once and returns a synchronous verifier for deliveries whose body is read,
 * for receivers that verify many deliveries with the same options.
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
  const profile = options.profile ?? 'idaas'
  if (profile !== 'idaas' && profile !== 'rfc9421') {
    throw new KitError(
      `Failed to verify signature: option "profile" must be "idaas" or "rfc9421", got "${String(profile)}".`,
    )
  }
  const targetUriForm = options.targetUriForm ?? DEFAULT_TARGET_URI_FORM
  if (!isTargetUriForm(targetUriForm)) {
    throw new KitError(
      `Failed to verify signature: option "targetUriForm" must be "normalized" or "exact", got "${String(targetUriForm)}".`,
    )
  }
  const maxFieldLength = options.maxFieldLength ?? DEFAULT_MAX_FIELD_LENGTH
  if (!Number.isSafeInteger(maxFieldLength) || maxFieldLength < 1) {
    throw new KitError(
      `Failed to verify signature: option "maxFieldLength" must be a whole number of characters, got "${String(maxFieldLength)}".`,
    )
  }
  const { publicUrl } = options
  const schemes = checkSchemes(options.schemes, 'verify signature')
  const resolved: ResolvedOptions = {
    keys,
    maxAge,
    maxSkew,
    now,
    publicUrl,
    profile,
    targetUriForm,
    maxFieldLength,
    rfc9421: schemes.includes('rfc9421'),
    xSha2: schemes.includes('x-sha2'),
  }
  return (delivery) => verifyRawDelivery(delivery, resolved)
}

interface ResolvedOptions {
  keys: HmacKey[]
  maxAge: number | false
  maxSkew: number | false
  now: () => number
  publicUrl: PublicUrlOption | undefined
  profile: SignatureProfile
  targetUriForm: TargetUriForm
  maxFieldLength: number
  /** `schemes` lists `rfc9421`. */
  rfc9421: boolean
  /** `schemes` lists `x-sha2` (A17). */
  xSha2: boolean
}

// Shared, frozen: a success result allocates no array for its schemes.
const VERIFIED_RFC9421: readonly SignatureScheme[] = Object.freeze(['rfc9421'])
const VERIFIED_X_SHA2: readonly SignatureScheme[] = Object.freeze(['x-sha2'])
const VERIFIED_BOTH: readonly SignatureScheme[] = Object.freeze(['rfc9421', 'x-sha2'])
const ACCEPT_BOTH = "pass schemes: ['rfc9421', 'x-sha2'] to accept it (A17)"

const REQUIRED_HEADERS = [
  ['content-digest', 'Content-Digest'],
  ['signature-input', 'Signature-Input'],
  ['signature', 'Signature'],
] as const

const decoder = new TextDecoder('utf-8', { fatal: true })

/** The three header values IDaaS sends, read once. */
interface SignatureFields {
  contentDigest: string
  signatureInput: string
  signature: string
}

/** The `sig` members of `Signature-Input` and `Signature`. */
interface SignatureMembers {
  member: InnerList
  received: ArrayBuffer
}

function verifyRawDelivery(delivery: RawDelivery, options: ResolvedOptions): VerifyDeliveryResult {
  const read = createFieldReader(delivery.headers)
  let verified: VerifiedSignature | undefined
  if (options.rfc9421) {
    // 1. The three headers IDaaS always sends, per Entrust's signature verification page.
    const fields = readSignatureFields(read, options.maxFieldLength)
    if ('signature' in fields) {
      const result = verifyRfc9421(delivery, read, fields, options)
      if ('ok' in result) return result
      verified = result
    } else if (
      // A request with none of the three may carry the older header alone (A17): judged below.
      fields.reason !== 'missing-header' ||
      (fields.missing?.length ?? 0) < REQUIRED_HEADERS.length ||
      (!options.xSha2 && read(X_SHA2_HEADER, options.maxFieldLength) === undefined)
    ) {
      return fields
    }
  }

  // The older x-sha2-signature header (A17): checked only when "schemes" lists it, and then it
  // must hold whenever it is present, beside a valid RFC 9421 signature too.
  let xSha2Verified = false
  if (options.xSha2) {
    const value = read(X_SHA2_HEADER, options.maxFieldLength)
    if (value !== undefined) {
      const problem = checkXSha2Signature(value, delivery.body, options.keys)
      if (problem !== undefined) {
        return fail(
          problem.problem === 'malformed' ? 'malformed-header' : 'signature-mismatch',
          problem.text,
        )
      }
      xSha2Verified = true
    } else if (verified === undefined) {
      if (options.rfc9421) {
        const missing = [...REQUIRED_HEADERS.map(([, n]) => n), X_SHA2_HEADER]
        return fail(
          'missing-header',
          `required headers missing: "Content-Digest", "Signature-Input", "Signature" (RFC 9421) or "${X_SHA2_HEADER}".`,
          missing,
        )
      }
      const rfcHeaders = REQUIRED_HEADERS.filter(
        ([name]) => read(name, options.maxFieldLength) !== undefined,
      )
      if (rfcHeaders.length > 0) {
        return fail(
          'scheme-not-accepted',
          `the request carries only RFC 9421 signature headers (${quoteAll(rfcHeaders.map(([, n]) => n))}), the current IDaaS profile; ${ACCEPT_BOTH.replace(' it ', ' them ')}.`,
        )
      }
      return fail('missing-header', `required header missing: "${X_SHA2_HEADER}".`, [X_SHA2_HEADER])
    }
  } else if (verified === undefined) {
    return fail(
      'scheme-not-accepted',
      `the request carries only the older "${X_SHA2_HEADER}" header, no RFC 9421 signature; ${ACCEPT_BOTH}.`,
      REQUIRED_HEADERS.map(([, n]) => n),
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
  if (verified === undefined) {
    return {
      ok: true,
      event,
      body: delivery.body,
      signature: { label: X_SHA2_HEADER },
      schemes: VERIFIED_X_SHA2,
      unchecked: X_SHA2_UNCHECKED,
    }
  }
  const schemes = xSha2Verified ? VERIFIED_BOTH : VERIFIED_RFC9421
  return { ok: true, event, body: delivery.body, signature: verified, schemes }
}

/** Steps 2 to 6: the digest and the `sig` signature (RFC 9421, RFC 9530). */
function verifyRfc9421(
  delivery: RawDelivery,
  read: FieldReader,
  fields: SignatureFields,
  options: ResolvedOptions,
): VerifiedSignature | VerifyDeliveryFailure {
  // 2. Content-Digest against the raw bytes, separately from the signature (RFC 9421 §7.2.8; A2).
  const digestFailure = checkDigest(fields.contentDigest, delivery.body)
  if (digestFailure) return digestFailure

  // 3. Signature-Input and Signature are RFC 8941 dictionaries keyed by label.
  const members = readSignatureMembers(fields)
  if (!('member' in members)) return members
  const { member, received } = members

  // 4. The components and the profile (Entrust's step 4, or RFC 9421 with option "profile").
  const profileFailure =
    checkComponents(member) ??
    (options.profile === 'idaas' ? checkIdaasProfile(member) : checkAlgorithm(member))
  if (profileFailure) return profileFailure
  const parameters = readParameters(member, fields.signatureInput)
  if (!parameters.ok) return parameters.failure

  // 5. The replay window (A4).
  const windowFailure = checkReplayWindow(parameters.signature, options)
  if (windowFailure) return windowFailure

  // 6. The signature base from this request (A5 for @target-uri), then HMAC-SHA256 with each key.
  const targetUri = resolveTargetUri(delivery.url, options.publicUrl, options.targetUriForm)
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
  if (!matchesAnyKey(base, received, options.keys)) {
    return fail(
      'signature-mismatch',
      `signature "${IDAAS_SIGNATURE_LABEL}" does not match the request (@method "${delivery.method}", @target-uri "${urlForMessage(targetUri)}"). Is the token right, and is option "publicUrl" the URL registered in IDaaS?`,
    )
  }
  return parameters.signature
}

function readSignatureFields(
  read: FieldReader,
  maxFieldLength: number,
): SignatureFields | VerifyDeliveryFailure {
  const values = REQUIRED_HEADERS.map(([name]) => read(name, maxFieldLength)?.trim() || undefined)
  const [contentDigest, signatureInput, signature] = values
  if (contentDigest === undefined || signatureInput === undefined || signature === undefined) {
    const missing = REQUIRED_HEADERS.filter((_, i) => values[i] === undefined).map(([, n]) => n)
    return fail('missing-header', `required headers missing: ${quoteAll(missing)}.`, missing)
  }
  // Bounds every later step: parsing, the component checks and the signature base are linear in it.
  for (const [i, value] of values.entries()) {
    if ((value as string).length > maxFieldLength) {
      return fail(
        'malformed-header',
        `"${REQUIRED_HEADERS[i]?.[1]}" is longer than ${maxFieldLength} characters (option "maxFieldLength").`,
      )
    }
  }
  return { contentDigest, signatureInput, signature }
}

function checkDigest(contentDigest: string, body: Uint8Array): VerifyDeliveryFailure | undefined {
  const digestProblem = checkContentDigest(contentDigest, body)
  if (digestProblem?.problem === 'malformed') {
    return fail(
      'malformed-header',
      '"Content-Digest" is not a structured field dictionary of byte sequences (RFC 9530).',
    )
  }
  if (digestProblem?.problem === 'unsupported') {
    return fail(
      'unsupported-digest',
      `"Content-Digest" has no algorithm the kit can check (found ${quoteAll(digestProblem.algorithms.slice(0, MAX_SIGNATURE_MEMBERS))}); expected "sha-256" or "sha-512".`,
    )
  }
  if (digestProblem?.problem === 'mismatch') {
    return fail(
      'digest-mismatch',
      `Content-Digest (${digestProblem.algorithm}) does not match the body. Was the JSON parsed and re-serialized?`,
    )
  }
  return undefined
}

function readSignatureMembers(fields: SignatureFields): SignatureMembers | VerifyDeliveryFailure {
  const inputs = parseField(fields.signatureInput)
  if (inputs === undefined) {
    return fail(
      'malformed-header',
      '"Signature-Input" is not a structured field dictionary (RFC 8941).',
    )
  }
  const signatures = parseField(fields.signature)
  if (signatures === undefined) {
    return fail('malformed-header', '"Signature" is not a structured field dictionary (RFC 8941).')
  }
  for (const [header, dictionary] of [
    ['Signature-Input', inputs],
    ['Signature', signatures],
  ] as const) {
    if (dictionary.size > MAX_SIGNATURE_MEMBERS) {
      return fail(
        'malformed-header',
        `"${header}" has ${dictionary.size} members; the kit reads at most ${MAX_SIGNATURE_MEMBERS}.`,
      )
    }
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
  return { member, received }
}

// RFC 9421 §2.1: an HTTP field's component name is its lowercased field name, an RFC 9110 token.
const FIELD_COMPONENT = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/

/** What the kit can build a base for: `@method`, `@target-uri` and HTTP fields, each once. */
function checkComponents(member: InnerList): VerifyDeliveryFailure | undefined {
  if (member[0].length > MAX_COVERED_COMPONENTS) {
    return fail(
      'malformed-header',
      `signature "${IDAAS_SIGNATURE_LABEL}" covers ${member[0].length} components; the kit checks at most ${MAX_COVERED_COMPONENTS}.`,
    )
  }
  const components = new Set<string>()
  for (const item of member[0]) {
    const name = item[0]
    const supported =
      typeof name === 'string' &&
      item[1].size === 0 &&
      (name === '@method' || name === '@target-uri' || FIELD_COMPONENT.test(name))
    if (!supported) {
      return fail(
        'malformed-header',
        `"Signature-Input" covers unsupported component ${serializeItem(item)}; the IDaaS profile covers "@method", "@target-uri" and "content-digest".`,
      )
    }
    if (components.has(name)) {
      return fail('malformed-header', `"Signature-Input" covers component "${name}" twice.`)
    }
    components.add(name)
  }
  const missing = IDAAS_COVERED_COMPONENTS.filter((name) => !components.has(name))
  if (missing.length > 0) {
    return fail(
      'missing-component',
      `signature "${IDAAS_SIGNATURE_LABEL}" does not cover ${quoteAll(missing)}; IDaaS signs "@method", "@target-uri" and "content-digest".`,
      missing,
    )
  }
  return undefined
}

/** Option `profile` "rfc9421": `alg`, when present, must be `hmac-sha256` (RFC 9421 §3.2 step 6). */
function checkAlgorithm(member: InnerList): VerifyDeliveryFailure | undefined {
  const alg = member[1].get('alg')
  if (alg === undefined || alg === IDAAS_SIGNATURE_ALGORITHM) return undefined
  return typeof alg === 'string'
    ? fail(
        'unsupported-algorithm',
        `signature "${IDAAS_SIGNATURE_LABEL}" has alg "${alg}"; only "${IDAAS_SIGNATURE_ALGORITHM}" is supported.`,
      )
    : fail('malformed-header', 'signature parameter "alg" is not a string.')
}

/**
 * Entrust's step 4, "Validate that the Signature-Input member matches the current IDaaS signing
 * profile": alg="hmac-sha256" and exactly the three components. Their order is A3: not enforced.
 */
function checkIdaasProfile(member: InnerList): VerifyDeliveryFailure | undefined {
  const algFailure = checkAlgorithm(member)
  if (algFailure) return algFailure
  const differences = profileDifferences(member).filter((d) => d.kind !== 'component-order')
  if (differences.length === 0) return undefined
  return fail(
    'profile-mismatch',
    `signature "${IDAAS_SIGNATURE_LABEL}" does not match the IDaaS signing profile: ${differences.map((d) => d.description).join('; ')}. Pass option "profile" "rfc9421" to accept any RFC 9421 hmac-sha256 signature over those components.`,
  )
}

type ParametersResult =
  | { ok: true; signature: VerifiedSignature }
  | { ok: false; failure: VerifyDeliveryFailure }

// RFC 9421 §2.3: `created` and `expires` are Integers. structured-headers parses a Decimal to the
// same JS number, so the raw text of the member's parameters tells `created=1.0` from `created=1`.
function readParameters(member: InnerList, signatureInput: string): ParametersResult {
  const signature: VerifiedSignature = { label: IDAAS_SIGNATURE_LABEL }
  let rawText: Map<string, string> | undefined
  for (const name of ['created', 'expires'] as const) {
    const value = member[1].get(name)
    if (value === undefined) continue
    rawText ??= memberParameterText(signatureInput, IDAAS_SIGNATURE_LABEL)
    const integer = isIntegerText(rawText?.get(name))
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || !integer) {
      return {
        ok: false,
        failure: fail(
          'malformed-header',
          `signature parameter "${name}" is not an integer (RFC 9421 §2.3).`,
        ),
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

function checkReplayWindow(
  signature: VerifiedSignature,
  options: ResolvedOptions,
): VerifyDeliveryFailure | undefined {
  const { created, expires } = signature
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
  return undefined
}

function matchesAnyKey(base: string, received: ArrayBuffer, keys: readonly HmacKey[]): boolean {
  return keys.some((key) => {
    const expected = createHmac('sha256', key).update(base).digest()
    // timingSafeEqual throws on different lengths; a length mismatch is simply a wrong signature.
    return (
      received.byteLength === expected.byteLength &&
      timingSafeEqual(new Uint8Array(received), expected)
    )
  })
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
