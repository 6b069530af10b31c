import type { IdaasEnvelope, IdaasEvent } from '../../generated/types.js'
import type { ValidationIssue, ValidationNote } from '../schema/issues.js'
import { type ValidationMode, validateEvent } from '../schema/validate.js'

/** What the receivers need from event validation (A15). */
export type ReceivedEventCheck =
  | { ok: true; known: true; event: IdaasEvent; notes: ValidationNote[] }
  | { ok: true; known: false; event: IdaasEnvelope; notes: ValidationNote[] }
  | { ok: false; issues: ValidationIssue[] }

/**
 * The one place the receivers validate a verified event: `validateEvent` from `src/schema`, in
 * tolerant mode unless the receiver was created with `validation: 'strict'`.
 */
export function checkReceivedEvent(value: unknown, mode: ValidationMode): ReceivedEventCheck {
  const result = validateEvent(value, { mode })
  if (!result.ok) return { ok: false, issues: result.issues }
  return result.known
    ? { ok: true, known: true, event: result.event, notes: result.notes }
    : { ok: true, known: false, event: result.event, notes: result.notes }
}
