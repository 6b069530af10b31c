import { createHash } from 'node:crypto'
import { type InnerList, isInnerList, parseDictionary } from 'structured-headers'
import { KitError } from '../errors.js'
import { toBase64, toBytes } from './bytes.js'
import { createContentDigest } from './content-digest.js'
import { createFieldReader } from './headers.js'
import { deriveHmacKey } from './key.js'
import {
  type DigestAlgorithm,
  IDAAS_COVERED_COMPONENTS,
  IDAAS_SIGNATURE_LABEL,
  type KeyEncoding,
} from './profile.js'
import { type SignDeliveryOptions, type SignProfileOverrides, signDeliveryWith } from './sign.js'
import type { SignedDelivery } from './signed-delivery.js'
import { toTargetUri } from './target-uri.js'
import { createDeliveryVerifier, type VerifyFailureReason } from './verify.js'
import { createXSha2Signature, X_SHA2_HEADER } from './x-sha2.js'

/** Stable ids of the tampered variants {@link createNegativeVectors} produces. */
export type NegativeVectorId =
  | 'no-signature-headers'
  | 'no-content-digest'
  | 'wrong-token'
  | 'body-changed-old-digest'
  | 'body-changed-fresh-digest'
  | 'wrong-target-uri'
  | 'alg-not-hmac-sha256'
  | 'alg-missing'
  | 'extra-component'
  | 'label-not-sig'
  | 'created-one-hour-old'
  | 'created-in-the-future'
  | 'unsupported-digest-algorithm'
  | 'content-digest-not-covered'
  | 'malformed-signature-input'
  | 'created-decimal'
  | 'body-not-json'
  | 'only-x-sha2-signature'

/** A tampered delivery and the verdict a correct receiver must reach. */
export interface NegativeVector {
  /** Stable id, safe to use in test names and reports. */
  id: NegativeVectorId
  /** What was changed, as one sentence. */
  description: string
  /** The `reason` {@link verifyDelivery} gives; `invalid-json` is the only one a receiver answers with 400, the rest with 401. */
  reason: VerifyFailureReason
  /** The request to send: same method and URL as the original. */
  delivery: SignedDelivery
}

/** Options of {@link createNegativeVectors}. */
export interface NegativeVectorOptions {
  /** The token the original delivery was signed with. */
  token: string
  /** How the token became the HMAC key (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /** Clock for a `created` when the original has none, in milliseconds. @default Date.now */
  now?: () => number
}

/** The headers {@link signDeliveryWith} sets, lowercase. */
const SIGNED_HEADERS = ['content-type', 'content-digest', 'signature-input', 'signature']

/** A token no IDaaS webhook has: used by the `wrong-token` vector. */
const WRONG_TOKEN = 'whsec_not-the-webhook-token-0000000000000000'

/**
 * The tampered variants of a correctly signed delivery, each with a stable `id` and the `reason`
 * the verifier must give. Variants that need a signature are signed afresh with the original's
 * `created` (or `created` ± 1 h for the time vectors), so a verifier whose clock is within the
 * original's replay window (A4) must reach exactly the stated `reason`.
 * @example
 * for (const vector of createNegativeVectors(delivery, { token })) {
 *   const response = await fetch(vector.delivery.url, vector.delivery)
 *   expect(response.status).toBe(vector.reason === 'invalid-json' ? 400 : 401)
 * }
 * @throws KitError when `delivery` does not verify with `token` to begin with.
 */
export function createNegativeVectors(
  delivery: SignedDelivery,
  options: NegativeVectorOptions,
): NegativeVector[] {
  const original = readOriginal(delivery, options)
  const sign = (
    change: Partial<SignDeliveryOptions>,
    overrides: SignProfileOverrides = {},
  ): Record<string, string> => ({
    ...without(delivery.headers, SIGNED_HEADERS),
    ...signDeliveryWith({ ...original.signOptions, ...change }, overrides),
  })
  const variant = (
    id: NegativeVectorId,
    reason: VerifyFailureReason,
    description: string,
    change: Partial<SignedDelivery>,
  ): NegativeVector => ({ id, reason, description, delivery: { ...clone(delivery), ...change } })

  const tampered = tamperBody(delivery.body)
  const { created } = original
  const rewrittenUri = proxyRewrite(delivery.url)
  const md5 = `md5=:${toBase64(createHash('md5').update(toBytes(delivery.body)).digest())}:`
  const notJson = sameKind(delivery.body, 'this is not JSON')

  return [
    variant('no-signature-headers', 'missing-header', 'Signature-Input and Signature removed.', {
      headers: without(delivery.headers, ['signature-input', 'signature']),
    }),
    variant('no-content-digest', 'missing-header', 'Content-Digest removed.', {
      headers: without(delivery.headers, ['content-digest']),
    }),
    variant('wrong-token', 'signature-mismatch', 'Signed with another token.', {
      headers: sign({ token: WRONG_TOKEN, keyEncoding: 'utf8' }),
    }),
    variant(
      'body-changed-old-digest',
      'digest-mismatch',
      'Body changed after signing; Content-Digest and signature are the original ones.',
      { body: tampered },
    ),
    variant(
      'body-changed-fresh-digest',
      'signature-mismatch',
      'Body changed and Content-Digest recomputed for it; the signature is the original one.',
      {
        body: tampered,
        headers: withField(
          delivery.headers,
          'content-digest',
          createContentDigest(tampered, original.signOptions.digestAlgorithm),
        ),
      },
    ),
    variant(
      'wrong-target-uri',
      'signature-mismatch',
      `Signed for @target-uri "${rewrittenUri}", as a receiver behind a proxy sees it without option "publicUrl".`,
      { headers: sign({}, { targetUri: rewrittenUri }) },
    ),
    variant('alg-not-hmac-sha256', 'unsupported-algorithm', 'Signature-Input says alg="ed25519".', {
      headers: sign({}, { alg: 'ed25519' }),
    }),
    variant(
      'alg-missing',
      'profile-mismatch',
      'Signed correctly without an alg parameter; Entrust sends alg="hmac-sha256" (step 4: the IDaaS signing profile).',
      { headers: sign({}, { alg: false }) },
    ),
    variant(
      'extra-component',
      'profile-mismatch',
      'Signed correctly over "content-type" too; the IDaaS signing profile covers exactly @method, @target-uri and content-digest.',
      { headers: sign({}, { components: [...IDAAS_COVERED_COMPONENTS, 'content-type'] }) },
    ),
    variant('label-not-sig', 'label-not-found', 'Signature labelled "idaas" instead of "sig".', {
      headers: sign({}, { label: 'idaas' }),
    }),
    variant(
      'created-one-hour-old',
      'expired',
      'Signed correctly with created one hour earlier (A4).',
      {
        headers: sign({ created: created - 3600 }),
      },
    ),
    variant(
      'created-in-the-future',
      'not-yet-valid',
      'Signed correctly with created ten minutes later (A4).',
      { headers: sign({ created: created + 600 }) },
    ),
    variant(
      'unsupported-digest-algorithm',
      'unsupported-digest',
      'Content-Digest carries only an md5 digest (signed correctly), which the kit cannot check (A2).',
      { headers: sign({}, { contentDigest: md5 }) },
    ),
    variant(
      'content-digest-not-covered',
      'missing-component',
      'Signed correctly over ("@method" "@target-uri") only: content-digest not covered.',
      { headers: sign({}, { components: ['@method', '@target-uri'] }) },
    ),
    variant(
      'malformed-signature-input',
      'malformed-header',
      'Signature-Input is not a structured field dictionary (closing parenthesis removed).',
      {
        headers: withField(
          delivery.headers,
          'signature-input',
          original.signatureInput.replace(')', ''),
        ),
      },
    ),
    variant(
      'created-decimal',
      'malformed-header',
      `Signature-Input says created=${created}.0, a Decimal; RFC 9421 §2.3 requires an Integer (the signature is over the canonical created=${created}).`,
      {
        headers: withField(
          delivery.headers,
          'signature-input',
          original.signatureInput.includes(`;created=${created}`)
            ? original.signatureInput.replace(`;created=${created}`, `;created=${created}.0`)
            : `${original.signatureInput};created=${created}.0`,
        ),
      },
    ),
    variant('body-not-json', 'invalid-json', 'Body "this is not JSON", signed correctly.', {
      body: notJson,
      headers: sign({ body: notJson }),
    }),
    variant(
      'only-x-sha2-signature',
      'scheme-not-accepted',
      'Only the older x-sha2-signature header, correct for the body; no RFC 9421 headers (A17).',
      {
        headers: {
          ...without(delivery.headers, [...SIGNED_HEADERS.slice(1), X_SHA2_HEADER]),
          [X_SHA2_HEADER]: createXSha2Signature(
            deriveHmacKey(options.token, options.keyEncoding),
            toBytes(delivery.body),
          ),
        },
      },
    ),
  ]
}

interface Original {
  created: number
  signatureInput: string
  signOptions: SignDeliveryOptions
}

function readOriginal(delivery: SignedDelivery, options: NegativeVectorOptions): Original {
  const read = createFieldReader(delivery.headers)
  const signatureInput = read('signature-input') ?? ''
  let member: InnerList | undefined
  try {
    const parsed = parseDictionary(signatureInput).get(IDAAS_SIGNATURE_LABEL)
    if (parsed && isInnerList(parsed)) member = parsed
  } catch {
    member = undefined
  }
  const param = (name: string) => member?.[1].get(name)
  const createdParam = param('created')
  const created =
    typeof createdParam === 'number' ? createdParam : Math.floor((options.now ?? Date.now)() / 1000)
  const verify = createDeliveryVerifier({
    token: options.token,
    ...(options.keyEncoding ? { keyEncoding: options.keyEncoding } : {}),
    now: () => created * 1000,
  })
  const check = verify({
    method: delivery.method,
    url: delivery.url,
    headers: delivery.headers,
    body: toBytes(delivery.body),
  })
  if (!check.ok && check.reason !== 'invalid-json') {
    throw new KitError(
      `Failed to create negative vectors: the delivery does not verify with option "token" (reason "${check.reason}"). Pass a delivery signed with that token.`,
    )
  }
  const digestAlgorithm: DigestAlgorithm = (read('content-digest') ?? '').startsWith('sha-512')
    ? 'sha-512'
    : 'sha-256'
  const signOptions: SignDeliveryOptions = {
    url: delivery.url,
    body: delivery.body,
    token: options.token,
    method: delivery.method,
    created,
    digestAlgorithm,
    ...(options.keyEncoding ? { keyEncoding: options.keyEncoding } : {}),
  }
  for (const name of ['keyid', 'nonce', 'tag'] as const) {
    const value = param(name)
    if (typeof value === 'string') signOptions[name] = value
  }
  const expires = param('expires')
  if (typeof expires === 'number') signOptions.expires = expires
  return { created, signatureInput, signOptions }
}

/** Adds `"tampered":true` as the first member of a JSON object body, else appends a space. */
function tamperBody(body: string | Uint8Array): string | Uint8Array<ArrayBuffer> {
  const text = new TextDecoder().decode(toBytes(body))
  const open = text.indexOf('{')
  let changed = `${text} `
  if (open !== -1 && /^\s*$/.test(text.slice(0, open)) && !/^\s*}/.test(text.slice(open + 1))) {
    changed = `${text.slice(0, open + 1)}"tampered":true,${text.slice(open + 1)}`
  }
  return sameKind(body, changed)
}

function sameKind(body: string | Uint8Array, text: string): string | Uint8Array<ArrayBuffer> {
  return typeof body === 'string' ? text : new TextEncoder().encode(text)
}

/**
 * What a receiver behind a TLS-terminating proxy sees: http, an internal host, same path. Never
 * the original target URI, so the vector fails even for a receiver that really is at that address.
 */
function proxyRewrite(url: string): string {
  const parsed = new URL(url)
  const original = toTargetUri(url)
  const rewrite = (origin: string) => `${origin}${parsed.pathname}${parsed.search}`
  const first = rewrite('http://127.0.0.1:8080')
  return toTargetUri(first) === original ? rewrite('http://127.0.0.1:8081') : first
}

function clone(delivery: SignedDelivery): SignedDelivery {
  return {
    method: delivery.method,
    url: delivery.url,
    headers: { ...delivery.headers },
    body: typeof delivery.body === 'string' ? delivery.body : delivery.body.slice(),
  }
}

function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())),
  )
}

/** Replaces a header's value, keeping the spelling of its name in `headers`. */
function withField(
  headers: Record<string, string>,
  name: string,
  value: string,
): Record<string, string> {
  const existing = Object.keys(headers).find((key) => key.toLowerCase() === name)
  return { ...without(headers, [name]), [existing ?? name]: value }
}
