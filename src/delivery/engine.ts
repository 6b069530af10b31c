import { isKitError, KitError } from '../errors.js'
import { type ClockOption, type DeliveryClock, resolveClock } from '../internal/clock.js'
import { quoteValue } from '../internal/describe-value.js'
import {
  createRandom,
  type RandomSource,
  randomBytes,
  randomInt,
  randomUuidV7,
} from '../internal/random.js'
import { redactSecrets } from '../internal/redact.js'
import { isDigestAlgorithm } from '../signing/content-digest.js'
import { deriveHmacKey } from '../signing/key.js'
import { type DigestAlgorithm, IDAAS_CONTENT_TYPE, type KeyEncoding } from '../signing/profile.js'
import {
  type SchemeSignedHeaders,
  type SignDeliveryOptions,
  signDelivery,
} from '../signing/sign.js'
import { checkSchemes, type SignatureScheme } from '../signing/x-sha2.js'
import { urlCredentialsProblem } from '../url-credentials.js'
import {
  classifyError,
  classifyResponse,
  classifyStatus,
  classifyTlsProbeError,
  DeadlineExceeded,
} from './attempt-outcome.js'
import type { FetchLike } from './in-process.js'
import { type PostAnswer, postWithNode } from './node-post.js'
import {
  type AttemptOutcome,
  type DeliveryPolicy,
  type DeliveryPolicyOption,
  resolveDeliveryPolicy,
} from './policy.js'
import type { DeliveryAttempt, DeliveryReport, DeliveryResult } from './report.js'
import { abortable, drainResponseBody } from './response-body.js'
import { type DeliveryTlsOptions, probeTls } from './tls.js'

/** Where one delivery goes. */
export interface DeliveryTarget {
  /** The callback URL as registered: where the POST goes and the signed `@target-uri` (A5). */
  url: string | URL
  /** The webhook token, the HMAC key (A1). Never printed or logged. Not needed with `sign: false`. */
  token?: string
}

/** The minimum an event needs to be delivered: its envelope `id` and `type`. */
export interface DeliverableEvent {
  readonly id: string
  readonly type: string
}

/** How attempts are signed; each option maps to an assumption row. */
export interface DeliverySigningOptions {
  /** How the token becomes the HMAC key (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /** The `Content-Digest` algorithm (A2). @default 'sha-256' */
  digestAlgorithm?: DigestAlgorithm
  /** Send `created` (the attempt's start, Unix seconds) (A3). @default true */
  created?: boolean
  /** Send `expires` this many seconds after the attempt's start (A3). @default omitted */
  expiresAfter?: number
  /** Send this `keyid` (A3). @default omitted */
  keyid?: string
  /** Send a fresh seeded `nonce` with every attempt (A3). @default false */
  nonce?: boolean
  /** Send this `tag` (A3). @default omitted */
  tag?: string
}

/** Options of {@link deliver}. */
export interface DeliverOptions {
  /** The delivery policy, by name or as an object, checked before the first attempt. @default 'idaas' (A6–A9) */
  policy?: DeliveryPolicyOption
  /** Where time comes from. @default a new virtual clock: retries cost no wall time */
  clock?: ClockOption
  /** Seed of the jitter (and of `new` envelope ids and nonces). @default 1 */
  seed?: number
  /** A random source instead of `seed`. */
  random?: RandomSource
  /**
   * What to POST with, e.g. `createInProcessFetch(…)` or the global `fetch`. @default the kit's
   * keep-alive node:http(s) client, which MSW's `setupServer()` intercepts as it does `fetch`
   */
  fetch?: FetchLike
  /** How attempts are signed (A1–A3). */
  signing?: DeliverySigningOptions
  /** Which signatures each attempt carries (A17): `rfc9421`, the older `x-sha2`, or both. @default ['rfc9421'] */
  schemes?: readonly SignatureScheme[]
  /** TLS checks for HTTPS callback URLs. */
  tls?: DeliveryTlsOptions
  /** Stops the delivery before its next attempt (an attempt in flight finishes). Result `cancelled`. */
  signal?: AbortSignal
  /**
   * Called after each attempt, e.g. to log the timeline as it happens. An error it throws stops
   * the delivery and rejects `deliver()` with that error.
   */
  onAttempt?: (attempt: DeliveryAttempt, report: DeliveryReport) => void
  /**
   * Asked before every attempt, the first one included; `false` stops the delivery before that
   * attempt, result `cancelled` (the tenant stops retrying a webhook that expired, A10).
   * @default every attempt runs
   */
  shouldContinue?: () => boolean
  /**
   * The exact body to POST (and sign) on every attempt instead of `JSON.stringify(event)`, e.g. a
   * captured body resent byte for byte; `event` then only names the delivery in the report, and
   * each attempt's `envelopeId` is `event.id`. @default JSON.stringify(event)
   */
  body?: string
  /**
   * Request headers added to every attempt after the signed ones (a name the engine sends is
   * replaced); `null` removes a header, e.g. `{ 'content-digest': null }`. Names are
   * case-insensitive. @default none
   */
  headers?: Readonly<Record<string, string | null>>
  /**
   * Sign the attempts (A1–A3). `false` sends no `Content-Digest`, `Signature-Input` or
   * `Signature`, needs no `target.token` and ignores `signing`. @default true
   */
  sign?: boolean
}

/**
 * Delivers one event to one callback URL the way IDaaS does: a signed POST per attempt (every
 * attempt signed afresh, A6), each within the policy's deadline (headers and body), redirects
 * never followed, retried per the policy with seeded jitter. Resolves with every attempt
 * recorded. It rejects for bad arguments or options (all checked before the first attempt), a
 * misrouted request (an MSW or kit error), and an error thrown by `onAttempt` or a custom clock.
 * @example
 * const report = await deliver(createEvent('user.created'), { url: 'https://app.test/hooks', token })
 * report.attempts.map((a) => a.outcome) // e.g. ['http-5xx', 'http-5xx', 'success']
 * @see https://docs.trustedauth.com/developer/webhook/ for IDaaS's delivery rules; A6–A9 for the defaults.
 */
export async function deliver(
  event: DeliverableEvent,
  target: DeliveryTarget,
  options: DeliverOptions = {},
): Promise<DeliveryReport> {
  const context = prepare(event, target, options)
  return runDelivery(context)
}

/** Everything one delivery needs, checked. */
interface DeliveryContext {
  event: DeliverableEvent
  body: string
  /** `options.body` was given: every attempt sends `body` unchanged. */
  rawBody: boolean
  url: URL
  token: string | undefined
  policy: DeliveryPolicy
  clock: DeliveryClock
  random: RandomSource
  fetch: FetchLike | undefined
  signing: DeliverySigningOptions
  /** Which signatures each attempt carries (A17); `undefined` for the default, RFC 9421 only. */
  schemes: readonly SignatureScheme[] | undefined
  tls: DeliveryTlsOptions
  signal: AbortSignal | undefined
  onAttempt: DeliverOptions['onAttempt']
  shouldContinue: (() => boolean) | undefined
  /** Header changes, names lower-cased; `null` removes. */
  headers: ReadonlyMap<string, string | null>
}

/**
 * Checks `event`, `target` and `options` exactly as {@link deliver} does, throwing the same
 * `KitError`, without sending anything: for callers that deliver many times with one target
 * and options and want a bad option to fail before the first delivery (e.g. `replay`).
 */
export function checkDeliverOptions(
  event: DeliverableEvent,
  target: DeliveryTarget,
  options: DeliverOptions = {},
): void {
  prepare(event, target, options)
}

/** Checks everything before the first attempt, so a bad option throws at once. */
function prepare(
  event: DeliverableEvent,
  target: DeliveryTarget,
  options: DeliverOptions,
): DeliveryContext {
  if (
    event === null ||
    typeof event !== 'object' ||
    typeof event.id !== 'string' ||
    typeof event.type !== 'string'
  ) {
    throw new KitError(
      'Failed to deliver: argument "event" must be an object with a string "id" and "type".',
    )
  }
  if (target === null || typeof target !== 'object') {
    throw new KitError(
      'Failed to deliver: argument "target" must be an object with "url" and "token".',
    )
  }
  let url: URL
  try {
    url = new URL(target.url)
  } catch {
    throw new KitError(
      `Failed to deliver "${event.type}": "target.url" must be an absolute URL, got "${String(target.url)}".`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KitError(
      `Failed to deliver "${event.type}": "target.url" must be an http: or https: URL, got "${url.protocol}".`,
    )
  }
  const credentials = urlCredentialsProblem(url)
  if (credentials !== undefined) {
    throw new KitError(`Failed to deliver "${event.type}": "target.url": ${credentials}.`)
  }
  if (options.sign !== undefined && typeof options.sign !== 'boolean') {
    throw new KitError(
      `Invalid option "sign": expected true or false, got ${quoteValue(options.sign)}.`,
    )
  }
  const signed = options.sign !== false
  if (
    (signed || target.token !== undefined) &&
    (typeof target.token !== 'string' || target.token.length === 0)
  ) {
    throw new KitError(
      `Failed to deliver "${event.type}": "target.token" must be a non-empty string.`,
    )
  }
  if (options.body !== undefined && typeof options.body !== 'string') {
    throw new KitError(`Invalid option "body": expected a string, got ${quoteValue(options.body)}.`)
  }
  if (options.shouldContinue !== undefined && typeof options.shouldContinue !== 'function') {
    throw new KitError(
      `Invalid option "shouldContinue": expected a function, got ${quoteValue(options.shouldContinue)}.`,
    )
  }
  const headers = checkHeaders(options.headers)
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new KitError('Invalid option "fetch": expected a function with the signature of fetch.')
  }
  if (options.onAttempt !== undefined && typeof options.onAttempt !== 'function') {
    throw new KitError(
      `Invalid option "onAttempt": expected a function, got ${quoteValue(options.onAttempt)}.`,
    )
  }
  const signing = checkSigningOptions(options.signing)
  const schemes =
    options.schemes === undefined ? undefined : checkSchemes(options.schemes, 'deliver')
  try {
    if (signed) deriveHmacKey(target.token as string, signing.keyEncoding)
  } catch {
    // The only failure left once the token is a non-empty string and the encoding is known.
    throw new KitError(
      `Failed to deliver "${event.type}": "target.token" decodes to no bytes with "signing.keyEncoding" "base64". Is the token base64?`,
    )
  }
  return {
    event,
    body: options.body ?? JSON.stringify(event),
    rawBody: options.body !== undefined,
    url,
    token: signed ? target.token : undefined,
    policy: resolveDeliveryPolicy(options.policy),
    clock: resolveClock(options.clock),
    random: options.random ?? createRandom(options.seed),
    fetch: options.fetch,
    signing,
    schemes,
    tls: options.tls ?? {},
    signal: options.signal,
    onAttempt: options.onAttempt,
    shouldContinue: options.shouldContinue,
    headers,
  }
}

// RFC 9110 §5.1 field names (tokens) and §5.5 field values without CR, LF or NUL.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** Checks option `headers`; the values are never quoted in a message (they may be secrets). */
function checkHeaders(value: unknown): Map<string, string | null> {
  const headers = new Map<string, string | null>()
  if (value === undefined) return headers
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KitError(`Invalid option "headers": expected an object, got ${quoteValue(value)}.`)
  }
  const problems: string[] = []
  for (const [name, text] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) {
      problems.push(`${JSON.stringify(name)} is not a valid header name`)
    } else if (text !== null && typeof text !== 'string') {
      problems.push(`"${name}" must be a string or null, got ${quoteValue(text)}`)
    } else if (text !== null && !HEADER_VALUE.test(text)) {
      problems.push(`"${name}" has a value with a control character or a line break`)
    } else if (headers.has(name.toLowerCase())) {
      problems.push(`"${name}" is given twice (names are case-insensitive)`)
    } else {
      headers.set(name.toLowerCase(), text)
    }
  }
  if (problems.length > 0) throw new KitError(`Invalid option "headers": ${problems.join('; ')}.`)
  return headers
}

const SIGNING_FIELDS: readonly string[] = [
  'keyEncoding',
  'digestAlgorithm',
  'created',
  'expiresAfter',
  'keyid',
  'nonce',
  'tag',
] satisfies readonly (keyof DeliverySigningOptions)[]

// keyid and tag are sent as structured-field strings: printable ASCII only (RFC 8941 §3.3.3).
const SF_STRING = /^[\x20-\x7e]*$/

/**
 * Checks option `signing` (a copy is returned), so a bad value throws a `KitError` naming every
 * invalid field when a delivery or a tenant is created, not at the first attempt.
 */
export function checkSigningOptions(value: unknown): DeliverySigningOptions {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KitError(`Invalid option "signing": expected an object, got ${quoteValue(value)}.`)
  }
  const signing = value as Record<string, unknown>
  const problems: string[] = []
  const field = (name: string, rule: string) =>
    problems.push(`"${name}" must be ${rule}, got ${quoteValue(signing[name])}`)
  for (const key of Object.keys(signing)) {
    if (!SIGNING_FIELDS.includes(key)) problems.push(`unknown field "${key}"`)
  }
  const { keyEncoding, digestAlgorithm, created, expiresAfter, keyid, nonce, tag } = signing
  if (keyEncoding !== undefined && keyEncoding !== 'utf8' && keyEncoding !== 'base64') {
    field('keyEncoding', '"utf8" or "base64"')
  }
  if (digestAlgorithm !== undefined && !isDigestAlgorithm(digestAlgorithm)) {
    field('digestAlgorithm', '"sha-256" or "sha-512"')
  }
  if (created !== undefined && typeof created !== 'boolean') field('created', 'true or false')
  if (nonce !== undefined && typeof nonce !== 'boolean') field('nonce', 'true or false')
  if (
    expiresAfter !== undefined &&
    !(typeof expiresAfter === 'number' && Number.isSafeInteger(expiresAfter) && expiresAfter >= 0)
  ) {
    field('expiresAfter', 'whole seconds (at least 0)')
  }
  for (const [name, text] of [
    ['keyid', keyid],
    ['tag', tag],
  ] as const) {
    if (text !== undefined && (typeof text !== 'string' || !SF_STRING.test(text))) {
      field(name, 'a string of printable ASCII characters')
    }
  }
  if (problems.length > 0) throw new KitError(`Invalid option "signing": ${problems.join('; ')}.`)
  return { ...signing } as DeliverySigningOptions
}

/** Runs a prepared delivery. */
async function runDelivery(context: DeliveryContext): Promise<DeliveryReport> {
  const { event, policy, clock, random, signal } = context
  const report: DeliveryReport = {
    result: 'failed',
    ok: false,
    eventId: event.id,
    eventType: event.type,
    url: context.url.href,
    policy: policy.name,
    attempts: [],
    startedAt: clock.now(),
    endedAt: 0,
  }
  let result: DeliveryResult = 'failed'
  let firstStartedAt = report.startedAt
  for (let number = 1; ; number++) {
    if (signal?.aborted || context.shouldContinue?.() === false) {
      result = 'cancelled'
      break
    }
    // A6: the same envelope id on every attempt unless the policy asks for a new one per retry.
    const envelopeId =
      number === 1 || policy.envelopeIdPerAttempt === 'same' || context.rawBody
        ? event.id
        : randomUuidV7(random, clock.now())
    const body =
      envelopeId === event.id ? context.body : JSON.stringify({ ...event, id: envelopeId })
    const attempt = await runAttempt(context, number, envelopeId, body)
    if (number === 1) firstStartedAt = attempt.startedAt
    report.attempts.push(attempt)
    const retried =
      attempt.outcome !== 'success' &&
      policy.retryOn.includes(attempt.outcome) &&
      number < policy.maxAttempts
    if (retried) {
      const delayMs = policy.delaysMs[number - 1] ?? 0
      const jitterMs = randomInt(random, policy.jitterMs[0], policy.jitterMs[1])
      // A8: IDaaS counts from the end of the previous attempt; issuance-legacy from the first one.
      const from = policy.delayFrom === 'previous-attempt-end' ? clock.now() : firstStartedAt
      attempt.nextAttemptAt = from + delayMs + jitterMs
      attempt.delayMs = delayMs
      attempt.jitterMs = jitterMs
    }
    context.onAttempt?.(attempt, report)
    if (!retried) {
      result = attempt.outcome === 'success' ? 'delivered' : 'failed'
      break
    }
    try {
      await clock.sleep(Math.max(0, (attempt.nextAttemptAt as number) - clock.now()), signal)
    } catch (error) {
      if (signal?.aborted) {
        result = 'cancelled'
        break
      }
      throw error
    }
  }
  report.result = result
  report.ok = result === 'delivered'
  report.endedAt = clock.now()
  return report
}

interface AttemptEnd {
  outcome: AttemptOutcome
  status?: number
  statusText?: string
  responseBody?: string
  location?: string
  error?: string
  errorCode?: string
  tlsProtocol?: string
}

async function runAttempt(
  context: DeliveryContext,
  number: number,
  envelopeId: string,
  body: string,
): Promise<DeliveryAttempt> {
  const { clock, policy, signing, token } = context
  const startedAt = clock.now()
  const createdSeconds = Math.floor(startedAt / 1000)
  const signed = token === undefined ? undefined : sign(context, token, body, createdSeconds)
  const headers = withHeaderChanges(
    signed ?? { 'Content-Type': IDAAS_CONTENT_TYPE },
    context.headers,
  )

  const elapsed = clock.stopwatch()
  const controller = new AbortController()
  let timedOut = false
  // The deadline covers the whole attempt, headers and body: IDaaS marks an attempt failed without
  // a 2xx "within 3 seconds" (https://docs.trustedauth.com/developer/webhook/). It is a timer of
  // the engine's clock with an AbortController, never AbortSignal.timeout(), which fake timers
  // (vitest, @sinonjs/fake-timers) do not reach.
  const cancelDeadline = clock.setTimer(() => {
    timedOut = true
    controller.abort(new DeadlineExceeded(`No complete response within ${policy.deadlineMs} ms.`))
  }, policy.deadlineMs)
  const seen: { status?: number } = {}
  const work = () => post(context, headers, body, controller.signal, seen)
  let end: AttemptEnd
  try {
    end = await (clock.track ? clock.track(work) : work())
  } catch (error) {
    const misrouted = misroutedRequestError(error)
    if (misrouted !== undefined) throw misrouted
    end = classifyError(error, timedOut, policy.deadlineMs)
    if (seen.status !== undefined) end.status = seen.status
  } finally {
    cancelDeadline()
  }
  const attempt: DeliveryAttempt = {
    number,
    startedAt,
    durationMs: Math.round(elapsed() * 1000) / 1000,
    outcome: end.outcome,
    envelopeId,
  }
  if (signed !== undefined && signing.created !== false) attempt.created = createdSeconds
  if (end.status !== undefined) attempt.status = end.status
  if (end.statusText !== undefined) attempt.statusText = end.statusText
  // A receiver may echo what it received: keep the token and the signature out of the report.
  const secrets =
    signed === undefined
      ? []
      : [token as string, signed.Signature, signed['x-sha2-signature']].filter(
          (secret): secret is string => secret !== undefined,
        )
  const redact = (text: string) => redactSecrets(text, secrets)
  if (end.responseBody !== undefined) attempt.responseBody = redact(end.responseBody)
  if (end.location !== undefined) attempt.location = end.location
  if (end.error !== undefined) attempt.error = redact(end.error)
  if (end.errorCode !== undefined) attempt.errorCode = end.errorCode
  if (end.tlsProtocol !== undefined) attempt.tlsProtocol = end.tlsProtocol
  return attempt
}

/** The signed headers of one attempt, `created` its start (A1–A3, every attempt afresh: A6). */
function sign(
  context: DeliveryContext,
  token: string,
  body: string,
  createdSeconds: number,
): SchemeSignedHeaders {
  const { signing } = context
  const signOptions: SignDeliveryOptions = {
    url: context.url.href,
    body,
    token,
    created: signing.created === false ? false : createdSeconds,
  }
  if (signing.keyEncoding !== undefined) signOptions.keyEncoding = signing.keyEncoding
  if (signing.digestAlgorithm !== undefined) signOptions.digestAlgorithm = signing.digestAlgorithm
  if (signing.expiresAfter !== undefined)
    signOptions.expires = createdSeconds + signing.expiresAfter
  if (signing.keyid !== undefined) signOptions.keyid = signing.keyid
  if (signing.tag !== undefined) signOptions.tag = signing.tag
  if (signing.nonce === true) {
    signOptions.nonce = Buffer.from(randomBytes(context.random, 16)).toString('base64url')
  }
  return context.schemes === undefined
    ? signDelivery(signOptions)
    : signDelivery({ ...signOptions, schemes: context.schemes })
}

/** `base` with option `headers` applied: a name given there replaces or (`null`) removes one of `base`. */
function withHeaderChanges(
  base: Readonly<Record<string, string>>,
  changes: ReadonlyMap<string, string | null>,
): Record<string, string> {
  if (changes.size === 0) return { ...base }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) {
    if (!changes.has(name.toLowerCase())) headers[name] = value
  }
  for (const [name, value] of changes) if (value !== null) headers[name] = value
  return headers
}

async function post(
  context: DeliveryContext,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  seen: { status?: number },
): Promise<AttemptEnd> {
  let tlsProtocol: string | undefined
  if (context.tls.probe === true && context.url.protocol === 'https:') {
    try {
      tlsProtocol = await probeTls(context.url, { ca: context.tls.ca, signal })
    } catch (error) {
      if (signal.aborted) throw error
      return withTls(classifyTlsProbeError(error), undefined)
    }
  }
  if (context.fetch === undefined) {
    // The default: node:http(s) with keep-alive agents; MSW's setupServer() intercepts it too.
    const answer = await postWithNode(context.url, { ...headers }, body, signal, (status) => {
      seen.status = status
    })
    return withTls(endOf(classifyStatus(answer.status), answer), tlsProtocol)
  }
  const response = await abortable(
    context.fetch(context.url.href, {
      method: 'POST',
      headers: { ...headers },
      body,
      redirect: 'manual', // A7: 3xx is never followed
      signal,
    }),
    signal,
  )
  seen.status = response.status
  // Read the whole body within the deadline: a 2xx whose body arrives late is still a timeout.
  const text = await drainResponseBody(response, signal)
  const answer = {
    status: response.status,
    statusText: response.statusText,
    location: response.headers.get('location') ?? undefined,
    body: text,
  }
  return withTls(endOf(classifyResponse(response), answer), tlsProtocol)
}

/** What an attempt records of a complete response. */
function endOf(outcome: AttemptOutcome, answer: PostAnswer): AttemptEnd {
  const end: AttemptEnd = { outcome, status: answer.status }
  if (answer.statusText) end.statusText = answer.statusText
  // The body is evidence only for a refused attempt.
  if (outcome !== 'success' && answer.body.length > 0) end.responseBody = answer.body
  if (outcome === 'redirect' && answer.location !== undefined) end.location = answer.location
  return end
}

function withTls(end: AttemptEnd, tlsProtocol: string | undefined): AttemptEnd {
  if (tlsProtocol !== undefined) end.tlsProtocol = tlsProtocol
  return end
}

/** The error, if any, that means the request never reached a receiver because the test setup is wrong. */
function misroutedRequestError(error: unknown): unknown {
  if (isKitError(error)) return error
  // MSW with onUnhandledRequest: 'error' rejects with "[MSW] Cannot bypass a request …": fetch
  // with that error, the node:http client with it as the `cause` of its "fetch failed".
  const isMsw = (e: unknown): e is Error =>
    e instanceof Error && e.name === 'InternalError' && e.message.startsWith('[MSW]')
  if (isMsw(error)) return error
  if (error instanceof Error && isMsw(error.cause)) return error.cause
  return undefined
}
