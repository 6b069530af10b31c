import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { createInProcessFetch, type FetchLike, type FetchReceiver } from '../delivery/in-process.js'

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
  /** Every `Signature` value sent, so that reports can redact them from echoed response bodies. */
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
  ca?: string | Buffer | ReadonlyArray<string | Buffer> | undefined
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
  const value = new Headers(headers).get('signature')
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

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

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

/** `new Response()` only takes 200–599; keep any other status the receiver sent. */
function safeStatus(status: number): number {
  return status >= 200 && status <= 599 ? status : 500
}

function withStatus(response: Response, status: number, statusText: string): Response {
  if (response.status !== status) Object.defineProperty(response, 'status', { value: status })
  if (statusText !== response.statusText) {
    Object.defineProperty(response, 'statusText', { value: statusText })
  }
  return response
}

interface NodeFetch {
  fetch: FetchLike
  close(): void
}

/**
 * A minimal `fetch` on node:http/https: keep-alive agents owned by the run (destroyed by
 * `close`), optional CA certificates, redirects never followed, TLS 1.2+ (Node's default).
 */
function createNodeFetch(ca: TransportOptions['ca']): NodeFetch {
  const httpAgent = new HttpAgent({ keepAlive: true })
  const caOption =
    ca === undefined ? {} : { ca: typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca] }
  const httpsAgent = new HttpsAgent({ keepAlive: true, ...caOption })
  const fetch: FetchLike = (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input)
      const signal = init.signal ?? undefined
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const https = url.protocol === 'https:'
      const headers = Object.fromEntries(new Headers(init.headers ?? {}))
      const body = init.body === undefined || init.body === null ? undefined : toBuffer(init.body)
      if (body !== undefined) headers['content-length'] = String(body.byteLength)
      const request = (https ? httpsRequest : httpRequest)(url, {
        method: init.method ?? 'GET',
        headers,
        agent: https ? httpsAgent : httpAgent,
      })
      let settled = false
      const onAbort = () => {
        request.destroy(signal?.reason instanceof Error ? signal.reason : undefined)
        if (!settled) {
          settled = true
          reject(signal?.reason)
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      request.once('error', (error) => {
        signal?.removeEventListener('abort', onAbort)
        if (!settled) {
          settled = true
          reject(new TypeError('fetch failed', { cause: error }))
        }
      })
      request.once('response', (incoming) => {
        settled = true
        const cleanup = () => signal?.removeEventListener('abort', onAbort)
        resolve(toResponse(incoming, cleanup))
      })
      request.end(body)
    })
  return {
    fetch,
    close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    },
  }
}

function toBuffer(body: BodyInit): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  throw new TypeError('The verifier sends string or byte bodies only.')
}

function toResponse(incoming: IncomingMessage, cleanup: () => void): Response {
  const status = incoming.statusCode ?? 0
  const headers = new Headers()
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue
    try {
      headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    } catch {
      // A value Headers refuses (non-Latin-1): the verifier reads only status, Location and body.
    }
  }
  const statusText = incoming.statusMessage ?? ''
  if (NULL_BODY_STATUSES.has(status) || status < 200) {
    incoming.resume()
    incoming.once('end', cleanup)
    return withStatus(new Response(null, { status: 204, headers }), status, statusText)
  }
  let finished = false
  const finish = () => {
    const first = !finished
    finished = true
    cleanup()
    return first
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        incoming.on('data', (chunk: Buffer) => {
          if (finished) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause()
        })
        incoming.once('end', () => {
          if (finish()) controller.close()
        })
        incoming.once('error', (error) => {
          if (finish()) controller.error(error)
        })
        incoming.once('close', () => {
          if (finish())
            controller.error(new Error('The connection closed before the response ended.'))
        })
      },
      pull() {
        incoming.resume()
      },
      cancel() {
        finish()
        incoming.destroy()
      },
    },
    { highWaterMark: 1 },
  )
  return withStatus(
    new Response(stream, { status: safeStatus(status), headers }),
    status,
    statusText,
  )
}
