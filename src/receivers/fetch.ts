import type { RawDelivery } from '../signing/verify.js'
import { createReceiver, type IdaasHandlerOptions, type ReceiveOutcome } from './core.js'

/**
 * A Fetch API handler for IDaaS deliveries: Hono, Next.js route handlers, Bun, Deno, Cloudflare
 * Workers. Reads the raw bytes (up to `maxBodyBytes`, A14), verifies them, validates the event in
 * tolerant mode (A15) and answers 204; or 400 (JSON or event), 401 (signature), 405 (not POST),
 * 413 (size) or 500 (`onEvent` threw, or a misconfiguration such as a body already read).
 * @example
 * export const POST = createIdaasWebhookHandler({ token: process.env.IDAAS_WEBHOOK_TOKEN!, onEvent })
 */
export function createIdaasWebhookHandler(
  options: IdaasHandlerOptions,
): (request: Request) => Promise<Response> {
  const receiver = createReceiver(options)
  const handlers = options
  return async (request) => {
    let outcome: ReceiveOutcome
    if (request.bodyUsed) {
      outcome = receiver.reject(
        500,
        'receiver-misconfigured',
        'Failed to receive delivery: the request body was already read. Pass the request to the handler before reading it.',
      )
    } else {
      const body =
        request.method === 'POST' ? await readBody(request, receiver.maxBodyBytes) : EMPTY
      outcome =
        body === undefined
          ? receiver.rejectTooLarge()
          : receiver.receive(toRawDelivery(request, body))
    }
    const answer = outcome.ok
      ? await receiver.dispatch(outcome, handlers)
      : receiver.respond(outcome.rejection)
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  }
}

const EMPTY = new Uint8Array(0)

function toRawDelivery(request: Request, body: Uint8Array): RawDelivery {
  return { method: request.method, url: request.url, headers: request.headers, body }
}

/** The raw body, or `undefined` when it is larger than `limit` bytes (then it is not read in full). */
async function readBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > limit) {
    await request.body?.cancel()
    return undefined
  }
  if (!request.body) return EMPTY
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  return concat(chunks, total)
}

/** Joins chunks into one byte array. @internal */
export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0]
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
