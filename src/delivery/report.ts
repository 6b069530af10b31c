import { STATUS_CODES } from 'node:http'
import { createGuard, formatMessage } from '../errors.js'
import type { AttemptOutcome } from './policy.js'

/** One try of a delivery: one signed POST, as the receiver saw it and as the engine judged it. */
export interface DeliveryAttempt {
  /** 1 for the first attempt. */
  number: number
  /** When it started, in the clock's epoch milliseconds. */
  startedAt: number
  /**
   * How long it took in milliseconds, measured with the clock's stopwatch (real time for the
   * virtual and the real clock, fake time for the timer clock): what the deadline is checked against.
   */
  durationMs: number
  /** `success` for a 2xx within the deadline, else why it failed. */
  outcome: AttemptOutcome
  /** The response status, when a response arrived (also for `timeout` while reading the body). */
  status?: number
  /** The reason phrase, or Node's standard one when the receiver sent none. */
  statusText?: string
  /** The first 1 KiB of a non-2xx response body, as text, to see why the receiver refused. */
  responseBody?: string
  /** For `redirect`: the `Location` header, which is never followed (A7). */
  location?: string
  /** What went wrong, in words, for `timeout`, `network` and `tls`. Never contains the token or the signature. */
  error?: string
  /** Node's error code for `network` and `tls`, e.g. `ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  errorCode?: string
  /** The TLS version the probe negotiated (`tls.probe`), e.g. `TLSv1.3`. */
  tlsProtocol?: string
  /** The envelope `id` this attempt carried: the event's id unless the policy says `new` (A6). */
  envelopeId: string
  /** The signature's `created` (Unix seconds), fresh for every attempt (A6); `undefined` when omitted (A3). */
  created?: number
  /** When the next attempt starts (clock epoch ms), if this one is retried. */
  nextAttemptAt?: number
  /** The policy's delay before the next attempt, without jitter, if retried. */
  delayMs?: number
  /** The seeded jitter added to `delayMs`, if retried. */
  jitterMs?: number
}

/**
 * `delivered`: an attempt got a 2xx; `failed`: no more attempts; `cancelled`: stopped before an
 * attempt, by option `signal` or, for a tenant, because the webhook was disabled, deleted or
 * expired (A10).
 */
export type DeliveryResult = 'delivered' | 'failed' | 'cancelled'

/** The timeline of one delivery: one event to one callback URL under one policy. Plain data. */
export interface DeliveryReport {
  result: DeliveryResult
  /** `result === 'delivered'`. */
  ok: boolean
  /** The event's envelope `id`. */
  eventId: string
  /** The event's `type`. */
  eventType: string
  /** The callback URL. */
  url: string
  /** The policy's name. */
  policy: string
  /** Every attempt, in order. */
  attempts: DeliveryAttempt[]
  /** Clock time when the delivery started and ended (epoch ms). */
  startedAt: number
  endedAt: number
  /** The webhook the tenant delivered for; absent for a bare `deliver()`. */
  webhookId?: string
}

/** `502 Bad Gateway`: the status and its reason phrase. */
export function describeStatus(status: number, statusText?: string): string {
  const text = statusText || STATUS_CODES[status]
  return text ? `${status} ${text}` : String(status)
}

function describeAttempt(attempt: DeliveryAttempt): string {
  switch (attempt.outcome) {
    case 'success':
      return `status ${describeStatus(attempt.status ?? 0, attempt.statusText)}`
    case 'timeout':
      // The engine's error is a sentence; here it is a clause inside one.
      return attempt.error
        ? `timeout (${attempt.error.replace(/\.$/, '').replace(/^No /, 'no ')})`
        : 'timeout'
    case 'network':
      return `network error${attempt.errorCode ? ` (${attempt.errorCode})` : ''}`
    case 'tls':
      return `TLS failure${attempt.errorCode ? ` (${attempt.errorCode})` : ''}`
    case 'redirect':
      return `status ${describeStatus(attempt.status ?? 0, attempt.statusText)} (redirects are not followed)`
    default:
      return `status ${describeStatus(attempt.status ?? 0, attempt.statusText)}`
  }
}

/**
 * One sentence about a report, for messages and logs; never contains a token or a signature.
 * @example
 * describeDelivery(report)
 * // 'Failed to deliver "user.created" to POST https://app.test/hooks: 3 attempts, last status 503 Service Unavailable.'
 */
export function describeDelivery(report: DeliveryReport): string {
  const target = `"${report.eventType}" to POST ${report.url}`
  const count = `${report.attempts.length} attempt${report.attempts.length === 1 ? '' : 's'}`
  const last = report.attempts.at(-1)
  if (report.result === 'delivered')
    return `Delivered ${target}: ${count}, last ${describeAttempt(last as DeliveryAttempt)}.`
  if (report.result === 'cancelled') {
    const why =
      report.webhookId === undefined
        ? 'option "signal" aborted it'
        : `webhook "${report.webhookId}" was disabled, deleted or expired (A10)`
    return `Cancelled the delivery of ${target} after ${count}: ${why}.`
  }
  return `Failed to deliver ${target}: ${count}, last ${last ? describeAttempt(last) : 'none'}.`
}

/** A one-line-per-attempt timeline, times relative to the first attempt, for debugging a report. */
export function formatDeliveryReport(report: DeliveryReport): string {
  const origin = report.attempts[0]?.startedAt ?? report.startedAt
  const lines = [describeDelivery(report)]
  for (const attempt of report.attempts) {
    const next =
      attempt.nextAttemptAt === undefined ? '' : `; next at +${attempt.nextAttemptAt - origin} ms`
    lines.push(
      `  #${attempt.number} at +${attempt.startedAt - origin} ms, ${attempt.durationMs.toFixed(1)} ms: ${attempt.outcome}, ${describeAttempt(attempt)}${next}`,
    )
  }
  return lines.join('\n')
}

/** Thrown by {@link assertDelivered}: the delivery did not get a 2xx. */
export class DeliveryError extends Error {
  override name = 'DeliveryError' as const
  /** Every attempt, in order. */
  readonly attempts: DeliveryAttempt[]
  /** The name of the delivery policy, e.g. `idaas`. */
  readonly policy: string
  /** The whole report. */
  readonly report: DeliveryReport
  constructor(report: DeliveryReport) {
    super(formatMessage(describeDelivery(report)))
    this.report = report
    this.attempts = report.attempts
    this.policy = report.policy
  }
}

/** True for a {@link DeliveryError}, also across realms and copies of the kit. */
export const isDeliveryError = createGuard('DeliveryError', DeliveryError)

/**
 * Throws a {@link DeliveryError} unless the report says `delivered`.
 * @example assertDelivered(await deliver(event, { url, token }))
 */
export function assertDelivered(report: DeliveryReport): void {
  if (report.result !== 'delivered') throw new DeliveryError(report)
}
