/**
 * The older `x-sha2-signature` scheme that IDaaS's in-product developer help describes
 * (https://entrust.us.trustedauth.com/help/developer/articles/webhook-signature-verification):
 * the hex HMAC-SHA256 of the raw body, keyed with the webhook token. Whether IDaaS still sends it
 * is not documented (A17), so the kit signs and accepts it only when `schemes` lists it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { KitError } from '../errors.js'
import type { HmacKey } from './key.js'

/**
 * A way IDaaS signs a delivery: `rfc9421` (the current profile: `Content-Digest`, `Signature-Input`,
 * `Signature`) or `x-sha2` (the older `x-sha2-signature` header, A17).
 */
export type SignatureScheme = 'rfc9421' | 'x-sha2'

/** Every {@link SignatureScheme}, in the order the verifier checks them. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['rfc9421', 'x-sha2']

/** A17: only the current RFC 9421 profile is sent and accepted unless told otherwise. */
export const DEFAULT_SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['rfc9421']

/** The older header's name, as Entrust's in-product help writes it. */
export const X_SHA2_HEADER = 'x-sha2-signature'

/** What a verifier of the older header cannot check: it covers only the body (A17). */
export const X_SHA2_UNCHECKED = ['freshness', '@method', '@target-uri'] as const

/** What only `x-sha2-signature` leaves unchecked: no `created` (A4), no URL, no method. */
export type UncheckedProperty = (typeof X_SHA2_UNCHECKED)[number]

/**
 * Checks a `schemes` option: a non-empty array of known scheme names, without repeats.
 * @throws KitError naming `option` (e.g. `schemes` or `--schemes`) otherwise.
 */
export function checkSchemes(
  value: unknown,
  action: string,
  option = 'schemes',
): readonly SignatureScheme[] {
  if (value === undefined) return DEFAULT_SIGNATURE_SCHEMES
  const known = SIGNATURE_SCHEMES.map((scheme) => `"${scheme}"`).join(', ')
  if (!Array.isArray(value) || value.length === 0) {
    throw new KitError(
      `Failed to ${action}: option "${option}" must list at least one scheme of ${known}.`,
    )
  }
  for (const scheme of value) {
    if (!(SIGNATURE_SCHEMES as readonly unknown[]).includes(scheme)) {
      throw new KitError(
        `Failed to ${action}: option "${option}" has unknown scheme "${String(scheme)}"; known schemes: ${known}.`,
      )
    }
  }
  if (new Set(value).size !== value.length) {
    throw new KitError(`Failed to ${action}: option "${option}" lists a scheme twice.`)
  }
  return value as readonly SignatureScheme[]
}

/** The `x-sha2-signature` value: 64 lowercase hex digits of HMAC-SHA256(key, raw body). */
export function createXSha2Signature(key: HmacKey, body: Uint8Array): string {
  return createHmac('sha256', key).update(body).digest('hex')
}

/** Why an `x-sha2-signature` value did not verify. */
export type XSha2Problem =
  | { problem: 'malformed'; text: string }
  | { problem: 'mismatch'; text: string }

const HEX_64 = /^[0-9a-fA-F]{64}$/

/**
 * Checks an `x-sha2-signature` value against the body with each key: hex in either case with
 * optional whitespace around it; the digests are compared in constant time. `undefined` when one
 * key matches.
 */
export function checkXSha2Signature(
  value: string,
  body: Uint8Array,
  keys: readonly HmacKey[],
): XSha2Problem | undefined {
  const hex = value.trim()
  if (hex === '') return { problem: 'malformed', text: `"${X_SHA2_HEADER}" is empty.` }
  // A repeated header reaches the verifier joined with ", " (RFC 9110 §5.3).
  if (hex.includes(',')) {
    return { problem: 'malformed', text: `"${X_SHA2_HEADER}" has more than one value.` }
  }
  if (!HEX_64.test(hex)) {
    // The value is a signature: describe it, never show it.
    const what = /^[0-9a-fA-F]*$/.test(hex)
      ? `${hex.length} hexadecimal digits`
      : `${hex.length} characters, not all hexadecimal digits`
    return {
      problem: 'malformed',
      text: `"${X_SHA2_HEADER}" must be 64 hexadecimal digits (HMAC-SHA256 of the body), got ${what}.`,
    }
  }
  const received = Buffer.from(hex, 'hex')
  const matches = keys.some((key) =>
    timingSafeEqual(received, createHmac('sha256', key).update(body).digest()),
  )
  if (matches) return undefined
  return {
    problem: 'mismatch',
    text: `"${X_SHA2_HEADER}" does not match the body. Is the token right, and is the HMAC computed over the raw bytes received?`,
  }
}
