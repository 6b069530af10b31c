import {
  type Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
} from 'node:http'
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { KitError } from '../../errors.js'

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
  /** Give up (and reject) after this many milliseconds without any socket activity. @default 30000 */
  timeoutMs?: number | undefined
  /**
   * Give up after this many milliseconds in total, headers and body, however the peer trickles.
   * @default no total limit
   */
  totalTimeoutMs?: number | undefined
  /** Give up as soon as the response body is larger than this many bytes. @default no limit */
  maxResponseBytes?: number | undefined
}

/** Why {@link sendRaw} gave up on its own limits: `code` says which. @internal */
export class RawHttpLimitError extends Error {
  override name = 'RawHttpLimitError' as const
  constructor(
    readonly code: 'ERESPONSETOOLARGE' | 'ETOTALTIMEOUT',
    message: string,
  ) {
    super(message)
  }
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
 * (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`…), with `signal.reason`, on the idle timeout,
 * or with a {@link RawHttpLimitError} past `totalTimeoutMs` or `maxResponseBytes`; the socket is
 * destroyed then, so no more of the answer is read or kept.
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
    let total: ReturnType<typeof setTimeout> | undefined
    const finish = () => {
      if (total !== undefined) clearTimeout(total)
    }
    if (request.totalTimeoutMs !== undefined) {
      const ms = request.totalTimeoutMs
      total = setTimeout(
        () =>
          req.destroy(
            new RawHttpLimitError('ETOTALTIMEOUT', `no complete answer within ${ms} ms in total`),
          ),
        ms,
      )
    }
    req.on('error', (error) => {
      finish()
      reject(request.signal?.aborted ? request.signal.reason : error)
    })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let received = 0
      const limit = request.maxResponseBytes
      res.on('data', (chunk: Buffer) => {
        received += chunk.byteLength
        if (limit !== undefined && received > limit) {
          chunks.length = 0
          req.destroy(
            new RawHttpLimitError('ERESPONSETOOLARGE', `the answer is larger than ${limit} bytes`),
          )
          return
        }
        chunks.push(chunk)
      })
      res.on('error', (error) => {
        finish()
        reject(error)
      })
      res.on('end', () => {
        finish()
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          rawHeaders: res.rawHeaders,
          headers: res.headers,
          body: Buffer.concat(chunks),
        })
      })
    })
    req.end(request.body === undefined ? undefined : Buffer.from(request.body))
  })
}
