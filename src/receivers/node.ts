import type { RawDelivery } from '../signing/verify.js'
import {
  type AcceptedDelivery,
  createReceiver,
  type IdaasEventHandlers,
  type IdaasHandlerOptions,
  type IdaasReceiverOptions,
  type ReceiveOutcome,
  type Receiver,
  type ReceiverResponse,
} from './core.js'
import { concat } from './fetch.js'

/**
 * The parts of node's `IncomingMessage` (and Express's `Request`) the kit uses. Structural, so
 * neither `@types/express` nor any framework's types are needed.
 */
export interface NodeRequestLike {
  method?: string | undefined
  /** Path and query as received; Express rewrites it under a mount path. */
  url?: string | undefined
  /** Express: the path and query before mount-path rewriting. Preferred over `url`. */
  originalUrl?: string | undefined
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** Set by body parsers. A `Buffer` (e.g. from `express.raw()`) is used as the raw body. */
  body?: unknown
  /** A `Buffer` kept by `express.json({ verify })` or similar; used as the raw body when present. */
  rawBody?: unknown
  /** True once the stream was read by someone else. */
  readableEnded?: boolean
  /** The socket; a TLS socket (`encrypted: true`) makes the scheme `https`. */
  socket?: object | null | undefined
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown
  on(event: 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** The parts of node's `ServerResponse` (and Express's `Response`) the kit uses. */
export interface NodeResponseLike {
  statusCode: number
  headersSent?: boolean
  setHeader(name: string, value: string): unknown
  end(body?: string): unknown
  /** Express's `res.locals`: the middleware puts the verified delivery at `res.locals.idaas`. */
  locals?: Record<string, unknown>
}

/** A `node:http` request handler: `http.createServer(handler)` or a route's callback. */
export type IdaasNodeHandler = (
  request: NodeRequestLike,
  response: NodeResponseLike,
) => Promise<void>

/** Connect/Express middleware: calls `next()` only after a verified delivery without `onEvent`. */
export type IdaasExpressMiddleware = (
  request: NodeRequestLike,
  response: NodeResponseLike,
  next: (error?: unknown) => void,
) => void

/** Options of {@link idaasExpressMiddleware}: without `onEvent`, the route after it handles the event. */
export interface IdaasExpressOptions extends IdaasReceiverOptions, Partial<IdaasEventHandlers> {}

/** What {@link idaasExpressMiddleware} leaves at `res.locals.idaas` before calling `next()`. */
export type IdaasExpressLocals = AcceptedDelivery

/**
 * A `node:http` handler for IDaaS deliveries: reads the raw stream (up to `maxBodyBytes`, A14),
 * verifies, validates in tolerant mode (A15), runs `onEvent` and answers 204; or 400 (JSON, event,
 * `Host`), 401 (signature), 405 (not POST), 413 (size) or 500 (`onEvent` threw, or a
 * misconfiguration such as a body already read). The returned promise never rejects.
 * @example
 * http.createServer(createIdaasNodeHandler({ token, onEvent })).listen(3000)
 */
export function createIdaasNodeHandler(options: IdaasHandlerOptions): IdaasNodeHandler {
  const receiver = createReceiver(options)
  return async (request, response) => {
    let answer: ReceiverResponse
    try {
      const outcome = await receiveNode(receiver, request)
      answer = outcome.ok
        ? await receiver.dispatch(outcome, options)
        : receiver.respond(outcome.rejection)
    } catch (error) {
      // A body stream that failed means the client went away: there is nobody left to answer.
      answer = error instanceof BodyStreamError ? ABORTED : receiver.fail(error)
    }
    send(response, answer)
  }
}

/**
 * Express (4 and 5) middleware for IDaaS deliveries. Mount it before `express.json()` or instead
 * of it: it reads the raw stream itself, or takes the `Buffer` that `express.raw()` left in
 * `req.body`. With `onEvent` it answers 204 itself; without, it replaces `req.body` with the
 * verified event, puts the delivery at `res.locals.idaas` and calls `next()`.
 * @example
 * app.post('/webhooks/idaas', idaasExpressMiddleware({ token }), (req, res) => {
 *   queue.add(req.body)
 *   res.sendStatus(204)
 * })
 */
export function idaasExpressMiddleware(options: IdaasExpressOptions): IdaasExpressMiddleware {
  const receiver = createReceiver(options)
  const { onEvent, onUnknownEvent } = options
  return (request, response, next) => {
    receiveNode(receiver, request)
      .then(async (outcome) => {
        if (!outcome.ok) return send(response, receiver.respond(outcome.rejection))
        if (onEvent) {
          const handlers = onUnknownEvent ? { onEvent, onUnknownEvent } : { onEvent }
          return send(response, await receiver.dispatch(outcome, handlers))
        }
        request.body = outcome.event
        if (response.locals) response.locals.idaas = outcome
        next()
      })
      .catch(next)
  }
}

async function receiveNode(receiver: Receiver, request: NodeRequestLike): Promise<ReceiveOutcome> {
  const method = request.method ?? 'GET'
  if (method !== 'POST') return receiver.receive(toRawDelivery(request, method, EMPTY))
  const body = await readNodeBody(request, receiver.maxBodyBytes)
  if (body === 'too-large') return receiver.rejectTooLarge()
  if (body === 'parsed' || body === 'consumed') {
    const what =
      body === 'parsed'
        ? 'a body parser (such as express.json()) already parsed the body'
        : 'the request stream was already read'
    return receiver.reject(
      500,
      'receiver-misconfigured',
      `Failed to receive delivery: ${what}, so its raw bytes cannot be verified. Mount the IDaaS middleware before express.json(), or use express.raw({ type: '*/*' }).`,
    )
  }
  return receiver.receive(toRawDelivery(request, method, body))
}

const EMPTY = new Uint8Array(0)
const ABORTED: ReceiverResponse = { status: 400, headers: {}, body: null }

/** The request stream failed, or closed before the body was complete. */
class BodyStreamError extends Error {
  override name = 'BodyStreamError'
}

function toRawDelivery(request: NodeRequestLike, method: string, body: Uint8Array): RawDelivery {
  const encrypted =
    (request.socket as { encrypted?: unknown } | null | undefined)?.encrypted === true
  const host = firstValue(request.headers.host) ?? firstValue(request.headers[':authority'])
  const path = request.originalUrl ?? request.url ?? '/'
  const url = `${encrypted ? 'https' : 'http'}://${host ?? 'localhost'}${path}`
  return { method, url, headers: request.headers, body }
}

function firstValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0]
}

type NodeBody = Uint8Array | 'too-large' | 'parsed' | 'consumed'

function readNodeBody(request: NodeRequestLike, limit: number): Promise<NodeBody> | NodeBody {
  for (const kept of [request.rawBody, request.body]) {
    if (kept instanceof Uint8Array) return kept.byteLength > limit ? 'too-large' : kept
  }
  if (request.body !== undefined) return 'parsed'
  if (request.readableEnded) return 'consumed'
  const declared = Number(firstValue(request.headers['content-length']) ?? Number.NaN)
  return new Promise<NodeBody>((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let total = declared > limit ? Number.POSITIVE_INFINITY : 0
    let settled = false
    const settle = (result: NodeBody) => {
      settled = true
      resolve(result)
    }
    // Past the limit, keep draining without storing, so the 413 reaches the client.
    if (total > limit) settle('too-large')
    request.on('data', (chunk) => {
      if (settled) return
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
      total += bytes.byteLength
      if (total > limit) settle('too-large')
      else chunks.push(bytes)
    })
    request.on('end', () => {
      if (!settled) settle(concat(chunks, total))
    })
    request.on('error', (error) => {
      if (!settled) {
        settled = true
        reject(
          new BodyStreamError('The request stream failed before the body was complete.', {
            cause: error,
          }),
        )
      }
    })
    request.on('close', () => {
      if (!settled) {
        settled = true
        reject(
          new BodyStreamError('The client closed the connection before the body was complete.'),
        )
      }
    })
  })
}

function send(response: NodeResponseLike, answer: ReceiverResponse): void {
  if (response.headersSent) return
  response.statusCode = answer.status
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value)
  // A 413 is sent before the body was read in full: close the connection after it.
  if (answer.status === 413) response.setHeader('connection', 'close')
  response.end(answer.body ?? undefined)
}
