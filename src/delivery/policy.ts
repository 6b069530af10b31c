import { KitError } from '../errors.js'
import { MAX_TIMER_MS } from '../internal/clock.js'
import { quoteValue } from '../internal/describe-value.js'

/**
 * Why an attempt failed. `timeout`: no complete answer (headers and body) within the deadline;
 * `network`: connection refused, reset, DNS; `tls`: the TLS handshake or the certificate failed;
 * `redirect`: a 3xx (never followed); `http-4xx`: a 4xx (or any status outside 2xx/3xx/5xx);
 * `http-5xx`: a 5xx.
 */
export type AttemptFailureKind =
  | 'timeout'
  | 'network'
  | 'tls'
  | 'redirect'
  | 'http-4xx'
  | 'http-5xx'

/** How one attempt ended: `success` (a 2xx within the deadline) or why it failed. */
export type AttemptOutcome = 'success' | AttemptFailureKind

/** Every {@link AttemptFailureKind}. */
export const ATTEMPT_FAILURE_KINDS: readonly AttemptFailureKind[] = [
  'timeout',
  'network',
  'tls',
  'redirect',
  'http-4xx',
  'http-5xx',
]

/**
 * How a sender delivers one event to one callback URL, as plain data: the deadline, what is
 * retried, when, and when a webhook is disabled. Check your own with {@link createDeliveryPolicy}.
 */
export interface DeliveryPolicy {
  /** A name for reports and messages, e.g. `idaas`. */
  readonly name: string
  /** Milliseconds one attempt may take, headers and body included; a 2xx later is a `timeout`. */
  readonly deadlineMs: number
  /** Attempts in total, the first included (at least 1). */
  readonly maxAttempts: number
  /** Failure kinds that are retried. IDaaS: `['http-5xx']` only, as documented ("IDaaS retries webhook deliveries only for server-side failures that return a 5xx response."); a 3xx not being followed is A7. */
  readonly retryOn: readonly AttemptFailureKind[]
  /** Milliseconds before retry 1, 2, …: one entry per retry, so at least `maxAttempts - 1` (A8). */
  readonly delaysMs: readonly number[]
  /**
   * What each delay counts from: the end of the previous attempt (IDaaS, A8) or the start of the
   * first attempt (issuance-legacy, A16).
   */
  readonly delayFrom: 'previous-attempt-end' | 'first-attempt-start'
  /** `[min, max]` milliseconds of uniform, seeded jitter added to every delay (A8). */
  readonly jitterMs: readonly [number, number]
  /** Disable the webhook after this many consecutive failures, or `null` for never (A9). */
  readonly autoDisableAfter: number | null
  /** What one failure is for `autoDisableAfter`: a delivery that failed after all its attempts, or one attempt (A9). */
  readonly countFailures: 'deliveries' | 'attempts'
  /** `same`: every attempt of a delivery carries the envelope's `id`; `new`: a fresh id per retry (A6). */
  readonly envelopeIdPerAttempt: 'same' | 'new'
}

/** A policy by name (`'idaas'`, `'issuance-legacy'`) or a policy object. */
export type DeliveryPolicyOption = 'idaas' | 'issuance-legacy' | DeliveryPolicy

/**
 * IDaaS's documented delivery rules (https://docs.trustedauth.com/developer/webhook/) with the
 * kit's defaults where Entrust is silent (A6–A9): 3 s deadline, 2xx is success, only 5xx is
 * retried, 3 attempts at about 2 s and 4 s after the previous attempt ended plus 0–500 ms of
 * jitter, disabled after 100 consecutive failed deliveries.
 */
export const IDAAS_POLICY: DeliveryPolicy = Object.freeze({
  name: 'idaas',
  deadlineMs: 3000, // "return a success status code (2xx) within 3 seconds" [documented]
  maxAttempts: 3, // "up to 3 total attempts" [documented]
  retryOn: Object.freeze(['http-5xx'] as const), // documented: only 5xx; timeouts, network, TLS, 3xx (A7: not followed), 4xx are not
  delaysMs: Object.freeze([2000, 4000]), // A8: "after about 2 seconds", "after about 4 seconds"
  delayFrom: 'previous-attempt-end', // A8
  jitterMs: Object.freeze([0, 500] as const), // A8: "a small random delay"
  autoDisableAfter: 100, // "100 consecutive delivery failures" [documented]; what counts is A9
  countFailures: 'deliveries', // A9
  envelopeIdPerAttempt: 'same', // A6
})

/**
 * The second policy seen on one version of Entrust's Instant ID as a Service page (A16): 15 s
 * deadline; up to 5 retries at 30 s, 2 min, 15 min, 2 h and 10 h after the first attempt, on any
 * failure ("no longer reachable or a 200 success response is not provided"); disabled when the
 * 5th retry fails. The page asks for "200 OK"; the kit, like IDaaS, accepts any 2xx.
 */
export const ISSUANCE_LEGACY_POLICY: DeliveryPolicy = Object.freeze({
  name: 'issuance-legacy',
  deadlineMs: 15_000,
  maxAttempts: 6,
  retryOn: Object.freeze([...ATTEMPT_FAILURE_KINDS]),
  delaysMs: Object.freeze([30_000, 120_000, 900_000, 7_200_000, 36_000_000]),
  delayFrom: 'first-attempt-start',
  jitterMs: Object.freeze([0, 0] as const),
  autoDisableAfter: 1,
  countFailures: 'deliveries',
  envelopeIdPerAttempt: 'same',
})

const POLICY_FIELDS = [
  'name',
  'deadlineMs',
  'maxAttempts',
  'retryOn',
  'delaysMs',
  'delayFrom',
  'jitterMs',
  'autoDisableAfter',
  'countFailures',
  'envelopeIdPerAttempt',
] as const satisfies readonly (keyof DeliveryPolicy)[]

const isWholeNumber = (value: unknown, min: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min

// Every duration ends up in a timer, and Node's timers fire after 1 ms above MAX_TIMER_MS.
const isMilliseconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_TIMER_MS

/** Every problem with `value` as a policy, one sentence each; empty when it is valid. */
function policyProblems(value: Record<string, unknown>): string[] {
  const problems: string[] = []
  const field = (name: string, rule: string) =>
    problems.push(`"${name}" must be ${rule}, got ${quoteValue(value[name])}`)
  for (const key of Object.keys(value)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(key)) {
      problems.push(`unknown field "${key}"`)
    }
  }
  if (typeof value.name !== 'string' || value.name.length === 0) field('name', 'a non-empty string')
  const { deadlineMs, maxAttempts, retryOn, delaysMs, jitterMs, autoDisableAfter } = value
  if (!isMilliseconds(deadlineMs) || deadlineMs === 0) {
    field('deadlineMs', `a positive number of milliseconds up to ${MAX_TIMER_MS}`)
  }
  if (!isWholeNumber(maxAttempts, 1)) field('maxAttempts', 'a whole number of at least 1')
  if (
    !Array.isArray(retryOn) ||
    !retryOn.every((kind) => (ATTEMPT_FAILURE_KINDS as readonly unknown[]).includes(kind)) ||
    new Set(retryOn).size !== retryOn.length
  ) {
    field(
      'retryOn',
      `a list without repeats of ${ATTEMPT_FAILURE_KINDS.map(quoteValue).join(', ')}`,
    )
  }
  if (!Array.isArray(delaysMs) || !delaysMs.every(isMilliseconds)) {
    field('delaysMs', `a list of milliseconds (numbers from 0 to ${MAX_TIMER_MS})`)
  } else if (isWholeNumber(maxAttempts, 1) && delaysMs.length < maxAttempts - 1) {
    problems.push(
      `"delaysMs" must have one entry per retry (${maxAttempts - 1} for "maxAttempts" ${maxAttempts}), got ${delaysMs.length}`,
    )
  }
  if (value.delayFrom !== 'previous-attempt-end' && value.delayFrom !== 'first-attempt-start') {
    field('delayFrom', '"previous-attempt-end" or "first-attempt-start"')
  }
  if (
    !Array.isArray(jitterMs) ||
    jitterMs.length !== 2 ||
    !jitterMs.every(isMilliseconds) ||
    (jitterMs[0] as number) > (jitterMs[1] as number)
  ) {
    field('jitterMs', `[min, max] milliseconds with 0 <= min <= max <= ${MAX_TIMER_MS}`)
  } else if (Array.isArray(delaysMs) && delaysMs.every(isMilliseconds)) {
    // A wait is a delay plus its jitter: the sum must fit in a timer too.
    const longest = delaysMs.reduce((max, ms) => Math.max(max, ms), 0)
    if (longest + (jitterMs[1] as number) > MAX_TIMER_MS) {
      problems.push(
        `the longest of "delaysMs" plus the largest of "jitterMs" must be at most ${MAX_TIMER_MS} ms, got ${longest} + ${jitterMs[1]}`,
      )
    }
  }
  if (autoDisableAfter !== null && !isWholeNumber(autoDisableAfter, 1)) {
    field('autoDisableAfter', 'a whole number of at least 1, or null for never')
  }
  if (value.countFailures !== 'deliveries' && value.countFailures !== 'attempts') {
    field('countFailures', '"deliveries" or "attempts"')
  }
  if (value.envelopeIdPerAttempt !== 'same' && value.envelopeIdPerAttempt !== 'new') {
    field('envelopeIdPerAttempt', '"same" or "new"')
  }
  return problems
}

/**
 * Throws a `KitError` naming every invalid field unless `value` is a valid {@link DeliveryPolicy}.
 * @example assertDeliveryPolicy(JSON.parse(fs.readFileSync('policy.json', 'utf8')))
 */
export function assertDeliveryPolicy(value: unknown): asserts value is DeliveryPolicy {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KitError(`Invalid delivery policy: expected an object, got ${quoteValue(value)}.`)
  }
  const record = value as Record<string, unknown>
  const problems = policyProblems(record)
  if (problems.length > 0) {
    const name = typeof record.name === 'string' && record.name ? ` "${record.name}"` : ''
    throw new KitError(`Invalid delivery policy${name}: ${problems.join('; ')}.`)
  }
}

/**
 * Creates a checked, frozen policy: `fields` over `base` (IDaaS's policy unless given), named
 * `custom` unless `fields.name` says otherwise. Throws a `KitError` naming each invalid field.
 * @example
 * // A6/A7/A9 differently: retry timeouts too, count attempts, new envelope id per retry
 * const policy = createDeliveryPolicy({
 *   name: 'strict-receiver',
 *   retryOn: ['http-5xx', 'timeout'],
 *   countFailures: 'attempts',
 *   envelopeIdPerAttempt: 'new',
 * })
 */
export function createDeliveryPolicy(
  fields: Partial<DeliveryPolicy>,
  base: DeliveryPolicyOption = IDAAS_POLICY,
): DeliveryPolicy {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new KitError(`Invalid delivery policy: expected an object, got ${quoteValue(fields)}.`)
  }
  const from = resolveDeliveryPolicy(base)
  const merged = { ...from, name: 'custom', ...fields }
  assertDeliveryPolicy(merged)
  return freezePolicy(merged)
}

function freezePolicy(policy: DeliveryPolicy): DeliveryPolicy {
  return Object.freeze({
    name: policy.name,
    deadlineMs: policy.deadlineMs,
    maxAttempts: policy.maxAttempts,
    retryOn: Object.freeze([...policy.retryOn]),
    delaysMs: Object.freeze([...policy.delaysMs]),
    delayFrom: policy.delayFrom,
    jitterMs: Object.freeze([policy.jitterMs[0], policy.jitterMs[1]] as const),
    autoDisableAfter: policy.autoDisableAfter,
    countFailures: policy.countFailures,
    envelopeIdPerAttempt: policy.envelopeIdPerAttempt,
  })
}

/**
 * The policy for an option: a name or a policy object, which is checked (and copied) here, when
 * a tenant or a delivery is created, never halfway through a delivery.
 */
export function resolveDeliveryPolicy(option: DeliveryPolicyOption | undefined): DeliveryPolicy {
  if (option === undefined || option === 'idaas') return IDAAS_POLICY
  if (option === 'issuance-legacy') return ISSUANCE_LEGACY_POLICY
  if (option === IDAAS_POLICY || option === ISSUANCE_LEGACY_POLICY) return option
  if (typeof option === 'string') {
    throw new KitError(
      `Invalid option "policy": expected "idaas", "issuance-legacy" or a policy object, got "${option}".`,
    )
  }
  assertDeliveryPolicy(option)
  return freezePolicy(option)
}
