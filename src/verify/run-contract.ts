import { closestMatch } from '../closest-match.js'
import { createDeliveryPolicy, type DeliveryPolicy, IDAAS_POLICY } from '../delivery/policy.js'
import { KitError } from '../errors.js'
import { createRealClock } from '../internal/clock.js'
import { deriveHmacKey } from '../signing/key.js'
import { checkSchemes, type SignatureScheme } from '../signing/x-sha2.js'
import { urlCredentialsProblem } from '../url-credentials.js'
import type { CheckOutcome, VerifyCheck } from './check.js'
import { acceptsEveryEventType, acceptsRedelivery } from './checks/acceptance.js'
import { noRedirect, usesHttps } from './checks/connection.js'
import {
  rejectsMissingSignature,
  rejectsStaleSignature,
  rejectsTamperedBody,
  rejectsWrongToken,
} from './checks/forgery.js'
import { verifiesRawBody } from './checks/raw-body.js'
import { handlesBurst, respondsInTime } from './checks/timing.js'
import { toleratesUnknownEventType, toleratesUnknownFields } from './checks/tolerance.js'
import { HANG_LIMIT, VerifyContext } from './context.js'
import { round } from './evidence.js'
import { attributeProbeFailure, type ProbeFailure, probeReceiver } from './probe.js'
import { createTransport } from './transport.js'
import {
  VERIFY_CHECK_IDS,
  VERIFY_CHECKS,
  type VerifyCheckDetails,
  type VerifyCheckId,
  type VerifyCheckResult,
  type VerifyReceiverOptions,
  type VerifyReport,
  type VerifyTarget,
} from './types.js'

/** The URL an in-process handler sees when the target gives none (a reserved `.test` host). */
export const DEFAULT_HANDLER_URL = 'https://receiver.idaas-webhook-kit.test/webhooks/idaas'

/** Concurrent deliveries of `handles-burst` unless told otherwise. */
export const DEFAULT_BURST = 50

/** `responds-in-time` warns above this many milliseconds unless told otherwise. */
export const DEFAULT_SLOW_MS = 1000

const CHECKS: Record<VerifyCheckId, VerifyCheck> = {
  'uses-https': usesHttps,
  'accepts-every-event-type': acceptsEveryEventType,
  'verifies-raw-body': verifiesRawBody,
  'tolerates-unknown-event-type': toleratesUnknownEventType,
  'tolerates-unknown-fields': toleratesUnknownFields,
  'accepts-redelivery': acceptsRedelivery,
  'responds-in-time': respondsInTime,
  'rejects-missing-signature': rejectsMissingSignature,
  'rejects-wrong-token': rejectsWrongToken,
  'rejects-tampered-body': rejectsTamperedBody,
  'rejects-stale-signature': rejectsStaleSignature,
  'handles-burst': handlesBurst,
  'no-redirect': noRedirect,
}

const SEVERITY = new Map(VERIFY_CHECKS.map((check) => [check.id, check.severity]))

/**
 * Sends signed IDaaS deliveries to a receiver and checks its answers against the contract IDaaS
 * holds it to: every event type accepted within 3 s, forgeries refused, the raw body verified,
 * unknown types and fields tolerated, redeliveries and bursts accepted, https, no redirects.
 * A Fetch-API `handler` is verified in-process, with no port. A receiver that cannot take one
 * valid delivery (unreachable, hanging, TLS failure, redirect) is reported once, by one check.
 * Resolves with the report; rejects only with a `KitError` for bad options.
 * @example
 * const report = await verifyReceiver({ url: 'http://localhost:3000/webhooks/idaas' }, { token })
 * if (!report.ok) console.log(report.checks.filter((c) => c.status === 'failed').map((c) => c.message))
 * @example
 * const report = await verifyReceiver({ handler: app.fetch }, { token, skip: ['handles-burst'] })
 * @see VERIFY_CHECKS for the checks, their severities and what each sends.
 */
export async function verifyReceiver(
  target: VerifyTarget,
  options: VerifyReceiverOptions,
): Promise<VerifyReport> {
  const resolved = resolveOptions(target, options)
  const elapsed = createRealClock().stopwatch()
  const { selected, excluded } = resolved
  const transport = createTransport(
    resolved.handler ? { handler: resolved.handler } : { url: resolved.sendUrl },
    { sendUrl: resolved.sendUrl, ca: options.ca, fetch: options.fetch },
  )
  const context = new VerifyContext({
    token: options.token,
    keyEncoding: options.keyEncoding,
    schemes: resolved.schemes,
    sendUrl: resolved.sendUrl,
    signUrl: resolved.signUrl,
    targetKind: resolved.handler ? 'handler' : 'url',
    policy: resolved.policy,
    transport,
    timeoutMs: resolved.timeoutMs,
    slowMs: resolved.slowMs,
    burst: resolved.burst,
    seed: resolved.seed,
    ca: options.ca,
    clock: options.clock,
    startedAt: Date.now(),
  })
  const emit = options.onProgress ?? (() => {})
  emit({
    type: 'start',
    target: resolved.sendUrl,
    checks: selected,
    timeoutMs: resolved.timeoutMs,
    burst: resolved.burst,
    targetKind: resolved.handler ? 'handler' : 'url',
  })
  const checks: VerifyCheckResult[] = []
  const finish = (result: VerifyCheckResult) => {
    checks.push(result)
    emit({ type: 'check-end', result })
  }
  try {
    let stop: { failure: ProbeFailure; owner: VerifyCheckId | undefined } | undefined
    if (selected.some((id) => id !== 'uses-https')) {
      const failure = await probeReceiver(context).catch(
        (error: unknown): ProbeFailure => ({
          kind: 'network',
          reason: 'the probe failed',
          outcome: {
            ok: false,
            severity: 'error',
            message: `The probe delivery failed before reaching the receiver: ${context.redact(error instanceof Error ? error.message : String(error))}. No other check was run.`,
          },
        }),
      )
      if (failure) stop = { failure, owner: attributeProbeFailure(failure.kind, selected) }
    }
    for (const id of VERIFY_CHECK_IDS) {
      const reason = excluded.get(id)
      if (reason !== undefined) {
        finish(skipped(id, reason, `Not run: ${reason}.`))
        continue
      }
      if (stop !== undefined) {
        const { failure, owner } = stop
        // A TLS failure is diagnosed by uses-https itself; anything else by the probe's result.
        if (id === owner && !(failure.kind === 'tls' && id === 'uses-https')) {
          finish(toResult(id, failure.outcome, 0))
          continue
        }
        if (!(failure.kind === 'tls' && id === 'uses-https')) {
          finish(
            skipped(
              id,
              failure.reason,
              `Not run: ${failure.reason}${owner ? ` (see ${owner})` : ''}.`,
            ),
          )
          continue
        }
      }
      if (context.hung) {
        const reason = `the receiver stopped answering (${HANG_LIMIT} timeouts in a row)`
        finish(skipped(id, reason, `Not run: ${reason}.`))
        continue
      }
      emit({ type: 'check-start', id })
      const started = createRealClock().stopwatch()
      let outcome: CheckOutcome
      try {
        outcome = await CHECKS[id].run(context)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        outcome = { ok: false, message: `The check failed to run: ${context.redact(message)}` }
      }
      if (id === 'uses-https' && stop?.failure.kind === 'tls' && outcome.ok) {
        // The handshake worked for the probe of uses-https but not for the delivery.
        outcome = stop.failure.outcome
      }
      finish(toResult(id, outcome, started()))
    }
  } finally {
    transport.close()
  }
  const report: VerifyReport = {
    ok: !checks.some((check) => check.status === 'failed' && check.severity === 'error'),
    schemes: resolved.schemes,
    target: resolved.sendUrl,
    durationMs: round(elapsed()),
    checks,
  }
  // A last guard: whatever a receiver echoed, no secret leaves in the report.
  return redactDeep(report, context.redact)
}

function toResult(id: VerifyCheckId, outcome: CheckOutcome, durationMs: number): VerifyCheckResult {
  const details: VerifyCheckDetails = { durationMs: round(durationMs) }
  if (outcome.skipped !== undefined) details.skipped = outcome.skipped
  if (outcome.warnings !== undefined && outcome.warnings.length > 0) {
    details.warnings = outcome.warnings
  }
  if (outcome.failures !== undefined && outcome.failures.length > 0) {
    details.failures = outcome.failures
  }
  Object.assign(details, outcome.details)
  const severity = SEVERITY.get(id) ?? 'error'
  // A check that did not run is never reported as passed.
  const status =
    outcome.skipped !== undefined ? 'skipped' : outcome.ok ? 'passed' : ('failed' as const)
  return {
    id,
    status,
    ok: status === 'passed',
    severity: outcome.ok ? severity : (outcome.severity ?? severity),
    message: outcome.message,
    details,
  }
}

function skipped(id: VerifyCheckId, reason: string, message: string): VerifyCheckResult {
  return toResult(id, { ok: true, skipped: reason, message }, 0)
}

function redactDeep<T>(value: T, redact: (text: string) => string): T {
  const text = JSON.stringify(value)
  if (redact(text) === text) return value
  return JSON.parse(text, (_key, item: unknown) =>
    typeof item === 'string' ? redact(item) : item,
  ) as T
}

// --- Options ------------------------------------------------------------------------------------

interface ResolvedOptions {
  sendUrl: string
  signUrl: string
  handler: ((request: Request) => Response | Promise<Response>) | undefined
  selected: VerifyCheckId[]
  /** Checks not run, with the reason. */
  excluded: Map<VerifyCheckId, string>
  policy: DeliveryPolicy
  timeoutMs: number
  slowMs: number
  burst: number
  seed: number
  schemes: readonly SignatureScheme[]
}

function fail(text: string): never {
  throw new KitError(text)
}

function absoluteHttpUrl(value: unknown, option: string): string {
  let url: URL | undefined
  try {
    url = new URL(value as string | URL)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    fail(
      `Failed to verify: option "${option}" must be an absolute http: or https: URL, got "${String(value)}".`,
    )
  }
  const credentials = urlCredentialsProblem(url)
  if (credentials !== undefined) fail(`Failed to verify: option "${option}": ${credentials}.`)
  return url.href
}

function readIds(value: unknown, option: 'only' | 'skip'): VerifyCheckId[] {
  if (value === undefined) return []
  if (!Array.isArray(value))
    fail(`Failed to verify: option "${option}" must be an array of check ids.`)
  for (const id of value) {
    if (typeof id === 'string' && (VERIFY_CHECK_IDS as readonly string[]).includes(id)) continue
    const suggestion = typeof id === 'string' ? closestMatch(id, VERIFY_CHECK_IDS) : undefined
    const hint = suggestion
      ? `Did you mean "${suggestion}"?`
      : `Known checks: ${VERIFY_CHECK_IDS.map((c) => `"${c}"`).join(', ')}.`
    fail(`Failed to verify: unknown check "${String(id)}" in option "${option}". ${hint}`)
  }
  return value as VerifyCheckId[]
}

function readNumber(
  value: unknown,
  option: string,
  fallback: number,
  rule: { min: number; max: number; integer?: boolean; what: string },
): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < rule.min ||
    value > rule.max ||
    (rule.integer === true && !Number.isInteger(value))
  ) {
    fail(`Failed to verify: option "${option}" must be ${rule.what}, got ${String(value)}.`)
  }
  return value
}

function resolveOptions(target: VerifyTarget, options: VerifyReceiverOptions): ResolvedOptions {
  if (target === null || typeof target !== 'object') {
    fail('Failed to verify: the target must be { url } or { handler }.')
  }
  if (options === null || typeof options !== 'object') {
    fail('Failed to verify: options with a "token" are required.')
  }
  const handler = 'handler' in target ? target.handler : undefined
  if ('handler' in target && typeof handler !== 'function') {
    fail('Failed to verify: "handler" must be a function from Request to Response.')
  }
  const rawUrl = 'url' in target && target.url !== undefined ? target.url : undefined
  if (handler === undefined && rawUrl === undefined) {
    fail('Failed to verify: the target must be { url } or { handler }.')
  }
  const sendUrl = absoluteHttpUrl(rawUrl ?? DEFAULT_HANDLER_URL, 'url')
  const signUrl =
    options.publicUrl === undefined ? sendUrl : absoluteHttpUrl(options.publicUrl, 'publicUrl')
  if (typeof options.token !== 'string' || options.token === '') {
    fail('Failed to verify: option "token" must be the webhook token, a non-empty string.')
  }
  if (
    options.keyEncoding !== undefined &&
    options.keyEncoding !== 'utf8' &&
    options.keyEncoding !== 'base64'
  ) {
    fail(
      `Failed to verify: option "keyEncoding" must be "utf8" or "base64", got "${String(options.keyEncoding)}".`,
    )
  }
  deriveHmacKey(options.token, options.keyEncoding, 'verify')
  const schemes = checkSchemes(options.schemes, 'verify')
  for (const name of ['onProgress', 'fetch'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      fail(`Failed to verify: option "${name}" must be a function.`)
    }
  }
  const only = readIds(options.only, 'only')
  const skip = readIds(options.skip, 'skip')
  const excluded = new Map<VerifyCheckId, string>()
  for (const id of VERIFY_CHECK_IDS) {
    if (options.only !== undefined && !only.includes(id)) excluded.set(id, 'not in "only"')
    else if (skip.includes(id)) excluded.set(id, 'excluded by "skip"')
  }
  const selected = VERIFY_CHECK_IDS.filter((id) => !excluded.has(id))
  if (selected.length === 0) {
    fail('Failed to verify: options "only" and "skip" leave no check to run.')
  }
  const timeoutMs = readNumber(options.timeoutMs, 'timeoutMs', IDAAS_POLICY.deadlineMs, {
    min: 1,
    max: 600_000,
    what: 'milliseconds between 1 and 600000',
  })
  return {
    schemes,
    sendUrl,
    signUrl,
    handler,
    selected,
    excluded,
    policy:
      timeoutMs === IDAAS_POLICY.deadlineMs
        ? IDAAS_POLICY
        : createDeliveryPolicy({ name: IDAAS_POLICY.name, deadlineMs: timeoutMs }),
    timeoutMs,
    slowMs: readNumber(options.slowMs, 'slowMs', DEFAULT_SLOW_MS, {
      min: 0,
      max: 600_000,
      what: 'milliseconds (at least 0)',
    }),
    burst: readNumber(options.burst, 'burst', DEFAULT_BURST, {
      min: 1,
      max: 1000,
      integer: true,
      what: 'a whole number from 1 to 1000',
    }),
    seed: readNumber(options.seed, 'seed', 1, {
      min: -Number.MAX_SAFE_INTEGER,
      max: Number.MAX_SAFE_INTEGER,
      what: 'a finite number',
    }),
  }
}
