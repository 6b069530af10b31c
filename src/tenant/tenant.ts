import { setMaxListeners } from 'node:events'
import {
  checkSigningOptions,
  type DeliverableEvent,
  type DeliverySigningOptions,
  deliver,
} from '../delivery/engine.js'
import type { FetchLike } from '../delivery/in-process.js'
import {
  createDeliveryPolicy,
  type DeliveryPolicy,
  type DeliveryPolicyOption,
  resolveDeliveryPolicy,
} from '../delivery/policy.js'
import type { DeliveryReport } from '../delivery/report.js'
import type { DeliveryTlsOptions } from '../delivery/tls.js'
import { KitError } from '../errors.js'
import { type ClockOption, type DeliveryClock, resolveClock } from '../internal/clock.js'
import { quoteValue } from '../internal/describe-value.js'
import {
  createRandom,
  type RandomSource,
  randomAlphanumeric,
  randomBytes,
  randomUuidV4,
  randomUuidV7,
} from '../internal/random.js'
import { IDAAS_FACTORY_ACCOUNT_ID } from '../schema/factories.js'
import { checkSchemes, type SignatureScheme } from '../signing/x-sha2.js'
import { type AdminApiApplication, createTenantAdminApi, type TenantAdminApi } from './admin-api.js'
import type { CreatedWebhook, Webhook, WebhookParms, WebhookTestParms } from './admin-api-types.js'
import { errorInfo, TenantApiError } from './errors.js'
import {
  type CallbackUrlRule,
  checkWebhookParms,
  checkWebhookTestParms,
  expiresAt,
  isActive,
  isExpired,
  type NoExpiryDate,
  subscribes,
  toWebhook,
  type WebhookRecord,
} from './webhook-registry.js'

/** Options of {@link createIdaasTenant}. */
export interface IdaasTenantOptions {
  /** The delivery policy, by name or as an object (A6–A9, A16). @default 'idaas' */
  policy?: DeliveryPolicyOption
  /** Seed for jitter, webhook ids, tokens and auth tokens: the same seed, the same run. @default 1 */
  seed?: number
  /** Where time comes from: `'virtual'`, `'real'` or a clock such as `createTimerClock()`. @default 'virtual' */
  clock?: ClockOption
  /** What deliveries are posted with. @default the kit's keep-alive node:http(s) client (MSW intercepts it) */
  fetch?: FetchLike
  /** The `accountId` of test deliveries (A12). @default the factories' account id, `IDAAS_FACTORY_ACCOUNT_ID` */
  accountId?: string
  /** Active (enabled, unexpired) webhooks allowed at once; disabled ones do not count (A11). @default 20 */
  maxActiveWebhooks?: number
  /** Status (400 to 599) and `errorCode` of the refusal past `maxActiveWebhooks` (A11). @default { status: 400, errorCode: 'webhook_limit_exceeded' } */
  limitError?: { status: number; errorCode: string }
  /**
   * Callback URLs accepted on create and update: `https` only (like IDaaS), `https-or-loopback`
   * (also `http://localhost`, `127.x.x.x`, `[::1]` for port-0 test receivers), or `any` http(s).
   * @default 'https-or-loopback'
   */
  callbackUrls?: CallbackUrlRule
  /** How deliveries are signed (A1–A3). @default the kit's defaults */
  signing?: DeliverySigningOptions
  /** Which signatures deliveries carry (A17): `rfc9421`, the older `x-sha2`, or both. @default ['rfc9421'] */
  schemes?: readonly SignatureScheme[]
  /** TLS checks for HTTPS callback URLs. @default no probe */
  tls?: DeliveryTlsOptions
  /**
   * Admin API applications that may authenticate. @default any non-empty `applicationId` and
   * `sharedSecret`
   */
  adminApplications?: readonly AdminApiApplication[]
  /** Lifetime of an Admin API `authToken` in milliseconds of the tenant's clock. @default 3_600_000 (1 hour, as in Entrust's example) */
  authTokenLifetimeMs?: number
  /**
   * `expiryDate` of a webhook without expiration: `'omit'` leaves it out, `'null'` sends `null`
   * ("Null indicates no expiration"). The default validates against Entrust's schema, which types
   * `expiryDate` as a string without `nullable`; `'null'` follows the description instead.
   * @default 'omit'
   */
  noExpiryDate?: NoExpiryDate
  /**
   * Entries `deliveryLog` keeps, newest last; older ones are dropped, so a long run stays flat in
   * memory. `Infinity` keeps every entry (for tests that inspect a whole run).
   * @default 1000
   */
  deliveryLogLimit?: number
}

/** One entry of the tenant's delivery log. */
export type TenantLogEntry =
  | { kind: 'delivery'; webhookId: string; at: number; report: DeliveryReport }
  | { kind: 'test'; webhookId: string; at: number; report: DeliveryReport }
  | {
      kind: 'dropped'
      webhookId: string
      at: number
      eventId: string
      eventType: string
      /** A10: events for a disabled or expired webhook are dropped, not queued. */
      reason: 'disabled' | 'expired'
    }
  | { kind: 'auto-disabled'; webhookId: string; at: number; consecutiveFailures: number }

/** What the Admin API does not show about a webhook, for assertions. */
export interface WebhookState {
  webhook: Webhook
  /** Enabled and not expired: receives events. */
  active: boolean
  /** Consecutive failures as the policy counts them (A9). */
  consecutiveFailures: number
  /** Why it is inactive: an update, auto-disable (A9), expiry, or `null` when active. */
  disabledBy: 'admin' | 'auto-disable' | 'expiry' | null
}

/** The Admin API webhook operations, in process. Errors are {@link TenantApiError}s. */
export interface TenantWebhooks {
  /** `POST /api/web/v1/webhooks`: registers a webhook; the only response with the token (A13). */
  create(parms: WebhookParms): CreatedWebhook
  /** `GET /api/web/v1/webhooks`: every webhook, without tokens. */
  list(): Webhook[]
  /** `GET /api/web/v1/webhooks/{id}`. */
  get(id: string): Webhook
  /** `PUT /api/web/v1/webhooks/{id}`: replaces name, URL, events, `enabled` and `expiry`; keeps id and token. */
  update(id: string, parms: WebhookParms): Webhook
  /** `DELETE /api/web/v1/webhooks/{id}`: pending retries stop. */
  delete(id: string): void
  /** `POST /api/web/v1/webhooks/test/{id}`: one signed `webhook.test` delivery, not retried, not counted (A12). */
  test(id: string, parms?: WebhookTestParms): Promise<DeliveryReport>
  /** The kit's view of a webhook: failure count and why it is disabled. Not part of the Admin API. */
  inspect(id: string): WebhookState
}

/** An in-memory IDaaS account. */
export interface IdaasTenant {
  readonly accountId: string
  readonly policy: DeliveryPolicy
  readonly clock: DeliveryClock
  /** The tenant's time (epoch ms). */
  now(): number
  /** Moves a virtual clock forward by `ms`, e.g. past an expiry. Throws for other clocks. */
  advance(ms: number): void
  readonly webhooks: TenantWebhooks
  /**
   * Delivers `event` to every enabled, unexpired webhook subscribed to its type, each on its own
   * (fan-out), and resolves with one report per webhook delivered to. Events for disabled or
   * expired webhooks are dropped and logged (A10).
   */
  emit<E extends DeliverableEvent>(event: E): Promise<DeliveryReport[]>
  /**
   * Deliveries, test deliveries, dropped events and auto-disables, in the order they ended: the
   * newest `deliveryLogLimit` (1000 by default) of them.
   */
  readonly deliveryLog: readonly TenantLogEntry[]
  /** The Admin API over HTTP semantics: `handle(request)` for any Fetch-API server or MSW. */
  readonly adminApi: TenantAdminApi
}

const DEFAULT_LIMIT_ERROR = { status: 400, errorCode: 'webhook_limit_exceeded' } as const

/**
 * Creates a fake IDaaS tenant: webhooks managed with the Admin API's shapes and rules, events
 * delivered with IDaaS's policy in virtual time, auto-disable, a delivery log.
 * @example
 * const tenant = createIdaasTenant({ seed: 7 })
 * const { id, token } = tenant.webhooks.create({ name: 'app', callbackUrl: 'https://app.test/hooks', events: [{ type: 'user.created' }] })
 * const [report] = await tenant.emit(createEvent('user.created'))
 * report.attempts.length // 1 if the receiver answered 2xx
 */
export function createIdaasTenant(options: IdaasTenantOptions = {}): IdaasTenant {
  const policy = resolveDeliveryPolicy(options.policy)
  // A12: the test delivery is sent once, never retried.
  const testPolicy = createDeliveryPolicy({ name: `${policy.name} (test)`, maxAttempts: 1 }, policy)
  const clock = resolveClock(options.clock)
  const root = createRandom(options.seed)
  const idRandom: RandomSource = root.fork()
  const deliveryRandom: RandomSource = root.fork()
  const authRandom: RandomSource = root.fork()
  const accountId = options.accountId ?? IDAAS_FACTORY_ACCOUNT_ID
  const maxActive = options.maxActiveWebhooks ?? 20
  if (!Number.isSafeInteger(maxActive) || maxActive < 0) {
    throw new KitError(
      `Invalid option "maxActiveWebhooks": expected a whole number of at least 0, got ${String(maxActive)}.`,
    )
  }
  const limitError = options.limitError ?? DEFAULT_LIMIT_ERROR
  if (limitError === null || typeof limitError !== 'object') {
    throw new KitError(
      `Invalid option "limitError": expected an object { status, errorCode }, got ${quoteValue(limitError)}.`,
    )
  }
  const { status, errorCode } = limitError
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new KitError(
      `Invalid option "limitError": "status" must be a whole number from 400 to 599, got ${quoteValue(status)}.`,
    )
  }
  if (typeof errorCode !== 'string' || errorCode === '') {
    throw new KitError(
      `Invalid option "limitError": "errorCode" must be a non-empty string, got ${quoteValue(errorCode)}.`,
    )
  }
  const callbackUrls = options.callbackUrls ?? 'https-or-loopback'
  if (!['https', 'https-or-loopback', 'any'].includes(callbackUrls)) {
    throw new KitError(
      `Invalid option "callbackUrls": expected "https", "https-or-loopback" or "any", got "${String(callbackUrls)}".`,
    )
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new KitError('Invalid option "fetch": expected a function with the signature of fetch.')
  }
  // Checked here, so a bad "signing" fails now rather than at the first emit.
  checkSigningOptions(options.signing)
  if (options.schemes !== undefined) checkSchemes(options.schemes, 'create tenant')
  const tokenLifetimeMs = options.authTokenLifetimeMs ?? 3_600_000
  if (typeof tokenLifetimeMs !== 'number' || !(tokenLifetimeMs > 0)) {
    throw new KitError(
      `Invalid option "authTokenLifetimeMs": expected a positive number of milliseconds, got ${String(tokenLifetimeMs)}.`,
    )
  }
  const noExpiryDate = options.noExpiryDate ?? 'omit'
  if (noExpiryDate !== 'omit' && noExpiryDate !== 'null') {
    throw new KitError(
      `Invalid option "noExpiryDate": expected "omit" or "null", got ${quoteValue(noExpiryDate)}.`,
    )
  }
  const view = (record: WebhookRecord, now: number) => toWebhook(record, now, noExpiryDate)
  const logLimit = options.deliveryLogLimit ?? 1000
  if (
    typeof logLimit !== 'number' ||
    !(logLimit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(logLimit) && logLimit >= 0))
  ) {
    throw new KitError(
      `Invalid option "deliveryLogLimit": expected a whole number of at least 0 or Infinity, got ${quoteValue(logLimit)}.`,
    )
  }
  const records = new Map<string, WebhookRecord>()
  const log: TenantLogEntry[] = []
  const append = (entry: TenantLogEntry) => {
    log.push(entry)
    if (log.length > logLimit) log.splice(0, log.length - logLimit)
  }

  const activeCount = (now: number) => {
    let count = 0
    for (const record of records.values()) if (isActive(record, now)) count++
    return count
  }
  const find = (id: string, action: string): WebhookRecord => {
    const record = typeof id === 'string' ? records.get(id) : undefined
    if (record === undefined) {
      throw new TenantApiError(
        action,
        404,
        errorInfo('not_found', `Webhook "${String(id)}" was not found.`, [{ parameter: 'id' }]),
      )
    }
    return record
  }
  const refuseLimit = (action: string): TenantApiError =>
    new TenantApiError(
      action,
      limitError.status,
      errorInfo(
        limitError.errorCode,
        `The maximum number of active webhooks (${maxActive}) has been reached. Disable or delete a webhook first.`,
        [], // A11: {"errorCode":"webhook_limit_exceeded","errorMessage":"...","parameters":[]}
      ),
    )
  const newEvents = (checked: ReturnType<typeof checkWebhookParms>) =>
    checked.events.map((event) => ({ id: randomUuidV4(idRandom), ...event }))
  // One abort listener per pending delivery of the webhook: a burst has many, on purpose.
  const newController = () => {
    const controller = new AbortController()
    setMaxListeners(0, controller.signal)
    return controller
  }
  const disable = (record: WebhookRecord, by: 'admin' | 'auto-disable') => {
    record.enabled = false
    record.disabledBy = by
    record.controller.abort()
  }
  const countFailure = (record: WebhookRecord, success: boolean) => {
    if (record.deleted) return
    if (success) {
      record.consecutiveFailures = 0
      return
    }
    record.consecutiveFailures++
    const limit = policy.autoDisableAfter
    if (limit !== null && record.consecutiveFailures >= limit && record.enabled) {
      // A9: "If a webhook reaches 100 consecutive delivery failures, IDaaS automatically disables it."
      disable(record, 'auto-disable')
      append({
        kind: 'auto-disabled',
        webhookId: record.id,
        at: clock.now(),
        consecutiveFailures: record.consecutiveFailures,
      })
    }
  }

  const deliverTo = async (
    record: WebhookRecord,
    event: DeliverableEvent,
    kind: 'delivery' | 'test',
    url: string = record.callbackUrl,
  ): Promise<DeliveryReport> => {
    const countsAttempts = kind === 'delivery' && policy.countFailures === 'attempts'
    const report = await deliver(
      event,
      { url, token: record.token },
      {
        policy: kind === 'test' ? testPolicy : policy,
        clock,
        random: deliveryRandom.fork(),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.signing === undefined ? {} : { signing: options.signing }),
        ...(options.schemes === undefined ? {} : { schemes: options.schemes }),
        ...(options.tls === undefined ? {} : { tls: options.tls }),
        // A10: a webhook disabled or deleted mid-delivery gets no further attempts.
        ...(kind === 'delivery' ? { signal: record.controller.signal } : {}),
        // A10: a webhook that expired since the previous attempt gets no further attempts either.
        ...(kind === 'delivery' ? { shouldContinue: () => isActive(record, clock.now()) } : {}),
        ...(countsAttempts
          ? { onAttempt: (attempt) => countFailure(record, attempt.outcome === 'success') }
          : {}),
      },
    )
    report.webhookId = record.id
    append({ kind, webhookId: record.id, at: report.endedAt, report })
    if (kind === 'delivery' && !countsAttempts && report.result !== 'cancelled') {
      countFailure(record, report.ok)
    }
    return report
  }

  const webhooks: TenantWebhooks = {
    create(parms) {
      const action = 'create webhook'
      const checked = checkWebhookParms(action, parms, callbackUrls)
      const now = clock.now()
      const expires = expiresAt(checked.expiry, now)
      if (checked.enabled && activeCount(now) >= maxActive) throw refuseLimit(action)
      const record: WebhookRecord = {
        // Shaped like the Admin API's v5.46 example id, `wh_1a2b3c4d5e6f7g8h`.
        id: `wh_${randomAlphanumeric(idRandom, 16)}`,
        name: checked.name,
        callbackUrl: checked.callbackUrl,
        events: newEvents(checked),
        enabled: checked.enabled,
        expiresAt: expires,
        token: `whsec_${Buffer.from(randomBytes(idRandom, 32)).toString('base64url')}`,
        consecutiveFailures: 0,
        disabledBy: checked.enabled ? null : 'admin',
        controller: newController(),
        deleted: false,
      }
      records.set(record.id, record)
      return { ...view(record, now), token: record.token }
    },
    list() {
      const now = clock.now()
      return [...records.values()].map((record) => view(record, now))
    },
    get(id) {
      return view(find(id, 'get webhook'), clock.now())
    },
    update(id, parms) {
      const action = 'update webhook'
      const record = find(id, action)
      const checked = checkWebhookParms(action, parms, callbackUrls)
      const now = clock.now()
      const wasActive = isActive(record, now)
      const expires = expiresAt(checked.expiry, now)
      const willBeActive = checked.enabled && (expires === undefined || now < expires)
      if (willBeActive && !wasActive && activeCount(now) >= maxActive) throw refuseLimit(action)
      // PUT replaces everything it carries (name, callbackUrl and events are required); id and
      // token stay (https://docs.trustedauth.com/api/admin-api/).
      record.name = checked.name
      record.callbackUrl = checked.callbackUrl
      record.events = newEvents(checked)
      record.expiresAt = expires
      if (!checked.enabled && record.enabled) disable(record, 'admin')
      if (willBeActive && !wasActive) {
        // A9: re-enabling resets the failure count.
        record.enabled = true
        record.disabledBy = null
        record.consecutiveFailures = 0
        record.controller = newController()
      }
      return view(record, now)
    },
    delete(id) {
      const record = find(id, 'delete webhook')
      record.deleted = true
      record.controller.abort()
      records.delete(id)
    },
    async test(id, parms) {
      const action = 'test webhook'
      const record = find(id, action)
      const checked = checkWebhookTestParms(action, parms)
      const now = clock.now()
      // A12: one signed envelope of type `webhook.test` with empty `data`.
      const envelope = {
        id: randomUuidV7(idRandom, now),
        type: 'webhook.test',
        accountId,
        eventTime: new Date(now).toISOString(),
        data: {},
      }
      return deliverTo(record, envelope, 'test', checked.callbackUrl)
    },
    inspect(id) {
      const record = find(id, 'inspect webhook')
      const now = clock.now()
      const expired = isExpired(record, now)
      const active = isActive(record, now)
      return {
        webhook: view(record, now),
        active,
        consecutiveFailures: record.consecutiveFailures,
        disabledBy: active ? null : (record.disabledBy ?? (expired ? 'expiry' : null)),
      }
    },
  }

  const adminApi = createTenantAdminApi({
    webhooks,
    now: () => clock.now(),
    random: authRandom,
    applications: options.adminApplications,
    tokenLifetimeMs,
  })

  return {
    accountId,
    policy,
    clock,
    now: () => clock.now(),
    advance(ms) {
      const virtual = clock as Partial<{ advance: (ms: number) => void }>
      if (typeof virtual.advance !== 'function') {
        throw new KitError(
          `Failed to advance the tenant's clock: its clock is "${clock.kind ?? 'custom'}", not virtual. Advance your fake timers instead.`,
        )
      }
      virtual.advance(ms)
    },
    webhooks,
    emit(event) {
      if (
        event === null ||
        typeof event !== 'object' ||
        typeof event.id !== 'string' ||
        typeof event.type !== 'string'
      ) {
        return Promise.reject(
          new KitError(
            'Failed to emit: argument "event" must be an object with a string "id" and "type".',
          ),
        )
      }
      const now = clock.now()
      const runs: Promise<DeliveryReport>[] = []
      for (const record of records.values()) {
        if (!subscribes(record, event.type)) continue
        if (!record.enabled || isExpired(record, now)) {
          append({
            kind: 'dropped',
            webhookId: record.id,
            at: now,
            eventId: event.id,
            eventType: event.type,
            reason: record.enabled ? 'expired' : 'disabled',
          })
          continue
        }
        runs.push(deliverTo(record, event, 'delivery'))
      }
      return Promise.all(runs)
    },
    deliveryLog: log,
    adminApi,
  }
}
