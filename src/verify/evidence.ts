import type { DeliveryAttempt, DeliveryReport } from '../delivery/report.js'
import { escapeControls } from '../terminal-text.js'
import type { VerifyEvidence, VerifyTimings } from './types.js'

/** Characters of a response body kept as evidence. */
export const BODY_EXCERPT_CHARS = 200

/**
 * The first {@link BODY_EXCERPT_CHARS} characters of `text` on one line: secrets already removed
 * by `redact`, control and bidi characters written as escapes so that no terminal sequence gets through.
 */
export function excerpt(text: string, redact: (text: string) => string): string {
  const clean = redact(text)
  const cut = clean.length > BODY_EXCERPT_CHARS ? `${clean.slice(0, BODY_EXCERPT_CHARS)}…` : clean
  // Line breaks and tabs as JSON writes them; every other control or bidi character as \uXXXX.
  return escapeControls(cut.replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t'))
}

/**
 * OpenSSL's "808C…:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:…"
 * reduced to its reason, "tlsv1 alert protocol version"; other messages unchanged.
 */
export function cleanErrorMessage(message: string): string {
  // Node 23.8+ appends its own hint to certificate errors; the kit's message gives the one that
  // applies (option "ca"), and a message has at most one hint.
  const withoutHint = message.replace(
    /; if the root CA is installed locally, try running Node\.js with --use-system-ca$/,
    '',
  )
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(withoutHint)?.[1]
  return reason === undefined ? withoutHint : withoutHint.replace(/[0-9A-F]{8,}:error:.*$/s, reason)
}

/** Evidence for one attempt of the delivery engine. */
export function attemptEvidence(
  name: string,
  attempt: DeliveryAttempt,
  attempts: number,
  redact: (text: string) => string,
): VerifyEvidence {
  const evidence: VerifyEvidence = {
    case: name,
    outcome: attempt.outcome,
    durationMs: round(attempt.durationMs),
    attempts,
  }
  if (attempt.status !== undefined) evidence.status = attempt.status
  if (attempt.responseBody !== undefined) evidence.body = excerpt(attempt.responseBody, redact)
  if (attempt.location !== undefined) evidence.location = excerpt(attempt.location, redact)
  if (attempt.error !== undefined)
    evidence.error = excerpt(cleanErrorMessage(attempt.error), redact)
  return evidence
}

/** Evidence for a delivery: its last attempt, with the number of attempts made. */
export function deliveryEvidence(
  name: string,
  report: DeliveryReport,
  redact: (text: string) => string,
): VerifyEvidence {
  const last = report.attempts.at(-1)
  if (last === undefined) return { case: name, outcome: 'not-sent', attempts: 0 }
  return attemptEvidence(name, last, report.attempts.length, redact)
}

/** Milliseconds rounded to 0.1. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10
}

/** Nearest-rank percentiles of `values` (milliseconds); zeros for an empty list. */
export function timings(values: readonly number[]): VerifyTimings {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, max: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
  return {
    count: sorted.length,
    p50: round(rank(50)),
    p95: round(rank(95)),
    max: round(sorted.at(-1) ?? 0),
  }
}

/** `401 Unauthorized`, `timeout`, `network error (ECONNRESET)`: how a case ended, for messages. */
export function describeEvidence(evidence: VerifyEvidence): string {
  switch (evidence.outcome) {
    case 'not-sent':
      return 'not sent'
    case 'timeout':
      return 'no answer within the deadline'
    case 'network':
      return `network error${evidence.error ? ` (${evidence.error})` : ''}`
    case 'tls':
      return `TLS failure${evidence.error ? ` (${evidence.error})` : ''}`
    default:
      return evidence.status === undefined ? evidence.outcome : String(evidence.status)
  }
}
