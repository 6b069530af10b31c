import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { TLSSocket } from 'node:tls'
import { RESPONSE_BODY_LIMIT } from './response-body.js'

// The engine's default way to send an attempt: one POST on node:http(s) with keep-alive agents.
// Hand-written instead of the global fetch because fetch (undici) costs the engine most of its
// time on loopback: a CPU profile of 16 deliveries in flight put 66 % of it in undici, 23 % in
// its writev and 15 % in web streams; this sends the same bytes and reads the answer straight
// from the socket. `http.request` is looked up on the module at each call, so MSW's
// `setupServer()` (which patches it) sees every attempt, as it does with fetch.

/** What an attempt needs from a response: no web `Response`, no stream. */
export interface PostAnswer {
  status: number
  statusText: string
  /** The `Location` header, if any. */
  location: string | undefined
  /** The first {@link RESPONSE_BODY_LIMIT} bytes of the body, as text. */
  body: string
}

// Free sockets are closed after 4 s, before a Node server's default 5 s keep-alive timeout, so a
// retry never reuses a socket the receiver is closing. Idle sockets never keep a process alive
// (the agent unrefs them).
const FREE_SOCKET_TIMEOUT_MS = 4000
const httpAgent = new http.Agent({ keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS })
const httpsAgent = new https.Agent({ keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS })

/**
 * POSTs `body` to `url` with `headers` (plus `Content-Length`) and resolves once the whole
 * response has arrived. Redirects are never followed; TLS is Node's default (1.2+, Node's CA
 * store). Rejects with `signal.reason` when `signal` aborts (request and response destroyed),
 * else with a `TypeError('fetch failed')` whose `cause` is Node's error, as the global fetch does.
 * `onStatus` is told the status as soon as the headers arrive, before the body.
 */
export function postWithNode(
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal,
  onStatus?: (status: number) => void,
): Promise<PostAnswer> {
  return new Promise<PostAnswer>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const secure = url.protocol === 'https:'
    const bytes = Buffer.from(body, 'utf8')
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(bytes.byteLength) },
      agent: secure ? httpsAgent : httpAgent,
    })
    let settled = false
    const settle = (done: () => void) => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', onAbort)
      done()
    }
    const fail = (error: Error) =>
      settle(() => reject(new TypeError('fetch failed', { cause: error })))
    const onAbort = () => {
      settle(() => reject(signal.reason))
      request.destroy()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    request.once('error', fail)
    request.once('response', (incoming: IncomingMessage) => {
      onStatus?.(incoming.statusCode ?? 0)
      const kept: Buffer[] = []
      let keptBytes = 0
      incoming.on('data', (chunk: Buffer) => {
        if (keptBytes >= RESPONSE_BODY_LIMIT) return
        const slice = chunk.subarray(0, RESPONSE_BODY_LIMIT - keptBytes)
        kept.push(slice)
        keptBytes += slice.byteLength
      })
      incoming.once('error', fail)
      incoming.once('close', () => {
        if (!incoming.complete) fail(new Error('The connection closed before the response ended.'))
      })
      incoming.once('end', () => {
        const location = incoming.headers.location
        settle(() =>
          resolve({
            status: incoming.statusCode ?? 0,
            statusText: incoming.statusMessage ?? '',
            location,
            body: keptBytes === 0 ? '' : new TextDecoder().decode(Buffer.concat(kept)),
          }),
        )
      })
    })
    if (!secure) {
      request.end(bytes)
      return
    }
    // On a new TLS connection, write nothing before the handshake: a request written into a
    // failing handshake fails as "write EPROTO", while the global fetch reports the handshake's
    // own error (e.g. ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION). MSW's sockets are no TLSSocket.
    request.once('socket', (socket) => {
      if (socket instanceof TLSSocket && !request.reusedSocket) {
        socket.once('secureConnect', () => request.end(bytes))
      } else {
        request.end(bytes)
      }
    })
  })
}
