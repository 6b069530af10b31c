import { createInProcessFetch, type FetchLike, type FetchReceiver } from '../delivery/in-process.js'
import {
  createNodeFetch,
  NULL_BODY_STATUSES,
  safeStatus,
  withStatus,
} from '../delivery/node-fetch.js'
import type { CaCertificates } from '../delivery/pem.js'
import { X_SHA2_HEADER } from '../signing/x-sha2.js'

/**
 * The most of a response body the verifier reads, in bytes. IDaaS needs no body; reading a
 * receiver's 50 MB answer in full would only cost time and memory, so the rest is discarded and
 * the connection closed.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024

/** How requests reach the receiver during one run. */
export interface VerifyTransport {
  /** Sends to the receiver, whatever URL it is given (the signed URL may be the public one, A5). */
  fetch: FetchLike
  /** Every `Signature` and `x-sha2-signature` value sent, so that reports can redact them from echoed response bodies. */
  readonly signatures: ReadonlySet<string>
  /** How many response bodies were cut at {@link MAX_RESPONSE_BYTES}. */
  readonly truncatedBodies: number
  /** Closes every connection the run opened; nothing is left to keep the process alive. */
  close(): void
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** Where every request goes. */
  sendUrl: string
  /** Extra trusted CA certificates for https. */
  ca?: CaCertificates | undefined
  /** A replacement for the node:http client. */
  fetch?: FetchLike | undefined
}

/** A transport to a URL (node:http/https with its own keep-alive agents) or to an in-process handler. */
export function createTransport(
  target: { handler: FetchReceiver } | { url: string },
  options: TransportOptions,
): VerifyTransport {
  const signatures = new Set<string>()
  let truncatedBodies = 0
  let close = () => {}
  let base: FetchLike
  if ('handler' in target) {
    base = inProcess(target.handler)
  } else if (options.fetch) {
    base = options.fetch
  } else {
    const client = createNodeFetch(options.ca)
    base = client.fetch
    close = client.close
  }
  const fetch: FetchLike = async (_input, init) => {
    recordSignature(init?.headers, signatures)
    const response = await base(options.sendUrl, init)
    return capBody(response, MAX_RESPONSE_BYTES, () => {
      truncatedBodies++
    })
  }
  return {
    fetch,
    signatures,
    get truncatedBodies() {
      return truncatedBodies
    },
    close,
  }
}

function recordSignature(headers: HeadersInit | undefined, signatures: Set<string>): void {
  if (headers === undefined) return
  const fields = new Headers(headers)
  // The older header's hex value is a signature too (A17); keep it out of reports as well.
  const older = fields.get(X_SHA2_HEADER)?.trim()
  if (older !== undefined && older.length >= 16) signatures.add(older)
  const value = fields.get('signature')
  if (value === null) return
  for (const match of value.matchAll(/:([A-Za-z0-9+/=_-]{16,}):/g)) {
    if (match[1]) signatures.add(match[1])
  }
}

/** An in-process handler: a throw becomes a network-like failure instead of ending the run. */
function inProcess(handler: FetchReceiver): FetchLike {
  const fetch = createInProcessFetch(handler)
  return async (input, init) => {
    try {
      return await fetch(input, init)
    } catch (error) {
      if (init?.signal?.aborted) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new TypeError('fetch failed', { cause: new Error(`the handler threw: ${message}`) })
    }
  }
}

/** The same response with a body stream that ends after `limit` bytes and cancels the rest. */
export function capBody(response: Response, limit: number, onTruncated: () => void): Response {
  const source = response.body
  if (source === null || NULL_BODY_STATUSES.has(response.status) || response.status < 200) {
    return response
  }
  const reader = source.getReader()
  let seen = 0
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read()
      if (done) {
        controller.close()
        return
      }
      const room = limit - seen
      if (value.byteLength < room) {
        seen += value.byteLength
        controller.enqueue(value)
        return
      }
      controller.enqueue(value.subarray(0, room))
      seen = limit
      onTruncated()
      controller.close()
      reader.cancel().catch(() => {})
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
  return withStatus(
    new Response(stream, { status: safeStatus(response.status), headers: response.headers }),
    response.status,
    response.statusText,
  )
}
