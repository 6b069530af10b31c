import {
  type Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
} from 'node:http'
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { KitError } from '../errors.js'

/**
 * A URL as it may be shown in messages and reports: without user name, password, query or
 * fragment, where credentials and tokens live. Send to the full URL; show this one.
 * @internal
 */
export function redactUrl(url: string | URL): string {
  const shown = new URL(url)
  shown.username = ''
  shown.password = ''
  shown.search = ''
  shown.hash = ''
  return shown.href
}

/** One HTTP request sent byte for byte: no JSON re-serialization, no decompression. @internal */
export interface RawHttpRequest {
  url: URL
  method: string
  /** Header pairs in the order to send them; `host` is derived from `url`. */
  headers: ReadonlyArray<readonly [string, string]>
  body?: Uint8Array | undefined
  /** Extra trusted CA certificates (PEM) for an HTTPS URL, e.g. a self-signed receiver's. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer> | undefined
  agent?: HttpAgent | HttpsAgent | undefined
  signal?: AbortSignal | undefined
  /** Give up (and reject) after this many milliseconds. @default 30000 */
  timeoutMs?: number | undefined
}

/** The response to a {@link RawHttpRequest}, body read in full. @internal */
export interface RawHttpResponse {
  status: number
  statusText: string
  /** `[name, value, name, value, …]` exactly as received. */
  rawHeaders: string[]
  headers: IncomingHttpHeaders
  body: Buffer
}

/**
 * Sends a request with `node:http(s)` and reads the whole response. Rejects with Node's error
 * (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`…), with `signal.reason`, or on the timeout.
 * @internal
 */
export function sendRaw(request: RawHttpRequest): Promise<RawHttpResponse> {
  const { url } = request
  const secure = url.protocol === 'https:'
  if (!secure && url.protocol !== 'http:') {
    return Promise.reject(
      new KitError(`Failed to send to "${url.href}": only http: and https: URLs are supported.`),
    )
  }
  const send = secure ? httpsRequest : httpRequest
  return new Promise<RawHttpResponse>((resolve, reject) => {
    // Raw header pairs keep their order and case, but Node then adds no Host header itself.
    const outgoing: string[] = []
    let hasHost = false
    for (const [name, value] of request.headers) {
      if (name.toLowerCase() === 'host') hasHost = true
      outgoing.push(name, value)
    }
    if (!hasHost) outgoing.unshift('Host', url.host)
    const req = send(url, {
      method: request.method,
      headers: outgoing,
      ...(request.agent ? { agent: request.agent } : {}),
      ...(secure && request.ca !== undefined
        ? { ca: request.ca as string | Buffer | Array<string | Buffer>, minVersion: 'TLSv1.2' }
        : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      timeout: request.timeoutMs ?? 30_000,
    })
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`No response within ${request.timeoutMs ?? 30_000} ms.`), {
          code: 'ETIMEDOUT',
        }),
      ),
    )
    req.on('error', (error) => reject(request.signal?.aborted ? request.signal.reason : error))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          rawHeaders: res.rawHeaders,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      )
    })
    req.end(request.body === undefined ? undefined : Buffer.from(request.body))
  })
}

type FetchLikeFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/**
 * A `fetch` for the delivery engine that trusts extra CA certificates (a self-signed receiver)
 * without touching the process: `node:https` with `ca`, TLS 1.2 minimum, redirects never followed.
 * @internal
 */
export function createCaFetch(ca: string | Buffer | ReadonlyArray<string | Buffer>): FetchLikeFn {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers: [string, string][] = []
    for (const [name, value] of new Headers(init.headers)) headers.push([name, value])
    const body =
      init.body === undefined || init.body === null
        ? undefined
        : typeof init.body === 'string'
          ? new TextEncoder().encode(init.body)
          : init.body instanceof Uint8Array
            ? init.body
            : new Uint8Array(await new Response(init.body).arrayBuffer())
    if (body !== undefined) headers.push(['content-length', String(body.byteLength)])
    const response = await sendRaw({
      url,
      method: init.method ?? 'GET',
      headers,
      body,
      ca,
      signal: init.signal ?? undefined,
    })
    const responseHeaders = new Headers()
    for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) {
      try {
        responseHeaders.append(
          response.rawHeaders[i] as string,
          response.rawHeaders[i + 1] as string,
        )
      } catch {
        // A header the Fetch API refuses (e.g. a bad name) is dropped, as fetch would.
      }
    }
    const status = response.status
    const content = NULL_BODY_STATUSES.has(status) ? null : new Uint8Array(response.body)
    return new Response(content, {
      status,
      statusText: response.statusText,
      headers: responseHeaders,
    })
  }
}
