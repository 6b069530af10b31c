import { type BodyInput, toBytes } from './bytes.js'
import { IDAAS_METHOD } from './profile.js'
import {
  type SchemeSignedHeaders,
  type SchemeSignOptions,
  type SignDeliveryOptions,
  type SignedDeliveryHeaders,
  signDelivery,
} from './sign.js'

/** A complete signed request: what to send with `fetch`, or what a receiver test feeds a handler. */
export interface SignedDelivery {
  /** `POST` for every IDaaS delivery. */
  method: string
  /** The URL to send the request to. */
  url: string
  /** The headers, e.g. those {@link signDelivery} returns. */
  headers: Record<string, string>
  /** The raw body; send it exactly as it is (both forms are a valid `fetch` body). */
  body: string | Uint8Array<ArrayBuffer>
}

/**
 * Signs a body like {@link signDelivery} and returns the whole request, ready for `fetch`.
 * @example
 * const { url, ...init } = createSignedDelivery({ url: target, body, token })
 * await fetch(url, init)
 */
export function createSignedDelivery(
  options: SchemeSignOptions,
): SignedDelivery & { headers: SchemeSignedHeaders }
export function createSignedDelivery(
  options: SignDeliveryOptions,
): SignedDelivery & { headers: SignedDeliveryHeaders }
export function createSignedDelivery(
  options: SignDeliveryOptions | SchemeSignOptions,
): SignedDelivery & { headers: SchemeSignedHeaders } {
  const headers: SchemeSignedHeaders =
    'schemes' in options ? signDelivery(options) : signDelivery(options)
  return {
    method: options.method ?? IDAAS_METHOD,
    url: String(options.url),
    headers: { ...headers } as Record<string, string> & SchemeSignedHeaders,
    body: copyBody(options.body),
  }
}

function copyBody(body: BodyInput): string | Uint8Array<ArrayBuffer> {
  return typeof body === 'string' ? body : toBytes(body).slice()
}
