import type { CompiledValidatorError } from '../../generated/validator-types.js'
import { describeValue } from '../internal/describe-value.js'

/** One real problem with a payload: where it is, what the schema expects and what was found. */
export interface ValidationIssue {
  /** JSON pointer (RFC 6901) of the offending value; `''` is the whole payload. */
  path: string
  /** What is wrong, as one sentence fragment, e.g. `must be number, got string "2"`. */
  message: string
  /** What the schema expects at `path`, e.g. `number`, `present`, `"USERPASSWORDS"`. */
  expected: string
  /** The value found at `path` (`undefined` when it is missing). */
  actual: unknown
  /** The schema keyword that failed, e.g. `type`, `required`, `unevaluatedProperties`. */
  keyword: string
}

/** Something a tolerant receiver accepts but should know about (assumption A15). */
export interface ValidationNote {
  /**
   * `unknown-field`: a field no schema describes; `unknown-event-type`: a `type` the kit does not
   * know; `unusual-timestamp` (strict mode): an `eventTime` whose offset or precision no published
   * example has.
   */
  kind: 'unknown-field' | 'unknown-event-type' | 'unusual-timestamp'
  /** JSON pointer of the field, of `/type` or of `/eventTime`. */
  path: string
  /** One sentence fragment, e.g. `unknown field "region"`. */
  message: string
}

const EVENT_TIME_EXAMPLE = '"2025-12-01T20:10:04Z"'

/** Reads the value at a JSON pointer; `undefined` when any step is missing. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root
  let node: unknown = root
  for (const raw of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/** Appends one key to a JSON pointer. */
export function childPointer(pointer: string, key: string): string {
  return `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
}

/** Turns ajv errors into one issue per real problem, shallowest first. */
export function toIssues(
  errors: readonly CompiledValidatorError[],
  payload: unknown,
): ValidationIssue[] {
  const seen = new Set<string>()
  const issues: ValidationIssue[] = []
  for (const error of errors) {
    const issue = toIssue(error, payload)
    const key = `${issue.path}\u0000${issue.keyword}\u0000${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
  }
  return sortIssues(issues)
}

/** Orders issues shallowest first, then by path, so the root cause reads first. */
export function sortIssues<T extends { path: string }>(issues: T[]): T[] {
  const depth = (p: string) => (p === '' ? 0 : p.split('/').length - 1)
  return issues.sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path))
}

function toIssue(error: CompiledValidatorError, payload: unknown): ValidationIssue {
  const { keyword, params, instancePath } = error
  const actualHere = valueAt(payload, instancePath)
  switch (keyword) {
    case 'required': {
      const path = childPointer(instancePath, String(params.missingProperty))
      return { path, keyword, expected: 'present', actual: undefined, message: 'is required' }
    }
    case 'unevaluatedProperties': {
      const name = String(params.unevaluatedProperty)
      const path = childPointer(instancePath, name)
      return {
        path,
        keyword,
        expected: 'absent',
        actual: valueAt(payload, path),
        message: `is not a known field ("${name}" is not in the schema)`,
      }
    }
    case 'type': {
      const expected = String(params.type)
      const message = `must be ${expected}, got ${describeValue(actualHere)}`
      return { path: instancePath, keyword, expected, actual: actualHere, message }
    }
    case 'const': {
      const expected = JSON.stringify(params.allowedValue)
      const message = `must be ${expected}, got ${describeValue(actualHere)}`
      return { path: instancePath, keyword, expected, actual: actualHere, message }
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')
      const expected = `one of ${allowed}`
      const message = `must be ${expected}, got ${describeValue(actualHere)}`
      return { path: instancePath, keyword, expected, actual: actualHere, message }
    }
    case 'minLength':
      return {
        path: instancePath,
        keyword,
        expected: 'a non-empty string',
        actual: actualHere,
        message: 'must be a non-empty string, got an empty string',
      }
    case 'pattern':
      if (error.schemaPath.includes('eventTime')) {
        const expected = `an ISO 8601 (RFC 3339) date-time such as ${EVENT_TIME_EXAMPLE}`
        const message = `must be ${expected}, got ${describeValue(actualHere)}`
        return { path: instancePath, keyword, expected, actual: actualHere, message }
      }
      return {
        path: instancePath,
        keyword,
        expected: `a string matching ${String(params.pattern)}`,
        actual: actualHere,
        message: `must match ${String(params.pattern)}, got ${describeValue(actualHere)}`,
      }
    default:
      return {
        path: instancePath,
        keyword,
        expected: error.message ?? keyword,
        actual: actualHere,
        message: error.message ?? `fails "${keyword}"`,
      }
  }
}

/**
 * Formats issues as readable lines: `✖ message` and `  → at /json/pointer`, shallowest first.
 * @example formatIssues(result.issues) // '✖ is required\n  → at /data/subject'
 */
export function formatIssues(issues: readonly Pick<ValidationIssue, 'path' | 'message'>[]): string {
  return issues.map((i) => `✖ ${i.message}\n  → at ${i.path === '' ? '(root)' : i.path}`).join('\n')
}
