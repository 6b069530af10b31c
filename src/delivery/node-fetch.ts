import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { FetchLike } from './in-process.js'
import type { CaCertificates } from './pem.js'
import { toTlsCa } from './pem-buffers.js'

// A small fetch on node:http/https, for the two callers that need what the global fetch cannot
// give on Node 20 without undici: extra CA certificates (a self-signed receiver) and agents of
// their own to close (verify, replay). The body is streamed, so a caller can cap what it reads.

/** Statuses whose response has no body. */
export const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/** `new Response()` only takes 200–599; keep any other status the receiver sent. */
export function safeStatus(status: number): number {
  return status >= 200 && status <= 599 ? status : 500
}

/** `response` reporting `status` and `statusText`, whatever `new Response()` accepted. */
export function withStatus(response: Response, status: number, statusText: string): Response {
  if (response.status !== status) Object.defineProperty(response, 'status', { value: status })
  if (statusText !== response.statusText) {
    Object.defineProperty(response, 'statusText', { value: statusText })
  }
  return response
}

/** A node:http(s) `fetch` and the way to close its connections. */
export interface NodeFetch {
  fetch: FetchLike
  close(): void
}

/**
 * A minimal `fetch` on node:http/https: keep-alive agents owned by the run (destroyed by
 * `close`), optional CA certificates, redirects never followed, TLS 1.2+ (Node's default).
 */
export function createNodeFetch(ca: CaCertificates | undefined): NodeFetch {
  const httpAgent = new HttpAgent({ keepAlive: true })
  const caOption = ca === undefined ? {} : { ca: toTlsCa(ca) }
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
  throw new TypeError('The node client sends string or byte bodies only.')
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
