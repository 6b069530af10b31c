import { IDAAS_EVENT_TYPES } from '../../generated/event-catalogue.js'
import type { IdaasEventType } from '../../generated/types.js'
import { closestMatch } from '../closest-match.js'

export { IDAAS_EVENT_TYPES }

/** One row of the event catalogue: a type with its schema category and provenance. */
export type IdaasEventTypeInfo = (typeof IDAAS_EVENT_TYPES)[number]

/** Schema category of an event type: the file in `schemas/` that describes it. */
export type IdaasSchemaCategory = IdaasEventTypeInfo['category']

/**
 * Where the kit's knowledge of a type comes from: `documented` (Entrust's event catalogue),
 * `api-enum-only` (only the Admin API's `WebhookEvent.type` enum) or `assumption` (the kit's own:
 * the test delivery `webhook.test`, A12).
 */
export type IdaasEventProvenance = IdaasEventTypeInfo['provenance']

const byType: ReadonlyMap<string, IdaasEventTypeInfo> = new Map(
  IDAAS_EVENT_TYPES.map((info) => [info.type, info]),
)

/**
 * True when `type` is one of the 26 event types the kit knows: Entrust's 25 and the test
 * delivery `webhook.test` (A12).
 */
export function isKnownEventType(type: unknown): type is IdaasEventType {
  return typeof type === 'string' && byType.has(type)
}

/** An event type Entrust names: documented, or listed in the Admin API's `WebhookEvent.type` enum. */
export type EntrustEventType = Exclude<IdaasEventType, 'webhook.test'>

/**
 * True when `type` is one of the 25 types Entrust names (16 documented, 9 only in the Admin
 * API's `WebhookEvent.type` enum): what a webhook can subscribe to. `webhook.test` is not one.
 */
export function isEntrustEventType(type: unknown): type is EntrustEventType {
  return isKnownEventType(type) && byType.get(type)?.provenance !== 'assumption'
}

/** The catalogue row of a known event type, or `undefined`. */
export function getEventTypeInfo(type: string): IdaasEventTypeInfo | undefined {
  return byType.get(type)
}

/** The known event type closest to `input` (at most 3 edits away), for "Did you mean …?" hints. */
export function suggestEventType(type: string): IdaasEventType | undefined {
  return closestMatch(
    type,
    IDAAS_EVENT_TYPES.map((info) => info.type),
    { maxEdits: 3 },
  ) as IdaasEventType | undefined
}
