/**
 * The IDaaS webhook signing profile, as Entrust documents it at
 * https://docs.trustedauth.com/developer/webhook/webhook-signature-verification/, and the kit's
 * defaults where Entrust is silent (assumptions A1–A5, in the README's "Assumptions").
 */

/** Signature label IDaaS uses in `Signature-Input` and `Signature` [documented]. */
export const IDAAS_SIGNATURE_LABEL = 'sig'

/** The only signature algorithm of the profile [documented]. */
export const IDAAS_SIGNATURE_ALGORITHM = 'hmac-sha256'

/** Covered components, in the order IDaaS lists them [documented]; the order is A3. */
export const IDAAS_COVERED_COMPONENTS = ['@method', '@target-uri', 'content-digest'] as const

/** Request method of every delivery [documented]. */
export const IDAAS_METHOD = 'POST'

/** `Content-Type` of every delivery [documented]; not a signed component. */
export const IDAAS_CONTENT_TYPE = 'application/json'

/** A4: a verifier rejects a `created` older than this many seconds. */
export const DEFAULT_MAX_AGE_SECONDS = 300

/** A4: a verifier rejects a `created` more than this many seconds in the future. */
export const DEFAULT_MAX_SKEW_SECONDS = 60

/** `Content-Digest` algorithms the kit computes and checks (A2; RFC 9530 "active" algorithms). */
export type DigestAlgorithm = 'sha-256' | 'sha-512'

/** A2: the algorithm the signer uses unless told otherwise. */
export const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = 'sha-256'

/**
 * A1: how the webhook token becomes the HMAC key. `utf8`: the token's UTF-8 bytes exactly as IDaaS
 * shows it (`whsec_...` included). `base64`: strip an optional `whsec_` prefix, base64-decode the rest.
 */
export type KeyEncoding = 'utf8' | 'base64'

/** A1: the kit's default key encoding. */
export const DEFAULT_KEY_ENCODING: KeyEncoding = 'utf8'
