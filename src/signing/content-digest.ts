import { hash, timingSafeEqual } from 'node:crypto'
import { type Dictionary, parseDictionary } from 'structured-headers'
import { type BodyInput, toBytes } from './bytes.js'
import { DEFAULT_DIGEST_ALGORITHM, type DigestAlgorithm } from './profile.js'

const NODE_HASH: Record<DigestAlgorithm, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' }

/** True for the `Content-Digest` algorithms the kit can compute and check (A2). */
export function isDigestAlgorithm(value: unknown): value is DigestAlgorithm {
  return value === 'sha-256' || value === 'sha-512'
}

/** The raw digest bytes of a body (RFC 9530 §2): a hash of the exact bytes, never re-serialized JSON. */
export function digestBody(body: BodyInput, algorithm: DigestAlgorithm): Buffer {
  // crypto.hash (Node 20.12+): one call, no Hash object; a string is hashed as its UTF-8 bytes.
  return hash(NODE_HASH[algorithm], typeof body === 'string' ? body : toBytes(body), 'buffer')
}

/**
 * The `Content-Digest` field value for a body (RFC 9530), e.g. `sha-256=:X48E…PE=:`.
 * @param algorithm A2: `sha-256` (default) or `sha-512`.
 */
export function createContentDigest(
  body: BodyInput,
  algorithm: DigestAlgorithm = DEFAULT_DIGEST_ALGORITHM,
): string {
  // A one-member dictionary whose value is a byte sequence serializes to exactly this (RFC 8941
  // §4.1.2, §4.1.8). Written directly: structured-headers' byte-by-byte base64 costs more than
  // the hash itself, and this is on the signing hot path.
  const data = typeof body === 'string' ? body : toBytes(body)
  return `${algorithm}=:${hash(NODE_HASH[algorithm], data, 'base64')}:`
}

/** Why a `Content-Digest` value does not vouch for a body. */
export type ContentDigestProblem =
  | { problem: 'malformed' }
  | { problem: 'unsupported'; algorithms: string[] }
  | { problem: 'mismatch'; algorithm: DigestAlgorithm }

/**
 * Checks a `Content-Digest` value against the raw body (RFC 9421 §7.2.8): every `sha-256` and
 * `sha-512` member must match; other algorithms are ignored; at least one must be checkable (A2).
 * @returns `undefined` when the digest holds, else the problem.
 */
export function checkContentDigest(
  fieldValue: string,
  body: BodyInput,
): ContentDigestProblem | undefined {
  let dictionary: Dictionary
  try {
    dictionary = parseDictionary(fieldValue)
  } catch {
    return { problem: 'malformed' }
  }
  if (dictionary.size === 0) return { problem: 'malformed' }
  const bytes = toBytes(body)
  let checked = 0
  for (const [algorithm, member] of dictionary) {
    if (!isDigestAlgorithm(algorithm)) continue
    const received = member[0]
    if (!(received instanceof ArrayBuffer)) return { problem: 'malformed' }
    const expected = digestBody(bytes, algorithm)
    // timingSafeEqual throws on different lengths, so compare the lengths first.
    if (
      received.byteLength !== expected.byteLength ||
      !timingSafeEqual(new Uint8Array(received), expected)
    ) {
      return { problem: 'mismatch', algorithm }
    }
    checked++
  }
  if (checked === 0) return { problem: 'unsupported', algorithms: [...dictionary.keys()] }
  return undefined
}
