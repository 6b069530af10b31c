// Receivers for the verify tests: a good one and one built to break each check. Fetch-API
// handlers, verified in-process with no port. Not a test file (vitest only runs *.test.ts).
import { createHash, createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'vitest'
import {
  createIdaasWebhookHandler,
  type FetchReceiver,
  type IdaasHandlerOptions,
  type VerifyCheckId,
  type VerifyCheckResult,
  type VerifyReceiverOptions,
  type VerifyReport,
  verifyDelivery,
} from '../../src/index.js'
import { verifyReceiver } from '../../src/testing.js'

/** The token every receiver here verifies with. */
export const TOKEN = 'whsec_verify-tests-0123456789abcdefghijklmnopqrstuv'

/** The reference receiver: the kit's Fetch handler, answering 204. */
export function goodReceiver(options: Partial<IdaasHandlerOptions> = {}): FetchReceiver {
  return createIdaasWebhookHandler({
    token: TOKEN,
    onEvent: () => {},
    onError: () => {},
    ...options,
  })
}

/** Verifies `handler` in-process with {@link TOKEN}. */
export function verifyHandler(
  handler: FetchReceiver,
  options: Partial<VerifyReceiverOptions> = {},
): Promise<VerifyReport> {
  return verifyReceiver({ handler }, { token: TOKEN, ...options })
}

/** The result of one check; fails the test when it is missing. */
export function check(report: VerifyReport, id: VerifyCheckId): VerifyCheckResult {
  const result = report.checks.find((c) => c.id === id)
  expect(result, id).toBeDefined()
  return result as VerifyCheckResult
}

/** The ids of the checks that ran and failed. */
export function failedIds(report: VerifyReport): VerifyCheckId[] {
  return report.checks.filter((c) => c.status === 'failed').map((c) => c.id)
}

/** The envelope `type` of a request, read from a clone. */
export async function typeOf(request: Request): Promise<string | undefined> {
  try {
    return (JSON.parse(await request.clone().text()) as { type?: string }).type
  } catch {
    return undefined
  }
}

/** Answers `status` (default 400) to one event type, like a receiver with a type allow-list. */
export function rejectingType(type: string, status = 400): FetchReceiver {
  const good = goodReceiver()
  return async (request) =>
    (await typeOf(request)) === type
      ? Response.json({ error: 'unsupported event type' }, { status })
      : good(request)
}

/** Takes `ms` before answering one event type (a synchronous job in the handler). */
export function slowOn(type: string, ms: number): FetchReceiver {
  const good = goodReceiver()
  return async (request) => {
    if ((await typeOf(request)) === type) await sleep(ms)
    return good(request)
  }
}

/** Redirects one event type, or every request, with 307. */
export function redirecting(type: string | 'all'): FetchReceiver {
  const good = goodReceiver()
  return async (request) =>
    type === 'all' || (await typeOf(request)) === type
      ? new Response(null, {
          status: 307,
          headers: { location: 'https://elsewhere.example/hooks' },
        })
      : good(request)
}

/** Answers 409 to an envelope id it has seen: a redelivery is refused. */
export function refusingRedelivery(): FetchReceiver {
  const good = goodReceiver()
  const seen = new Set<string>()
  return async (request) => {
    const id = (JSON.parse(await request.clone().text()) as { id?: string }).id ?? ''
    const response = await good(request)
    if (response.status !== 204) return response
    if (seen.has(id)) return Response.json({ error: 'duplicate' }, { status: 409 })
    seen.add(id)
    return response
  }
}

/** Holds each request 5 ms and answers 503 above `limit` requests in flight. */
export function overloaded(limit: number): FetchReceiver {
  const good = goodReceiver()
  let inFlight = 0
  return async (request) => {
    inFlight++
    try {
      if (inFlight > limit) return new Response('busy', { status: 503 })
      await sleep(5)
      return await good(request)
    } finally {
      inFlight--
    }
  }
}

/** Verifies the signature over `JSON.stringify(JSON.parse(body))`: the re-serialization bug. */
export function reserializing(): FetchReceiver {
  return async (request) => {
    const text = await request.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return new Response(null, { status: 400 })
    }
    const result = await verifyDelivery(
      {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: JSON.stringify(parsed),
      },
      { token: TOKEN },
    )
    return result.ok
      ? new Response(null, { status: 204 })
      : Response.json({ error: result.reason }, { status: 401 })
  }
}

/** Which parts of the signing profile {@link handRolled} checks; every one by default. */
export interface HandRolledChecks {
  /** Refuse a delivery without Content-Digest, Signature-Input or Signature. */
  requireSignature?: boolean
  /** The label must be "sig". */
  label?: boolean
  /** `alg`, when present, must be "hmac-sha256". */
  alg?: boolean
  /** Content-Digest must be the sha-256 of the raw body. */
  digest?: boolean
  /** `created` within 300 s in the past and 60 s in the future. */
  created?: boolean
}

const deny = (reason: string) => Response.json({ error: reason }, { status: 401 })

/**
 * A hand-written verifier, as receivers often have: with every check on it is correct; each flag
 * turned off is a classic bug (no label check, no alg check, digest not compared, no replay window).
 */
export function handRolled(checks: HandRolledChecks = {}): FetchReceiver {
  return async (request) => {
    const body = new Uint8Array(await request.arrayBuffer())
    const digest = request.headers.get('content-digest')
    const input = request.headers.get('signature-input')
    const signature = request.headers.get('signature')
    if (digest === null || input === null || signature === null) {
      return checks.requireSignature === false
        ? new Response(null, { status: 204 })
        : deny('missing')
    }
    const member = /^([a-z0-9_.*-]+)=(\("@method" "@target-uri" "content-digest"\).*)$/.exec(input)
    if (!member) return deny('profile')
    const [, label, params = ''] = member
    if (checks.label !== false && label !== 'sig') return deny('label')
    const alg = /;alg="([^"]*)"/.exec(params)?.[1]
    if (checks.alg !== false && alg !== undefined && alg !== 'hmac-sha256') return deny('alg')
    const created = Number(/;created=(\d+)/.exec(params)?.[1] ?? Number.NaN)
    const now = Math.floor(Date.now() / 1000)
    if (checks.created !== false && !(created >= now - 300 && created <= now + 60)) {
      return deny('created')
    }
    if (checks.digest !== false) {
      const expected = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`
      if (digest !== expected) return deny('digest')
    }
    const base = [
      `"@method": ${request.method}`,
      `"@target-uri": ${request.url}`,
      `"content-digest": ${digest}`,
      `"@signature-params": ${params}`,
    ].join('\n')
    const expected = createHmac('sha256', TOKEN).update(base).digest('base64')
    const received = /=:([A-Za-z0-9+/=]+):/.exec(signature)?.[1]
    return received === expected ? new Response(null, { status: 204 }) : deny('signature')
  }
}
