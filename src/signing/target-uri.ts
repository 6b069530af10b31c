import { KitError } from '../errors.js'

/**
 * A5: where the verifier takes `@target-uri` from. A string or URL is the callback URL registered
 * in IDaaS; a function maps the URL the receiver saw to the one IDaaS signed.
 */
export type PublicUrlOption = string | URL | ((receivedUrl: string) => string | URL)

/**
 * A5: how a URL becomes `@target-uri`. `normalized`: the WHATWG URL serialization (lowercase
 * scheme and host, default port dropped, empty path as "/", non-ASCII percent-encoded).
 * `exact`: the URL string byte for byte as given (a `URL` object is already normalized). Both drop
 * a fragment, which is never part of a target URI.
 */
export type TargetUriForm = 'normalized' | 'exact'

/** A5: the form the kit signs and verifies unless told otherwise. */
export const DEFAULT_TARGET_URI_FORM: TargetUriForm = 'normalized'

// Space and ASCII control characters: the WHATWG parser silently strips or drops them, so a URL
// holding one cannot be signed "as given".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_VERBATIM = /[\x00-\x20\x7f]/

/**
 * The `@target-uri` value of a URL (A5) in the given form, without a fragment.
 * @returns `undefined` when `url` is not an absolute URL (or, `exact`, holds a space or control character).
 */
export function toTargetUri(
  url: string | URL,
  form: TargetUriForm = DEFAULT_TARGET_URI_FORM,
): string | undefined {
  if (form === 'exact') return toExactTargetUri(url)
  // A receiver sees the same URL delivery after delivery: remember the last one.
  if (typeof url === 'string' && url === last.input) return last.output
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  parsed.hash = ''
  if (typeof url === 'string') last = { input: url, output: parsed.href }
  return parsed.href
}

let last: { input: string; output: string } = { input: '', output: '' }

function toExactTargetUri(url: string | URL): string | undefined {
  const text = typeof url === 'string' ? url : url.href
  if (NOT_VERBATIM.test(text) || !URL.canParse(text)) return undefined
  const hash = text.indexOf('#')
  return hash === -1 ? text : text.slice(0, hash)
}

/** True for a {@link TargetUriForm}. */
export function isTargetUriForm(value: unknown): value is TargetUriForm {
  return value === 'normalized' || value === 'exact'
}

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i

/** A URL for a message: credentials (`user:password@`) replaced by `[redacted]`. */
export function urlForMessage(url: string): string {
  return url.replace(USERINFO, '$1[redacted]@')
}

/**
 * The `@target-uri` a verifier rebuilds: from `publicUrl` when set (A5), else the received URL.
 * @throws KitError when the chosen URL is not absolute.
 */
export function resolveTargetUri(
  receivedUrl: string,
  publicUrl: PublicUrlOption | undefined,
  form: TargetUriForm = DEFAULT_TARGET_URI_FORM,
): string {
  const chosen =
    typeof publicUrl === 'function' ? publicUrl(receivedUrl) : (publicUrl ?? receivedUrl)
  const targetUri = toTargetUri(chosen, form)
  if (targetUri !== undefined) return targetUri
  const what = publicUrl === undefined ? 'the request URL' : 'option "publicUrl"'
  const shape = form === 'exact' ? ' without spaces or control characters' : ''
  throw new KitError(
    `Failed to verify signature: ${what} "${urlForMessage(String(chosen))}" is not an absolute URL${shape}. Pass the URL registered in IDaaS as option "publicUrl".`,
  )
}
