import type { VerifyContext } from './context.js'
import { describeEvidence } from './evidence.js'
import type { VerifyCheckId, VerifyEvidence, VerifySeverity } from './types.js'

/** What a check returns; the runner adds the id, the timing and the severity default. @internal */
export interface CheckOutcome {
  ok: boolean
  message: string
  /** Overrides the check's severity (only `uses-https` does: warning or error). */
  severity?: VerifySeverity
  /** Why the check could not apply (e.g. `uses-https` for an in-process handler); `ok` is then true. */
  skipped?: string
  warnings?: string[]
  failures?: VerifyEvidence[]
  /** Check-specific evidence, e.g. `timings` or `deliveries`. */
  details?: Record<string, unknown>
}

/** One contract check. @internal */
export interface VerifyCheck {
  id: VerifyCheckId
  run(context: VerifyContext): Promise<CheckOutcome>
}

/** Failures listed inline in a message before "and N more". */
const LISTED = 3

/** `"user.created" (401), "grid.created" (no answer within the deadline) and 2 more`. */
export function listCases(failures: readonly VerifyEvidence[]): string {
  const listed = failures
    .slice(0, LISTED)
    .map((failure) => `"${failure.case}" (${describeEvidence(failure)})`)
  const more = failures.length - LISTED
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ')
}

/** `1 event type` / `3 event types`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`
}

/** Compact evidence of a request that passed: what, how it ended, how long. */
export function summary(evidence: VerifyEvidence): VerifyEvidence {
  const compact: VerifyEvidence = { case: evidence.case, outcome: evidence.outcome }
  if (evidence.status !== undefined) compact.status = evidence.status
  if (evidence.durationMs !== undefined) compact.durationMs = evidence.durationMs
  if (evidence.attempts !== undefined) compact.attempts = evidence.attempts
  return compact
}
