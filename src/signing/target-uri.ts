import { KitError } from '../errors.js'

/**
 * A5: where the verifier takes `@target-uri` from. A string or URL is the callback URL exactly as
 * registered in IDaaS; a function maps the URL the receiver saw to the one IDaaS signed.
 */
export type PublicUrlOption = string | URL | ((receivedUrl: string) => string | URL)

/**
 * The `@target-uri` value of a URL (A5): WHATWG-normalized (lowercase scheme and host, default
 * port dropped, empty path as "/") and without a fragment, which is never part of a target URI.
 * @returns `undefined` when `url` is not an absolute URL.
 */
export function toTargetUri(url: string | URL): string | undefined {
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

/** The `@target-uri` a verifier rebuilds: from `publicUrl` when set (A5), else the received URL. */
export function resolveTargetUri(
  receivedUrl: string,
  publicUrl: PublicUrlOption | undefined,
): string {
  const chosen =
    typeof publicUrl === 'function' ? publicUrl(receivedUrl) : (publicUrl ?? receivedUrl)
  const targetUri = toTargetUri(chosen)
  if (targetUri !== undefined) return targetUri
  const what = publicUrl === undefined ? 'the request URL' : 'option "publicUrl"'
  throw new KitError(
    `Failed to verify signature: ${what} "${String(chosen)}" is not an absolute URL. Pass the URL registered in IDaaS as option "publicUrl".`,
  )
}
