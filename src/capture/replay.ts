import {
  checkDeliverOptions,
  type DeliverOptions,
  type DeliverySigningOptions,
  deliver,
} from '../delivery/engine.js'
import type { FetchLike } from '../delivery/in-process.js'
import { createNodeFetch } from '../delivery/node-fetch.js'
import type { CaCertificates } from '../delivery/pem.js'
import { type DeliveryPolicyOption, resolveDeliveryPolicy } from '../delivery/policy.js'
import type { DeliveryReport } from '../delivery/report.js'
import { KitError } from '../errors.js'
import type { ClockOption } from '../internal/clock.js'
import type { SignatureScheme } from '../signing/x-sha2.js'
import { decodeBody } from './decode-body.js'
import { bodyMatchesRecord } from './format.js'
import type { CaptureEntry } from './read-captures.js'

/** Options of {@link replayDeliveries}. */
export interface ReplayOptions {
  /** Where to resend: the new callback URL, which is also the new signed `@target-uri` (A5). */
  to: string | URL
  /** The webhook token of the target: every delivery is signed afresh with it (A1). Never printed. */
  token: string
  /** How attempts are signed (A1–A3), e.g. `{ keyEncoding: 'base64' }`. */
  signing?: DeliverySigningOptions
  /** Which signatures each resent delivery carries (A17). @default ['rfc9421'] */
  schemes?: readonly SignatureScheme[]
  /** The delivery policy. @default 'idaas' (3 attempts, only 5xx retried) */
  policy?: DeliveryPolicyOption
  /** Where time comes from. The CLI uses `'real'`, so retries really wait. @default 'virtual' */
  clock?: ClockOption
  /** Seed of the retry jitter. @default 1 */
  seed?: number
  /** What to POST with. @default the global `fetch` */
  fetch?: FetchLike
  /** Trust these CA certificates (PEM) for an HTTPS target, e.g. the capture server's self-signed one. */
  ca?: CaCertificates
  /** Stops before the next delivery or attempt. */
  signal?: AbortSignal
  /** Called after each delivery, e.g. to print it. */
  onResult?: (result: ReplayResult) => void
}

/** What happened to one captured delivery. */
export interface ReplayResult {
  /** Line number in the capture file. */
  line: number
  /** The record's `seq`. */
  seq: number
  /** The body's `type` and envelope `id`, when it is JSON with strings there. */
  eventType: string | null
  eventId: string | null
  /** `skipped`: not resent (no stored body, a damaged record, or bytes that are not UTF-8); see `reason`. */
  result: 'delivered' | 'failed' | 'cancelled' | 'skipped'
  /** Why it was skipped. */
  reason?: string
  /** The delivery's timeline, when it was sent. */
  report?: DeliveryReport
}

/** Totals of a replay. */
export interface ReplaySummary {
  results: ReplayResult[]
  delivered: number
  failed: number
  skipped: number
  cancelled: number
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Resends captured deliveries to another URL, in file order, one at a time: the exact captured
 * body bytes, re-signed for the new `@target-uri` with the target's token, through the kit's
 * delivery engine under the IDaaS policy (retries on 5xx). Other captured headers are not resent.
 * @example
 * const { entries } = await readCaptureFile('deliveries.jsonl')
 * const summary = await replayDeliveries(entries, { to: 'http://127.0.0.1:3000/hooks', token, clock: 'real' })
 */
export async function replayDeliveries(
  entries: Iterable<CaptureEntry>,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  if (options === null || typeof options !== 'object') {
    throw new KitError('Invalid options: expected an object with "to" and "token".')
  }
  const policy = resolveDeliveryPolicy(options.policy)
  if (policy.envelopeIdPerAttempt !== 'same') {
    throw new KitError(
      `Failed to replay: policy "${policy.name}" gives each retry a new envelope id, but a replay resends the captured bytes as they are. Use a policy with envelopeIdPerAttempt "same".`,
    )
  }
  const client =
    options.fetch === undefined && options.ca !== undefined
      ? createNodeFetch(options.ca)
      : undefined
  const fetch = options.fetch ?? client?.fetch
  const deliverOptions: DeliverOptions = {
    policy,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(fetch === undefined ? {} : { fetch }),
    ...(options.signing === undefined ? {} : { signing: options.signing }),
    ...(options.schemes === undefined ? {} : { schemes: options.schemes }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }
  // Checks "to", "token" and every option once, before anything is sent.
  checkDeliverOptions(
    { id: 'replay', type: 'replay' },
    { url: options.to, token: options.token },
    deliverOptions,
  )

  try {
    return await replayEach(entries, options, deliverOptions)
  } finally {
    client?.close()
  }
}

async function replayEach(
  entries: Iterable<CaptureEntry>,
  options: ReplayOptions,
  deliverOptions: DeliverOptions,
): Promise<ReplaySummary> {
  const summary: ReplaySummary = { results: [], delivered: 0, failed: 0, skipped: 0, cancelled: 0 }
  const done = (result: ReplayResult) => {
    summary.results.push(result)
    summary[result.result]++
    options.onResult?.(result)
  }
  for (const { line, record } of entries) {
    const base = {
      line,
      seq: record.seq,
      eventType: null,
      eventId: null,
    } satisfies Partial<ReplayResult>
    if (options.signal?.aborted) {
      done({ ...base, result: 'cancelled' })
      continue
    }
    if (record.body === null) {
      done({
        ...base,
        result: 'skipped',
        reason: 'no stored body (it was above the capture limit)',
      })
      continue
    }
    const bytes = decodeBody(record.body)
    if (!bodyMatchesRecord(record.body, bytes)) {
      // What `check` reports as corrupt-record: these are not the bytes that were captured.
      done({
        ...base,
        result: 'skipped',
        reason:
          'the stored body does not match its recorded length or SHA-256 (the capture file was edited or damaged)',
      })
      continue
    }
    let text: string
    try {
      text = strictUtf8.decode(bytes)
    } catch {
      // The engine sends a string; bytes that are not UTF-8 could not be sent unchanged.
      done({
        ...base,
        result: 'skipped',
        reason: 'the body is not UTF-8, so it cannot be resent byte for byte',
      })
      continue
    }
    const { type, id } = envelopeOf(text)
    const event = { id: id ?? `capture-line-${line}`, type: type ?? 'unknown' }
    // The exact captured bytes, not JSON.stringify(event): re-signed for the new target URI.
    const report = await deliver(
      event,
      { url: options.to, token: options.token },
      { ...deliverOptions, body: text },
    )
    done({ ...base, eventType: type, eventId: id, result: report.result, report })
  }
  return summary
}

function envelopeOf(text: string): { type: string | null; id: string | null } {
  try {
    const value = JSON.parse(text) as { type?: unknown; id?: unknown } | null
    if (value === null || typeof value !== 'object') return { type: null, id: null }
    return {
      type: typeof value.type === 'string' ? value.type : null,
      id: typeof value.id === 'string' ? value.id : null,
    }
  } catch {
    return { type: null, id: null }
  }
}
