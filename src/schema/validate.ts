import type { IdaasEnvelope, IdaasEvent } from '../../generated/types.js'
import * as strict from '../../generated/validate-strict.js'
import * as tolerant from '../../generated/validate-tolerant.js'
import type { CompiledValidatorError } from '../../generated/validator-types.js'
import { createGuard, formatMessage, KitError } from '../errors.js'
import { describeValue } from '../internal/describe-value.js'
import { getEventTypeInfo, isKnownEventType, suggestEventType } from './event-types.js'
import {
  childPointer,
  formatIssues,
  sortIssues,
  toIssues,
  type ValidationIssue,
  type ValidationNote,
} from './issues.js'

/**
 * `tolerant`: what a receiver should do. It enforces only what Entrust documents: the envelope,
 * and the JSON types of the fields a published example or field table shows for that type, where
 * present. No `data` field is required. Unknown fields and unknown event types with a valid
 * envelope pass and come back as notes (A15).
 * `strict`: the drift detector. It also requires the fields every published example has, checks
 * "Always ..." constants, and rejects unknown fields of the 8 types whose payload Entrust
 * published; for the other types unknown `data` fields are notes. For any type, an `eventTime`
 * offset other than `Z` or a precision other than none or 3 digits is a note. Unknown event types
 * are issues.
 */
export type ValidationMode = 'tolerant' | 'strict'

/** Options of {@link validateEvent}. */
export interface ValidateEventOptions {
  /** How to treat unknown fields and event types (A15). @default 'tolerant' */
  mode?: ValidationMode
}

/** A valid payload of a type the kit knows. */
export interface KnownEventResult {
  ok: true
  /** True: `event.type` is one of the 26 known types and the payload matches its schema. */
  known: true
  event: IdaasEvent
  issues: []
  notes: ValidationNote[]
}

/** A valid envelope of a type the kit does not know (tolerant mode only). */
export interface UnknownEventResult {
  ok: true
  known: false
  event: IdaasEnvelope
  issues: []
  notes: ValidationNote[]
}

/** An invalid payload: one issue per real problem. */
export interface InvalidEventResult {
  ok: false
  known: boolean
  event: undefined
  issues: ValidationIssue[]
  notes: ValidationNote[]
}

/** The result of {@link validateEvent}. */
export type ValidationResult = KnownEventResult | UnknownEventResult | InvalidEventResult

/** The result of {@link validateEvent} in strict mode, where unknown types are never valid. */
export type StrictValidationResult = KnownEventResult | InvalidEventResult

const NO_NOTES: ValidationNote[] = []

/**
 * Validates a parsed payload against the IDaaS event schemas with the precompiled validators.
 * The discriminator on `type` picks the branch, so an invalid event lists only its own problems.
 * In strict mode an unknown event type is an issue, so a valid result is always a known event.
 * @throws KitError when `options.mode` is neither `'tolerant'` nor `'strict'`.
 * @example
 * const result = validateEvent(JSON.parse(body), { mode: 'strict' })
 * if (result.ok && result.event.type === 'user.created') result.event.data.entityName
 */
export function validateEvent(value: unknown, options: { mode: 'strict' }): StrictValidationResult
/**
 * Validates a parsed payload against the IDaaS event schemas with the precompiled validators.
 * The discriminator on `type` picks the branch, so an invalid event lists only its own problems.
 * In tolerant mode (the default, A15) unknown fields and event types pass and come back as notes.
 * @throws KitError when `options.mode` is neither `'tolerant'` nor `'strict'`.
 * @example
 * const result = validateEvent(JSON.parse(body))
 * if (result.ok && result.known && result.event.type === 'user.created') result.event.data.entityName
 */
export function validateEvent(value: unknown, options?: ValidateEventOptions): ValidationResult
export function validateEvent(
  value: unknown,
  options: ValidateEventOptions = {},
): ValidationResult {
  const mode = options.mode ?? 'tolerant'
  if (mode !== 'tolerant' && mode !== 'strict') {
    throw new KitError(
      `Invalid option "mode": expected "tolerant" or "strict", got ${describeValue(mode)}.`,
    )
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return invalid(false, [
      {
        path: '',
        keyword: 'type',
        expected: 'object',
        actual: value,
        message: `must be an object (an IDaaS event envelope), got ${describeValue(value)}`,
      },
    ])
  }
  const type = (value as { type?: unknown }).type
  if (!isKnownEventType(type)) return validateUnknownType(value, type, mode)

  // Fast path: a payload that passes the strict schema passes in both modes. Only strict mode
  // looks further, at the form of eventTime.
  if (strict.validateEvent(value)) {
    return known(value as IdaasEvent, mode === 'strict' ? timestampNotes(value) : NO_NOTES)
  }
  const strictErrors = strict.validateEvent.errors ?? []
  if (mode === 'strict') return strictResult(value, type, strictErrors)
  if (tolerant.validateEvent(value))
    return known(value as IdaasEvent, unknownFieldNotes(strictErrors))
  return invalid(true, toIssues(tolerant.validateEvent.errors ?? [], value))
}

/**
 * Strict mode after the strict schema failed. For a type whose payload Entrust never published,
 * an unknown field inside `data` is drift to report, not an error: those errors become notes.
 */
function strictResult(
  value: object,
  type: IdaasEvent['type'],
  errors: readonly CompiledValidatorError[],
): ValidationResult {
  const published = getEventTypeInfo(type)?.hasPublishedExample ?? true
  const real = published ? errors : errors.filter((error) => !isUnknownDataField(error))
  if (real.length > 0) return invalid(true, toIssues(real, value))
  const notes = unknownFieldNotes(errors, ` (Entrust has published no payload for "${type}")`)
  return known(value as IdaasEvent, [...notes, ...timestampNotes(value)])
}

function isUnknownDataField(error: CompiledValidatorError): boolean {
  return (
    error.keyword === 'unevaluatedProperties' &&
    (error.instancePath === '/data' || error.instancePath.startsWith('/data/'))
  )
}

/** Notes for the `unevaluatedProperties` errors only; the other errors are never formatted. */
function unknownFieldNotes(
  errors: readonly CompiledValidatorError[],
  suffix = '',
): ValidationNote[] {
  const notes: ValidationNote[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    if (error.keyword !== 'unevaluatedProperties') continue
    const name = String(error.params.unevaluatedProperty)
    const path = childPointer(error.instancePath, name)
    if (seen.has(path)) continue
    seen.add(path)
    notes.push({ kind: 'unknown-field', path, message: `unknown field "${name}"${suffix}` })
  }
  return sortIssues(notes)
}

// Every published example's eventTime: seconds, optionally milliseconds, and "Z".
const USUAL_EVENT_TIME = /T\d\d:\d\d:\d\d(\.\d{3})?Z$/
const EVENT_TIME_PARTS = /^\d{4}-\d\d-\d\d([Tt])\d\d:\d\d:\d\d(?:\.(\d+))?(.*)$/

/**
 * Strict-mode notes on a valid `eventTime` whose form no published example has: an offset other
 * than `Z`, a precision other than none or 3 digits, a lowercase `t`. Drift, never an error:
 * Entrust only says "ISO 8601 format".
 */
function timestampNotes(value: object): ValidationNote[] {
  const time = (value as { eventTime: string }).eventTime
  if (USUAL_EVENT_TIME.test(time)) return NO_NOTES
  const [, separator = 'T', fraction = '', offset = 'Z'] = EVENT_TIME_PARTS.exec(time) ?? []
  const notes: ValidationNote[] = []
  const note = (message: string) =>
    notes.push({ kind: 'unusual-timestamp', path: '/eventTime', message })
  if (offset !== 'Z') {
    note(`has the offset "${offset}"; every published example uses "Z"`)
  }
  if (fraction.length !== 0 && fraction.length !== 3) {
    note(
      `has ${fraction.length} fractional digit${fraction.length === 1 ? '' : 's'}; published examples have none or 3`,
    )
  }
  if (separator !== 'T') note('separates date and time with "t"; published examples use "T"')
  return notes
}

function validateUnknownType(value: object, type: unknown, mode: ValidationMode): ValidationResult {
  const envelopeIssues = tolerant.validateEnvelope(value)
    ? []
    : toIssues(tolerant.validateEnvelope.errors ?? [], value)
  if (typeof type !== 'string' || type === '') return invalid(false, envelopeIssues)
  if (mode === 'strict') {
    return invalid(false, sortIssues([unknownTypeIssue(type), ...envelopeIssues]))
  }
  if (envelopeIssues.length > 0) return invalid(false, envelopeIssues)
  const note: ValidationNote = {
    kind: 'unknown-event-type',
    path: '/type',
    message: `${unknownTypeIssue(type).message} (accepted: the envelope is valid)`,
  }
  return { ok: true, known: false, event: value as IdaasEnvelope, issues: [], notes: [note] }
}

function unknownTypeIssue(type: string): ValidationIssue {
  const suggestion = suggestEventType(type)
  const hint = suggestion ? `; did you mean "${suggestion}"?` : ''
  return {
    path: '/type',
    keyword: 'discriminator',
    expected: 'one of the 26 known event types',
    actual: type,
    message: `is an unknown event type "${type}"${hint}`,
  }
}

function known(event: IdaasEvent, notes: ValidationNote[]): KnownEventResult {
  return { ok: true, known: true, event, issues: [], notes }
}

function invalid(isKnown: boolean, issues: ValidationIssue[]): InvalidEventResult {
  return { ok: false, known: isKnown, event: undefined, issues, notes: [] }
}

/** Thrown by {@link assertIdaasEvent}: the payload is wrong, not the kit, so it is not a `KitError`. */
export class SchemaValidationError extends Error {
  override name = 'SchemaValidationError' as const
  /** One issue per real problem, shallowest first. */
  readonly issues: ValidationIssue[]
  /** The payload's `type` when it is a string, else `undefined`. */
  readonly eventType: string | undefined
  constructor(issues: ValidationIssue[], eventType: string | undefined) {
    const what = eventType ? `"${eventType}" event` : 'event'
    super(formatMessage(`Failed to validate ${what}:\n${formatIssues(issues)}`))
    this.issues = issues
    this.eventType = eventType
  }
}

/** True for a {@link SchemaValidationError}, also across realms and copies of the kit. */
export const isSchemaValidationError = createGuard('SchemaValidationError', SchemaValidationError)

/**
 * Type guard: true when `value` is a valid event of a known type. Unknown fields pass in
 * tolerant mode (the default); unknown event types never make this true.
 */
export function isIdaasEvent(value: unknown, options?: ValidateEventOptions): value is IdaasEvent {
  const result = validateEvent(value, options)
  return result.ok && result.known
}

/**
 * Throws a {@link SchemaValidationError} listing every issue unless `value` is a valid event of a
 * known type; returns the event typed. Unknown event types throw in both modes.
 */
export function assertIdaasEvent(value: unknown, options?: ValidateEventOptions): IdaasEvent {
  const result = validateEvent(value, options)
  if (result.ok && result.known) return result.event
  const eventType = eventTypeOf(value)
  if (result.ok) throw new SchemaValidationError([unknownTypeIssue(eventType ?? '')], eventType)
  throw new SchemaValidationError(result.issues, eventType)
}

function eventTypeOf(value: unknown): string | undefined {
  const type =
    value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined
  return typeof type === 'string' ? type : undefined
}
