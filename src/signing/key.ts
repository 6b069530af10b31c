import { KitError } from '../errors.js'
import { DEFAULT_KEY_ENCODING, type KeyEncoding } from './profile.js'

const WHSEC_PREFIX = 'whsec_'

/**
 * An HMAC key as `createHmac` takes it: the token string (hashed as its UTF-8 bytes) or bytes.
 * Plain values rather than a `KeyObject`: `createSecretKey` costs more than a whole HMAC here.
 */
export type HmacKey = string | Uint8Array

/**
 * The HMAC key for a webhook token (A1). `utf8` (default): the token's UTF-8 bytes as IDaaS shows
 * it. `base64`: strip an optional `whsec_` prefix, then base64-decode the rest.
 * @throws KitError when the token is empty or decodes to no bytes.
 */
export function deriveHmacKey(
  token: string,
  keyEncoding: KeyEncoding = DEFAULT_KEY_ENCODING,
  action = 'sign delivery',
): HmacKey {
  if (typeof token !== 'string' || token === '') {
    throw new KitError(`Failed to ${action}: option "token" must be a non-empty string.`)
  }
  if (keyEncoding === 'utf8') return token
  if (keyEncoding === 'base64') {
    const encoded = token.startsWith(WHSEC_PREFIX) ? token.slice(WHSEC_PREFIX.length) : token
    // Node's decoder is lenient: it accepts missing "=" padding (the OpenAPI example token has 55
    // characters after "whsec_") and the base64url alphabet.
    const key = Buffer.from(encoded, 'base64')
    if (key.byteLength === 0) {
      throw new KitError(
        `Failed to ${action}: option "token" decodes to no bytes with option "keyEncoding" "base64". Is the token base64?`,
      )
    }
    return key
  }
  throw new KitError(
    `Failed to ${action}: option "keyEncoding" must be "utf8" or "base64", got "${String(keyEncoding)}".`,
  )
}
