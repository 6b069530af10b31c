import { closestMatch } from '../closest-match.js'
import { type DeliverableEvent, deliver } from '../delivery/engine.js'
import type { FetchReceiver } from '../delivery/in-process.js'
import { createDeliveryPolicy, IDAAS_POLICY } from '../delivery/policy.js'
import { formatDeliveryReport } from '../delivery/report.js'
import { KitError } from '../errors.js'
import { quoteValue } from '../internal/describe-value.js'
import { redactSecrets } from '../internal/redact.js'
import { checkLines } from '../reporters/pretty.js'
import { PLAIN_STYLE } from '../reporters/style.js'
import { IDAAS_EVENT_TYPES } from '../schema/event-types.js'
import { createEvent } from '../schema/factories.js'
import { formatIssues } from '../schema/issues.js'
import { type ValidationMode, validateEvent } from '../schema/validate.js'
import type { KeyEncoding } from '../signing/profile.js'
import { excerpt, timings } from '../verify/evidence.js'
import { DEFAULT_HANDLER_URL, verifyReceiver } from '../verify/run-contract.js'
import { createTransport } from '../verify/transport.js'
import type {
  VerifyCheckId,
  VerifyReceiverOptions,
  VerifyReport,
  VerifyTarget,
} from '../verify/types.js'

/**
 * What the receiver matchers take as `expect(received)`: a Fetch-API handler (verified
 * in-process), a URL, or a verify target (`{ url }`, `{ handler, url? }`).
 */
export type ReceiverUnderTest = FetchReceiver | string | URL | VerifyTarget

/** What a matcher returns, as vitest's and jest's `expect.extend` expect it. */
export interface IdaasMatcherResult {
  pass: boolean
  message: () => string
}

/** The part of the matcher context (vitest's and jest's `this`) the matchers use. */
export interface IdaasMatcherContext {
  isNot?: boolean
}

/** How to sign and reach the receiver, for the delivery matchers. */
export interface IdaasDeliveryMatcherOptions {
  /** The webhook token the receiver verifies with (A1). */
  token: string
  /** How the token becomes the HMAC key (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /** The URL registered in IDaaS, when the receiver is reached at another one (A5). */
  publicUrl?: string | URL
  /** Per-attempt deadline in milliseconds, 1 to 600000. @default 3000 */
  timeoutMs?: number
}

/** Options of `toRespondWithin`. */
export interface RespondWithinOptions extends Omit<IdaasDeliveryMatcherOptions, 'timeoutMs'> {
  /** The event to time. @default `samples` events of different types */
  event?: DeliverableEvent
  /** How many events to time when no `event` is given, 1 to 1000. @default 5 */
  samples?: number
}

/** Options of `toRejectForgedDeliveries`. */
export interface RejectForgedOptions extends Omit<VerifyReceiverOptions, 'only' | 'skip'> {
  /** Leave out forged checks, e.g. `['rejects-stale-signature']` for a receiver without a replay window. */
  skip?: readonly ForgedCheckId[]
}

/** The checks of `toRejectForgedDeliveries`. */
export type ForgedCheckId = Extract<
  VerifyCheckId,
  | 'rejects-missing-signature'
  | 'rejects-wrong-token'
  | 'rejects-tampered-body'
  | 'rejects-stale-signature'
>

/** The most events `toRespondWithin` times, as `verifyReceiver` caps `burst`. */
const MAX_SAMPLES = 1000

const FORGED_CHECKS: readonly ForgedCheckId[] = [
  'rejects-missing-signature',
  'rejects-wrong-token',
  'rejects-tampered-body',
  'rejects-stale-signature',
]

function toTarget(received: unknown, matcher: string): VerifyTarget {
  if (typeof received === 'function') return { handler: received as FetchReceiver }
  if (typeof received === 'string' || received instanceof URL) return { url: received }
  if (
    received !== null &&
    typeof received === 'object' &&
    ('url' in received || 'handler' in received)
  ) {
    return received as VerifyTarget
  }
  throw new KitError(
    `${matcher}: expect() must get a Fetch handler (request => response), a URL, or { url } / { handler }.`,
  )
}

function requireOptions(options: unknown, matcher: string): void {
  const token = (options as { token?: unknown } | undefined)?.token
  if (typeof token !== 'string' || token === '') {
    throw new KitError(`${matcher}: option "token" (the webhook token) is required.`)
  }
}

function describeTarget(target: VerifyTarget): string {
  return 'handler' in target ? 'the handler' : `the receiver at ${String(target.url)}`
}

/** `value` as an absolute http(s) URL, or undefined. */
function httpUrl(value: unknown): string | undefined {
  const url = URL.canParse(String(value)) ? new URL(String(value)) : undefined
  return url?.protocol === 'http:' || url?.protocol === 'https:' ? url.href : undefined
}

/** The URL to send to and the URL to sign for a target. */
function urls(target: VerifyTarget, publicUrl: string | URL | undefined, matcher: string) {
  const sendUrl = httpUrl(target.url ?? DEFAULT_HANDLER_URL)
  if (sendUrl === undefined) {
    throw new KitError(
      `${matcher}: the receiver URL must be an absolute http: or https: URL, got "${String(target.url)}".`,
    )
  }
  if (publicUrl === undefined) return { sendUrl, signUrl: sendUrl }
  const signUrl = httpUrl(publicUrl)
  if (signUrl === undefined) {
    throw new KitError(
      `Invalid option "publicUrl": expected an absolute http: or https: URL, got "${String(publicUrl)}".`,
    )
  }
  return { sendUrl, signUrl }
}

/** The longest deadline and threshold the matchers take, as `verifyReceiver` does for `timeoutMs`. */
const MAX_MATCHER_MS = 600_000

function checkTimeoutMs(timeoutMs: unknown): void {
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' ||
      !Number.isFinite(timeoutMs) ||
      timeoutMs < 1 ||
      timeoutMs > MAX_MATCHER_MS)
  ) {
    throw new KitError(
      `Invalid option "timeoutMs": expected milliseconds between 1 and ${MAX_MATCHER_MS}, got ${String(timeoutMs)}.`,
    )
  }
}

/** The forged checks left after option `skip`; a `KitError` for a bad `skip` or one that leaves none. */
function forgedChecks(skip: unknown): ForgedCheckId[] {
  if (skip === undefined) return [...FORGED_CHECKS]
  if (!Array.isArray(skip)) {
    throw new KitError(
      `Invalid option "skip": expected an array of forged check ids, got ${quoteValue(skip)}.`,
    )
  }
  for (const id of skip) {
    if ((FORGED_CHECKS as readonly unknown[]).includes(id)) continue
    const suggestion = typeof id === 'string' ? closestMatch(id, FORGED_CHECKS) : undefined
    const hint = suggestion
      ? `Did you mean "${suggestion}"?`
      : `Forged checks: ${FORGED_CHECKS.map((c) => `"${c}"`).join(', ')}.`
    throw new KitError(`Invalid option "skip": unknown forged check "${String(id)}". ${hint}`)
  }
  const only = FORGED_CHECKS.filter((id) => !skip.includes(id))
  if (only.length === 0) {
    throw new KitError(
      'Invalid option "skip": it leaves out every forged check, so none would run.',
    )
  }
  return only
}

function policyFor(timeoutMs: number | undefined, maxAttempts?: number) {
  if (timeoutMs === undefined && maxAttempts === undefined) return IDAAS_POLICY
  return createDeliveryPolicy({
    name: IDAAS_POLICY.name,
    ...(timeoutMs === undefined ? {} : { deadlineMs: timeoutMs }),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  })
}

function failingLines(report: VerifyReport): string {
  return report.checks
    .filter((c) => c.status === 'failed')
    .flatMap((c) => checkLines(c, PLAIN_STYLE))
    .join('\n')
}

/**
 * The matchers, runner-neutral: register them with vitest's or jest's `expect.extend`. They use
 * only `this.isNot` from the matcher context.
 */
export const idaasMatchers = {
  /** Delivers `event` under the IDaaS policy; passes when the receiver answers 2xx (after retries). */
  async toAcceptIdaasEvent(
    this: IdaasMatcherContext,
    received: unknown,
    event: DeliverableEvent,
    options: IdaasDeliveryMatcherOptions,
  ): Promise<IdaasMatcherResult> {
    const target = toTarget(received, 'toAcceptIdaasEvent')
    requireOptions(options, 'toAcceptIdaasEvent')
    checkTimeoutMs(options.timeoutMs)
    const { sendUrl, signUrl } = urls(target, options.publicUrl, 'toAcceptIdaasEvent')
    const transport = createTransport(
      'handler' in target ? { handler: target.handler } : { url: sendUrl },
      { sendUrl },
    )
    try {
      const report = await deliver(
        event,
        { url: signUrl, token: options.token },
        {
          policy: policyFor(options.timeoutMs),
          fetch: transport.fetch,
          ...(options.keyEncoding === undefined
            ? {}
            : { signing: { keyEncoding: options.keyEncoding } }),
        },
      )
      const redact = (text: string) => redactSecrets(text, [options.token, ...transport.signatures])
      const last = report.attempts.at(-1)
      const body = last?.responseBody
        ? `\nLast response body: ${excerpt(last.responseBody, redact)}`
        : ''
      const timeline = redact(formatDeliveryReport(report))
      const what = `"${report.eventType}" (envelope id "${report.eventId}")`
      return {
        pass: report.ok,
        message: () =>
          report.ok
            ? `expected ${describeTarget(target)} not to accept ${what}, but it did:\n${timeline}`
            : `expected ${describeTarget(target)} to accept ${what}, but it did not:\n${timeline}${body}`,
      }
    } finally {
      transport.close()
    }
  },

  /**
   * Sends the kit's forged deliveries (no signature, wrong token/label/alg/URL, tampered body,
   * stale `created`), each once; passes when none gets a 2xx.
   */
  async toRejectForgedDeliveries(
    this: IdaasMatcherContext,
    received: unknown,
    options: RejectForgedOptions,
  ): Promise<IdaasMatcherResult> {
    const target = toTarget(received, 'toRejectForgedDeliveries')
    requireOptions(options, 'toRejectForgedDeliveries')
    const only = forgedChecks(options.skip)
    const report = await verifyReceiver(target, { ...options, skip: [], only })
    // A skipped check is not a refusal: at least one forged check must have run, and none failed.
    const pass =
      report.checks.every((c) => c.status !== 'failed') &&
      report.checks.some((c) => c.status === 'passed' && (only as string[]).includes(c.id))
    return {
      pass,
      message: () =>
        pass
          ? `expected ${describeTarget(target)} to accept some forged delivery, but it refused all of them (${only.join(', ')}).`
          : `expected ${describeTarget(target)} to refuse every forged delivery, but:\n${failingLines(report)}`,
    }
  },

  /** Times `event` (or `samples` events of different types), one attempt each; passes when every answer is a 2xx within `ms` (at most 600000). */
  async toRespondWithin(
    this: IdaasMatcherContext,
    received: unknown,
    ms: number,
    options: RespondWithinOptions,
  ): Promise<IdaasMatcherResult> {
    const target = toTarget(received, 'toRespondWithin')
    requireOptions(options, 'toRespondWithin')
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > MAX_MATCHER_MS) {
      throw new KitError(
        `Invalid argument "ms": expected milliseconds above 0 and at most ${MAX_MATCHER_MS}, got ${String(ms)}.`,
      )
    }
    const samples = options.samples ?? 5
    if (!Number.isInteger(samples) || samples < 1 || samples > MAX_SAMPLES) {
      throw new KitError(
        `Invalid option "samples": expected a whole number from 1 to ${MAX_SAMPLES}, got ${String(samples)}.`,
      )
    }
    const events: DeliverableEvent[] =
      options.event !== undefined
        ? [options.event]
        : Array.from({ length: samples }, (_, i) =>
            createEvent(
              IDAAS_EVENT_TYPES[i % IDAAS_EVENT_TYPES.length]?.type ?? 'user.created',
              undefined,
              {
                seed: 900 + i,
                eventTime: new Date(),
              },
            ),
          )
    const { sendUrl, signUrl } = urls(target, options.publicUrl, 'toRespondWithin')
    const transport = createTransport(
      'handler' in target ? { handler: target.handler } : { url: sendUrl },
      { sendUrl },
    )
    // One attempt each, with a deadline of at least IDaaS's: a slow answer is measured, not cut.
    const policy = policyFor(Math.max(Math.ceil(ms), IDAAS_POLICY.deadlineMs), 1)
    const answers: Array<{ type: string; durationMs: number; status?: number; outcome: string }> =
      []
    try {
      for (const event of events) {
        const report = await deliver(
          event,
          { url: signUrl, token: options.token },
          {
            policy,
            fetch: transport.fetch,
            ...(options.keyEncoding === undefined
              ? {}
              : { signing: { keyEncoding: options.keyEncoding } }),
          },
        )
        for (const attempt of report.attempts) {
          const answer = {
            type: event.type,
            durationMs: attempt.durationMs,
            outcome: attempt.outcome,
          }
          answers.push(
            attempt.status === undefined ? answer : { ...answer, status: attempt.status },
          )
        }
      }
    } finally {
      transport.close()
    }
    const stats = timings(answers.map((a) => a.durationMs))
    const late = answers.filter((a) => a.outcome !== 'success' || a.durationMs > ms)
    const pass = late.length === 0
    const figures = `p50 ${stats.p50} ms, p95 ${stats.p95} ms, max ${stats.max} ms over ${stats.count} deliveries`
    const list = late
      .map((a) => `  "${a.type}": ${a.durationMs.toFixed(1)} ms, ${a.status ?? a.outcome}`)
      .join('\n')
    return {
      pass,
      message: () =>
        pass
          ? `expected ${describeTarget(target)} not to answer every delivery with a 2xx within ${ms} ms, but it did (${figures}).`
          : `expected ${describeTarget(target)} to answer every delivery with a 2xx within ${ms} ms (${figures}), but:\n${list}`,
    }
  },

  /** Validates a payload against the IDaaS event schemas: tolerant mode (A15) unless `mode: 'strict'`. */
  toBeValidIdaasEvent(
    this: IdaasMatcherContext,
    received: unknown,
    options: { mode?: ValidationMode } = {},
  ): IdaasMatcherResult {
    const mode = options.mode ?? 'tolerant'
    const result = validateEvent(received, { mode })
    const type =
      received !== null &&
      typeof received === 'object' &&
      typeof (received as { type?: unknown }).type === 'string'
        ? `"${(received as { type: string }).type}" `
        : ''
    const notes = result.notes.length > 0 ? `\nNotes:\n${formatIssues(result.notes)}` : ''
    return {
      pass: result.ok,
      message: () =>
        result.ok
          ? `expected the value not to be a valid IDaaS event (${mode} mode), but it is a valid ${type}event.${notes}`
          : `expected the value to be a valid IDaaS event (${mode} mode), but:\n${formatIssues(result.issues)}`,
    }
  },

  /** Runs the whole verify contract; passes when no error-severity check fails. */
  async toPassIdaasContract(
    this: IdaasMatcherContext,
    received: unknown,
    options: VerifyReceiverOptions,
  ): Promise<IdaasMatcherResult> {
    const target = toTarget(received, 'toPassIdaasContract')
    requireOptions(options, 'toPassIdaasContract')
    const report = await verifyReceiver(target, options)
    const ran = report.checks.filter((c) => c.details.skipped === undefined).length
    return {
      pass: report.ok,
      message: () =>
        report.ok
          ? `expected ${describeTarget(target)} not to pass the IDaaS contract, but no error-severity check failed (${ran} checks ran).`
          : `expected ${describeTarget(target)} to pass the IDaaS contract, but:\n${failingLines(report)}`,
    }
  },
}
