import { isEntrustEventType } from '../schema/event-types.js'
import type {
  Webhook,
  WebhookEvent,
  WebhookEventType,
  WebhookTestParms,
} from './admin-api-types.js'
import { errorInfo, TenantApiError } from './errors.js'

/** Which callback URLs the fake tenant accepts. */
export type CallbackUrlRule = 'https' | 'https-or-loopback' | 'any'

/** `WebhookParms` after checking: what the registry stores. */
export interface CheckedParms {
  name: string
  callbackUrl: string
  events: Array<{ type: WebhookEventType; filter?: string }>
  enabled: boolean
  /** Days, 0 = never. */
  expiry: number
}

/** One webhook as the fake tenant keeps it. @internal */
export interface WebhookRecord {
  id: string
  name: string
  callbackUrl: string
  events: WebhookEvent[]
  /** As last set by an update or by auto-disable; expiry is applied on top when reading. */
  enabled: boolean
  /** Epoch ms, or undefined for no expiration. */
  expiresAt: number | undefined
  token: string
  consecutiveFailures: number
  disabledBy: 'admin' | 'auto-disable' | null
  /** Aborted when the webhook is disabled or deleted: pending retries stop (A10). */
  controller: AbortController
  deleted: boolean
}

const DAY_MS = 86_400_000

const invalid = (action: string, parameter: string, message: string): TenantApiError =>
  new TenantApiError(action, 400, errorInfo('invalid_parameter', message, [{ parameter }]))

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const LOOPBACK_HOST = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/**
 * Parses a callback URL and refuses user-info (`https://user:pass@host/`): IDaaS signs the URL
 * (`@target-uri`), and a receiver cannot rebuild a URL whose credentials it never sees. The
 * message never repeats the URL, so the credentials stay out of errors and logs.
 */
function parseCallbackUrl(action: string, value: string, parameter: string, wording: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid(action, parameter, `Callback URL must be ${wording}.`)
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      action,
      parameter,
      'Callback URL must not contain a user name or password: IDaaS signs the URL, and a receiver cannot rebuild it.',
    )
  }
  return url
}

function checkUrl(action: string, value: string, rule: CallbackUrlRule, parameter: string): string {
  const url = parseCallbackUrl(action, value, parameter, 'a valid HTTPS URL')
  const https = url.protocol === 'https:'
  const http = url.protocol === 'http:'
  const allowed =
    rule === 'any'
      ? https || http
      : https || (rule === 'https-or-loopback' && http && LOOPBACK_HOST.test(url.hostname))
  if (!allowed) throw invalid(action, parameter, 'Callback URL must be a valid HTTPS URL.')
  return value
}

/** Checks a `WebhookParms` body the way the Admin API would; throws a 400 `TenantApiError`. */
export function checkWebhookParms(
  action: string,
  value: unknown,
  rule: CallbackUrlRule,
): CheckedParms {
  if (!isRecord(value)) {
    throw new TenantApiError(
      action,
      400,
      errorInfo('invalid_request', 'Request body must be a WebhookParms JSON object.'),
    )
  }
  const { name, callbackUrl, events, enabled, expiry } = value
  if (name === undefined || name === null)
    throw invalid(action, 'name', 'Webhook name cannot be null.')
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw invalid(action, 'name', 'Webhook name must be a non-empty string.')
  }
  if (callbackUrl === undefined || callbackUrl === null) {
    throw invalid(action, 'callbackUrl', 'Callback URL cannot be null.')
  }
  if (typeof callbackUrl !== 'string') {
    throw invalid(action, 'callbackUrl', 'Callback URL must be a valid HTTPS URL.')
  }
  checkUrl(action, callbackUrl, rule, 'callbackUrl')
  if (events === undefined || events === null)
    throw invalid(action, 'events', 'Events cannot be null.')
  if (!Array.isArray(events)) {
    throw invalid(action, 'events', 'Events must be a list of webhook events, each with a "type".')
  }
  const checkedEvents: CheckedParms['events'] = []
  const seen = new Set<string>()
  for (const item of events) {
    if (!isRecord(item) || typeof item.type !== 'string') {
      throw invalid(
        action,
        'events',
        'Events must be a list of webhook events, each with a "type".',
      )
    }
    if (!isEntrustEventType(item.type)) {
      throw invalid(action, 'events', `Unknown webhook event type "${item.type}".`)
    }
    // The OpenAPI types `filter` and `id` as strings without `nullable`: null is refused too.
    if (item.filter !== undefined && typeof item.filter !== 'string') {
      throw invalid(action, 'events', 'Event "filter" must be a string.')
    }
    // "This value is not needed when creating/updating a webhook": a string is accepted and ignored.
    if (item.id !== undefined && typeof item.id !== 'string') {
      throw invalid(action, 'events', 'Event "id" must be a string.')
    }
    if (seen.has(item.type)) continue
    seen.add(item.type)
    checkedEvents.push(
      typeof item.filter === 'string'
        ? { type: item.type, filter: item.filter }
        : { type: item.type },
    )
  }
  // `enabled` and `expiry` are optional but, as the OpenAPI has no `nullable`, never null.
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw invalid(action, 'enabled', 'Enabled must be true or false.')
  }
  if (
    expiry !== undefined &&
    (typeof expiry !== 'number' || !Number.isInteger(expiry) || expiry < 0 || expiry > 1000)
  ) {
    throw invalid(action, 'expiry', 'Expiry must be a whole number of days from 0 to 1000.')
  }
  return {
    name,
    callbackUrl,
    events: checkedEvents,
    enabled: typeof enabled === 'boolean' ? enabled : true,
    expiry: typeof expiry === 'number' ? expiry : 0,
  }
}

/** Checks a `WebhookTestParms` body (optional); throws a 400 `TenantApiError`. */
export function checkWebhookTestParms(action: string, value: unknown): WebhookTestParms {
  if (value === undefined) return {}
  if (!isRecord(value)) {
    throw new TenantApiError(
      action,
      400,
      errorInfo('invalid_request', 'Request body must be a WebhookTestParms JSON object.'),
    )
  }
  const { callbackUrl } = value
  if (callbackUrl === undefined) return {}
  if (typeof callbackUrl !== 'string') {
    throw invalid(action, 'callbackUrl', 'Callback URL must be a valid URL.')
  }
  const url = parseCallbackUrl(action, callbackUrl, 'callbackUrl', 'a valid URL')
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(action, 'callbackUrl', 'Callback URL must be a valid URL.')
  }
  return { callbackUrl }
}

/** The expiry time for `expiry` days from `now`, or undefined for 0 (no expiration). */
export function expiresAt(expiry: number, now: number): number | undefined {
  return expiry === 0 ? undefined : now + expiry * DAY_MS
}

/** True when the webhook has passed its expiry date. */
export function isExpired(record: WebhookRecord, now: number): boolean {
  return record.expiresAt !== undefined && now >= record.expiresAt
}

/** True when the webhook receives events: enabled and not expired (A10). */
export function isActive(record: WebhookRecord, now: number): boolean {
  return record.enabled && !isExpired(record, now)
}

/** `2025-12-31T23:59:59`: UTC without a zone designator, exactly like Entrust's example. */
export function formatExpiryDate(time: number): string {
  return new Date(time).toISOString().slice(0, 19)
}

/**
 * How a `Webhook` without expiration shows `expiryDate`: `'omit'` leaves the property out;
 * `'null'` sends `"expiryDate": null`, as Entrust's description says ("Null indicates no
 * expiration") although its schema (`type: string`, no `nullable`) does not allow it.
 */
export type NoExpiryDate = 'omit' | 'null'

/** The `Webhook` response for a record, without the token (A13). */
export function toWebhook(
  record: WebhookRecord,
  now: number,
  noExpiryDate: NoExpiryDate = 'omit',
): Webhook {
  const expired = isExpired(record, now)
  const webhook: Webhook = {
    id: record.id,
    name: record.name,
    callbackUrl: record.callbackUrl,
    // "Once a webhook has reached expiry, it will be marked as disabled." [OpenAPI]
    enabled: record.enabled && !expired,
    events: record.events.map((event) => ({ ...event })),
    expired,
  }
  if (record.expiresAt !== undefined) webhook.expiryDate = formatExpiryDate(record.expiresAt)
  else if (noExpiryDate === 'null') webhook.expiryDate = null
  return webhook
}

/** True when a subscription list matches an event type; an empty list matches every type. */
export function subscribes(record: WebhookRecord, type: string): boolean {
  return record.events.length === 0 || record.events.some((event) => event.type === type)
}
