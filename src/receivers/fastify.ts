import type { RawDelivery } from '../signing/verify.js'
import { createReceiver, type IdaasHandlerOptions, type ReceiverResponse } from './core.js'

/** The parts of a Fastify request the plugin uses (structural: no Fastify types needed). */
export interface FastifyRequestLike {
  method: string
  /** Path and query as received. */
  url: string
  /** Fastify 5: `http` or `https` (honours `trustProxy`). */
  protocol?: string
  /** Fastify 5: host and port (honours `trustProxy`). */
  host?: string
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The raw `Buffer` the plugin's content-type parser keeps. */
  body?: unknown
}

/** The parts of a Fastify reply the plugin uses. */
export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike
  header(name: string, value: string): FastifyReplyLike
  send(payload?: string): unknown
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): unknown
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (
      request: unknown,
      body: Buffer,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): unknown
  setErrorHandler(
    handler: (error: { statusCode?: number }, request: unknown, reply: FastifyReplyLike) => unknown,
  ): unknown
  post(
    path: string,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown
}

/** Options of {@link idaasFastifyPlugin}: the receiver options plus the route's path. */
export interface IdaasFastifyPluginOptions extends IdaasHandlerOptions {
  /** The route to add, relative to the plugin's prefix. @default '/' */
  path?: string
}

/**
 * A Fastify plugin that adds a `POST` route for IDaaS deliveries. Inside its own encapsulated
 * context it replaces the content-type parsers with one that keeps the raw `Buffer` (up to
 * `maxBodyBytes`, A14), so the rest of the app keeps Fastify's JSON parser.
 * @example
 * await app.register(idaasFastifyPlugin, { path: '/webhooks/idaas', token, onEvent })
 */
export async function idaasFastifyPlugin(
  fastify: FastifyInstanceLike,
  options: IdaasFastifyPluginOptions,
): Promise<void> {
  const receiver = createReceiver(options)
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: receiver.maxBodyBytes },
    (_request, body, done) => done(null, body),
  )
  fastify.setErrorHandler((error, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500
    const outcome =
      status === 413
        ? receiver.rejectTooLarge()
        : receiver.reject(
            status,
            status < 500 ? 'bad-request' : 'receiver-misconfigured',
            'Failed to receive delivery: the request could not be read.',
          )
    return send(reply, receiver.respond(outcome.rejection))
  })
  fastify.post(options.path ?? '/', async (request, reply) => {
    const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0)
    const outcome = receiver.receive(toRawDelivery(request, body))
    const answer = outcome.ok
      ? await receiver.dispatch(outcome, options)
      : receiver.respond(outcome.rejection)
    return send(reply, answer)
  })
}

function toRawDelivery(request: FastifyRequestLike, body: Uint8Array): RawDelivery {
  const hostHeader = request.headers.host
  const host = request.host ?? (typeof hostHeader === 'string' ? hostHeader : 'localhost')
  const url = `${request.protocol ?? 'http'}://${host}${request.url}`
  return { method: request.method, url, headers: request.headers, body }
}

function send(reply: FastifyReplyLike, answer: ReceiverResponse): unknown {
  let sending = reply.code(answer.status)
  for (const [name, value] of Object.entries(answer.headers)) sending = sending.header(name, value)
  return answer.body === null ? sending.send() : sending.send(answer.body)
}
