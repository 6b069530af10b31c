import { REDACTED } from './internal/redact.js'

/**
 * Why `url` cannot be a delivery target, or `undefined` when it can: a URL with a user name or
 * password (`http://user:pass@host/…`) is refused, because IDaaS signs the URL (`@target-uri`)
 * and a receiver cannot rebuild a URL with credentials from the request it gets. The text shows
 * the URL with its credentials replaced and without its query, never the credentials.
 * @example urlCredentialsProblem(new URL('http://u:p@h/x')) // 'credentials in URLs are not supported, …'
 */
export function urlCredentialsProblem(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined
  return `credentials in URLs are not supported, because IDaaS signs the URL; got "${hideUrlCredentials(url.href)}"`
}

/** `text` as it may be shown: when it parses as a URL with credentials, they are replaced. */
export function hideUrlCredentials(text: string): string {
  if (!URL.canParse(text)) return text
  const url = new URL(text)
  if (url.username === '' && url.password === '') return text
  return `${url.protocol}//${REDACTED}@${url.host}${url.pathname}`
}
