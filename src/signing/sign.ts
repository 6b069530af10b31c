import { createHmac } from 'node:crypto'
import type { BareItem, Parameters } from 'structured-headers'
import { KitError } from '../errors.js'
import { type BodyInput, toBytes } from './bytes.js'
import { createContentDigest, isDigestAlgorithm } from './content-digest.js'
import { deriveHmacKey } from './key.js'
import {
  DEFAULT_DIGEST_ALGORITHM,
  type DigestAlgorithm,
  IDAAS_CONTENT_TYPE,
  IDAAS_COVERED_COMPONENTS,
  IDAAS_METHOD,
  IDAAS_SIGNATURE_ALGORITHM,
  IDAAS_SIGNATURE_LABEL,
  type KeyEncoding,
} from './profile.js'
import {
  createSignatureBase,
  createSignatureParams,
  serializeSignatureParams,
} from './signature-base.js'
import { isTargetUriForm, type TargetUriForm, toTargetUri, urlForMessage } from './target-uri.js'
import { checkSchemes, createXSha2Signature, type SignatureScheme } from './x-sha2.js'

/** Options of {@link signDelivery}. Every assumption the signer makes is an option (A1–A5). */
export interface SignDeliveryOptions {
  /** The callback URL as registered in IDaaS; it is the signed `@target-uri` (A5). */
  url: string | URL
  /** How `url` becomes `@target-uri` (A5): WHATWG-`normalized` or `exact` as given. @default 'normalized' */
  targetUriForm?: TargetUriForm
  /** The raw body, signed exactly as given: a string is UTF-8 encoded, bytes are used as they are. */
  body: BodyInput
  /** The webhook token: the HMAC key (A1). */
  token: string
  /** How the token becomes the HMAC key (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /** The `Content-Digest` algorithm (A2). @default 'sha-256' */
  digestAlgorithm?: DigestAlgorithm
  /** `created` in Unix seconds, or `false` to omit it (A3). @default seconds of `now()` */
  created?: number | false
  /** The clock for the default `created`, in milliseconds since the epoch. @default Date.now */
  now?: () => number
  /** `expires` signature parameter in Unix seconds (A3). @default omitted */
  expires?: number
  /** `keyid` signature parameter (A3). @default omitted */
  keyid?: string
  /** `nonce` signature parameter (A3). @default omitted */
  nonce?: string
  /** `tag` signature parameter (A3). @default omitted */
  tag?: string
  /** `@method`. IDaaS always sends POST; change it only to test a verifier. @default 'POST' */
  method?: string
}

/** {@link SignDeliveryOptions} with the signatures to send (A17). */
export interface SchemeSignOptions extends SignDeliveryOptions {
  /**
   * Which signatures to send (A17): `rfc9421` (the current profile), `x-sha2` (the older
   * `x-sha2-signature` header), or both; `['x-sha2']` sends no RFC 9421 header and no
   * `Content-Digest`. Without this option: `['rfc9421']`.
   */
  schemes: readonly SignatureScheme[]
}

/**
 * The headers IDaaS sends with a delivery, ready for `fetch` or curl; `Content-Type` is not signed.
 * @see https://docs.trustedauth.com/developer/webhook/webhook-signature-verification/
 */
export type SignedDeliveryHeaders = {
  'Content-Type': string
  'Content-Digest': string
  'Signature-Input': string
  Signature: string
}

/**
 * The headers of a delivery signed with any `schemes` (A17): the RFC 9421 ones with `rfc9421`,
 * `x-sha2-signature` (64 lowercase hex digits) with `x-sha2`.
 */
export type SchemeSignedHeaders = {
  'Content-Type': string
  'Content-Digest'?: string
  'Signature-Input'?: string
  Signature?: string
  'x-sha2-signature'?: string
}

/**
 * Ways to sign what IDaaS would never send, for negative test vectors. Not exported from the
 * package root: a receiver must never need them.
 * @internal
 */
export interface SignProfileOverrides {
  /** Signature label. @default 'sig' */
  label?: string
  /** `alg` parameter, or `false` to omit it. @default 'hmac-sha256' */
  alg?: string | false
  /** Covered components. @default ['@method', '@target-uri', 'content-digest'] */
  components?: readonly string[]
  /** `Content-Digest` value to send and sign instead of the body's real digest. */
  contentDigest?: string
  /** Order of the signature parameters, by name; parameters not listed follow in default order. */
  parameterOrder?: readonly string[]
  /** Extra (unknown) signature parameters, appended after the known ones. */
  extraParameters?: ReadonlyArray<readonly [string, BareItem]>
  /** `@target-uri` to sign instead of `url` (what a proxy rewrite looks like to the receiver). */
  targetUri?: string
}

const DEFAULT_PARAMETER_ORDER = ['created', 'expires', 'nonce', 'alg', 'keyid', 'tag']

/**
 * Signs a delivery the way IDaaS does (RFC 9421 `hmac-sha256` over `@method`, `@target-uri` and
 * `content-digest`, label `sig`, RFC 9530 `Content-Digest`) and returns the headers to send.
 * @example
 * const headers = signDelivery({ url: 'https://example.com/webhooks/idaas', body, token })
 * await fetch('https://example.com/webhooks/idaas', { method: 'POST', headers, body })
 * @see https://docs.trustedauth.com/developer/webhook/webhook-signature-verification/ (Entrust's
 * description of the signing profile)
 */
export function signDelivery(options: SchemeSignOptions): SchemeSignedHeaders
export function signDelivery(options: SignDeliveryOptions): SignedDeliveryHeaders
export function signDelivery(
  options: SignDeliveryOptions | SchemeSignOptions,
): SchemeSignedHeaders {
  if ('schemes' in options && options.schemes !== undefined) return signWithSchemes(options, {})
  return signDeliveryWith(options, {})
}

/**
 * {@link signDelivery} for any `schemes` (A17), with profile overrides for the RFC 9421 part.
 * @internal
 */
export function signWithSchemes(
  options: SignDeliveryOptions & { schemes?: readonly SignatureScheme[] | undefined },
  overrides: SignProfileOverrides,
): SchemeSignedHeaders {
  const schemes = checkSchemes(options.schemes, 'sign delivery')
  const headers: SchemeSignedHeaders = schemes.includes('rfc9421')
    ? signDeliveryWith(options, overrides)
    : { 'Content-Type': IDAAS_CONTENT_TYPE }
  if (schemes.includes('x-sha2')) {
    if (!schemes.includes('rfc9421') && toTargetUri(options.url) === undefined) {
      throw new KitError(
        `Failed to sign delivery: option "url" must be an absolute URL, got "${urlForMessage(String(options.url))}".`,
      )
    }
    // The older scheme keys the HMAC with the token as A1 says, like the RFC 9421 profile; the
    // in-product page's Java reference uses the token's characters as bytes (utf8).
    const key = deriveHmacKey(options.token, options.keyEncoding)
    headers['x-sha2-signature'] = createXSha2Signature(key, toBytes(options.body))
  }
  return headers
}

/**
 * {@link signDelivery} with profile overrides, for negative vectors and property tests.
 * @internal
 */
export function signDeliveryWith(
  options: SignDeliveryOptions,
  overrides: SignProfileOverrides,
): SignedDeliveryHeaders {
  const form = options.targetUriForm ?? 'normalized'
  if (!isTargetUriForm(form)) {
    throw new KitError(
      `Failed to sign delivery: option "targetUriForm" must be "normalized" or "exact", got "${String(form)}".`,
    )
  }
  const targetUri = overrides.targetUri ?? toTargetUri(options.url, form)
  if (targetUri === undefined) {
    const shape = form === 'exact' ? ' without spaces or control characters' : ''
    throw new KitError(
      `Failed to sign delivery: option "url" must be an absolute URL${shape}, got "${urlForMessage(String(options.url))}".`,
    )
  }
  const digestAlgorithm = options.digestAlgorithm ?? DEFAULT_DIGEST_ALGORITHM
  if (!isDigestAlgorithm(digestAlgorithm)) {
    throw new KitError(
      `Failed to sign delivery: option "digestAlgorithm" must be "sha-256" or "sha-512", got "${String(digestAlgorithm)}".`,
    )
  }
  const key = deriveHmacKey(options.token, options.keyEncoding)
  const now = options.now ?? Date.now
  const body = toBytes(options.body)
  const contentDigest = overrides.contentDigest ?? createContentDigest(body, digestAlgorithm)

  const parameters: Parameters = new Map()
  const known = new Map<string, BareItem>()
  const created = options.created ?? Math.floor(now() / 1000)
  if (created !== false) known.set('created', checkedSeconds(created, 'created'))
  if (options.expires !== undefined)
    known.set('expires', checkedSeconds(options.expires, 'expires'))
  if (options.nonce !== undefined) known.set('nonce', checkedString(options.nonce, 'nonce'))
  const alg = overrides.alg ?? IDAAS_SIGNATURE_ALGORITHM
  if (alg !== false) known.set('alg', alg)
  if (options.keyid !== undefined) known.set('keyid', checkedString(options.keyid, 'keyid'))
  if (options.tag !== undefined) known.set('tag', checkedString(options.tag, 'tag'))
  for (const name of [...(overrides.parameterOrder ?? []), ...DEFAULT_PARAMETER_ORDER]) {
    const value = known.get(name)
    if (value !== undefined && !parameters.has(name)) parameters.set(name, value)
  }
  for (const [name, value] of overrides.extraParameters ?? []) parameters.set(name, value)

  const member = createSignatureParams(overrides.components ?? IDAAS_COVERED_COMPONENTS, parameters)
  const signatureParams = serializeSignatureParams(member)
  const base = createSignatureBase(
    member,
    {
      method: options.method ?? IDAAS_METHOD,
      targetUri,
      field: (name) =>
        name === 'content-digest'
          ? contentDigest
          : name === 'content-type'
            ? IDAAS_CONTENT_TYPE
            : undefined,
    },
    signatureParams,
  )
  if (typeof base !== 'string') {
    throw new KitError(`Failed to sign delivery: cannot sign component "${base.component}".`)
  }
  const signature = createHmac('sha256', key).update(base).digest('base64')
  const label = overrides.label ?? IDAAS_SIGNATURE_LABEL
  // One-member dictionaries keyed by the label: the inner list is serialized once, for both the
  // base and the header, and the byte sequence is plain base64 between colons (RFC 8941 §4.1.8).
  return {
    'Content-Type': IDAAS_CONTENT_TYPE,
    'Content-Digest': contentDigest,
    'Signature-Input': `${label}=${signatureParams}`,
    Signature: `${label}=:${signature}:`,
  }
}

function checkedSeconds(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new KitError(
      `Failed to sign delivery: option "${option}" must be whole Unix seconds, got "${String(value)}".`,
    )
  }
  return value
}

// RFC 8941 §3.3.3: a String holds printable ASCII only (%x20-7E).
const SF_STRING = /^[\x20-\x7e]*$/

function checkedString(value: string, option: string): string {
  if (typeof value !== 'string') {
    throw new KitError(
      `Failed to sign delivery: option "${option}" must be a string, got ${typeof value}.`,
    )
  }
  if (!SF_STRING.test(value)) {
    // The value itself is not shown: it may hold line breaks or terminal control characters.
    const bad = [...value].find((char) => !SF_STRING.test(char)) ?? ''
    const code = `U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
    throw new KitError(
      `Failed to sign delivery: option "${option}" must be printable ASCII (an RFC 8941 String); it holds ${code}.`,
    )
  }
  return value
}
