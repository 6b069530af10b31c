import { IDAAS_EVENT_TYPES } from '../../generated/event-catalogue.js'
import type { IdaasEventType } from '../../generated/types.js'

export { IDAAS_EVENT_TYPES }

/** One row of the event catalogue: a type with its schema category and provenance. */
export type IdaasEventTypeInfo = (typeof IDAAS_EVENT_TYPES)[number]

/** Schema category of an event type: the file in `schemas/` that describes it. */
export type IdaasSchemaCategory = IdaasEventTypeInfo['category']

/**
 * Where the kit's knowledge of a type comes from: `documented` (Entrust's event catalogue) or
 * `api-enum-only` (only the Admin API's `WebhookEvent.type` enum).
 */
export type IdaasEventProvenance = IdaasEventTypeInfo['provenance']

const byType: ReadonlyMap<string, IdaasEventTypeInfo> = new Map(
  IDAAS_EVENT_TYPES.map((info) => [info.type, info]),
)

/** True when `type` is one of the 25 event types the kit knows. */
export function isKnownEventType(type: unknown): type is IdaasEventType {
  return typeof type === 'string' && byType.has(type)
}

/** The catalogue row of a known event type, or `undefined`. */
export function getEventTypeInfo(type: string): IdaasEventTypeInfo | undefined {
  return byType.get(type)
}

/** The known event type closest to `type` (at most 3 edits away), for "Did you mean …?" hints. */
export function suggestEventType(type: string): IdaasEventType | undefined {
  let best: IdaasEventType | undefined
  let bestDistance = 4
  for (const { type: known } of IDAAS_EVENT_TYPES) {
    const distance = editDistance(type, known, bestDistance)
    if (distance < bestDistance) {
      best = known
      bestDistance = distance
    }
  }
  return best
}

// Levenshtein distance, cut off at `limit`; 25 short names do not justify a dependency.
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      )
      current.push(value)
      rowMin = Math.min(rowMin, value)
    }
    if (rowMin >= limit) return limit
    previous = current
  }
  return previous[b.length] ?? limit
}
