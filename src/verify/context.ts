import type { IdaasEventType } from '../../generated/types.js'
import { classifyError, classifyResponse, DeadlineExceeded } from '../delivery/attempt-outcome.js'
import { type DeliverableEvent, type DeliverOptions, deliver } from '../delivery/engine.js'
import type { FetchLike } from '../delivery/in-process.js'
import type { CaCertificates } from '../delivery/pem.js'
import type { DeliveryPolicy } from '../delivery/policy.js'
import type { DeliveryReport } from '../delivery/report.js'
import { abortable, drainResponseBody } from '../delivery/response-body.js'
import { type ClockOption, createRealClock } from '../internal/clock.js'
import { redactSecrets } from '../internal/redact.js'
import { createEvent } from '../schema/factories.js'
import type { KeyEncoding } from '../signing/profile.js'
import { signDelivery } from '../signing/sign.js'
import type { SignedDelivery } from '../signing/signed-delivery.js'
import type { SignatureScheme } from '../signing/x-sha2.js'
import { cleanErrorMessage, deliveryEvidence, excerpt, round } from './evidence.js'
import type { VerifyTransport } from './transport.js'
import type { VerifyCheckId, VerifyEvidence } from './types.js'

/** After this many timeouts in a row the receiver is taken to hang: nothing more is sent. */
export const HANG_LIMIT = 6

/** One attempt any check made, kept for `responds-in-time` and `no-redirect`. */
export interface PooledAttempt {
  check: VerifyCheckId | 'probe'
  case: string
  outcome: string
  status?: number
  durationMs: number
  location?: string
  /** A valid delivery sent on its own (not in the burst): what `responds-in-time` measures. */
  timed: boolean
}

/** A delivery made through the engine, or not made because the receiver hangs. */
export interface DeliveryOutcome {
  delivered: boolean
  report: DeliveryReport | undefined
  evidence: VerifyEvidence
}

/** A request sent exactly once, outside the engine. */
export interface SendOutcome {
  /** `success` for a 2xx. */
  outcome: string
  status?: number
  evidence: VerifyEvidence
}

/** Everything a check needs: where to send, how to sign, and what earlier checks saw. */
export interface VerifyContextOptions {
  token: string
  keyEncoding: KeyEncoding | undefined
  /** The signatures valid deliveries carry and forgeries are forged in (A17). */
  schemes: readonly SignatureScheme[]
  /** Where requests go. */
  sendUrl: string
  /** The signed `@target-uri`: the public URL, or the send URL (A5). */
  signUrl: string
  /** `url` or `handler`. */
  targetKind: 'url' | 'handler'
  /** The policy every valid delivery goes through (IDaaS's, with the chosen deadline). */
  policy: DeliveryPolicy
  transport: VerifyTransport
  timeoutMs: number
  slowMs: number
  burst: number
  seed: number
  ca: CaCertificates | undefined
  clock: ClockOption | undefined
  /** When the run started (epoch ms): the `eventTime` of the events sent. */
  startedAt: number
}

const realClock = createRealClock()

/** The shared state of one run. @internal */
export class VerifyContext {
  readonly options: VerifyContextOptions
  readonly attempts: PooledAttempt[] = []
  /** True once {@link HANG_LIMIT} requests in a row timed out. */
  hung = false
  private consecutiveTimeouts = 0
  private everyType: Promise<Array<{ type: IdaasEventType; outcome: DeliveryOutcome }>> | undefined

  constructor(options: VerifyContextOptions) {
    this.options = options
  }

  /** Removes the token and every signature sent from text that came back from the receiver. */
  readonly redact = (text: string): string =>
    redactSecrets(text, [this.options.token, ...this.options.transport.signatures])

  /** A seeded, valid event of `type`, dated at the start of the run, so each run sends new ids. */
  event<T extends IdaasEventType>(type: T, offset: number) {
    return createEvent(type, undefined, {
      seed: this.options.seed * 100_000 + offset,
      eventTime: new Date(this.options.startedAt),
    })
  }

  /** Delivers `event` through the delivery engine under the run's policy (or `policy`). */
  async deliverEvent(
    event: DeliverableEvent,
    check: VerifyCheckId | 'probe',
    name: string,
    settings: { policy?: DeliveryPolicy; concurrent?: boolean; rawBody?: string } = {},
  ): Promise<DeliveryOutcome> {
    if (this.hung) return { delivered: false, report: undefined, evidence: notSent(name) }
    const { options } = this
    const deliverOptions: DeliverOptions = {
      policy: settings.policy ?? options.policy,
      fetch:
        settings.rawBody === undefined
          ? options.transport.fetch
          : this.rawBodyFetch(settings.rawBody),
      seed: options.seed,
    }
    if (options.keyEncoding !== undefined)
      deliverOptions.signing = { keyEncoding: options.keyEncoding }
    if (!isDefaultSchemes(options.schemes)) deliverOptions.schemes = options.schemes
    if (options.clock !== undefined) deliverOptions.clock = options.clock
    const report = await deliver(
      event,
      { url: options.signUrl, token: options.token },
      deliverOptions,
    )
    for (const attempt of report.attempts) {
      const pooled: PooledAttempt = {
        check,
        case: name,
        outcome: attempt.outcome,
        durationMs: attempt.durationMs,
        timed: settings.concurrent !== true,
      }
      if (attempt.status !== undefined) pooled.status = attempt.status
      if (attempt.location !== undefined) pooled.location = attempt.location
      this.attempts.push(pooled)
      if (settings.concurrent !== true) this.noteOutcome(attempt.outcome)
    }
    return { delivered: report.ok, report, evidence: deliveryEvidence(name, report, this.redact) }
  }

  /**
   * A fetch for the delivery engine that sends `body`, byte for byte, instead of the engine's
   * `JSON.stringify(event)`, signed afresh with the attempt's `created`: so byte-exact bodies get
   * the policy (deadline, retries, A6/A7) like every other valid delivery.
   */
  private rawBodyFetch(body: string): FetchLike {
    const { token, keyEncoding, signUrl, transport, schemes } = this.options
    return (input, init = {}) => {
      const engineHeaders = new Headers(init.headers)
      const created = /;created=(\d+)/.exec(engineHeaders.get('signature-input') ?? '')?.[1]
      const headers = signDelivery({
        url: signUrl,
        body,
        token,
        created: created === undefined ? false : Number(created),
        ...(keyEncoding === undefined ? {} : { keyEncoding }),
        schemes,
      })
      return transport.fetch(input, { ...init, headers: { ...headers }, body })
    }
  }

  /**
   * Sends `delivery` exactly once (never retried), within the deadline, and reads at most the
   * capped body. `timed`: a valid delivery that counts for `responds-in-time`.
   */
  async sendOnce(
    delivery: SignedDelivery,
    check: VerifyCheckId,
    name: string,
    settings: { description?: string; timed?: boolean } = {},
  ): Promise<SendOutcome> {
    const withDescription = (evidence: VerifyEvidence): VerifyEvidence =>
      settings.description === undefined
        ? evidence
        : { ...evidence, description: settings.description }
    if (this.hung) {
      return { outcome: 'not-sent', evidence: withDescription(notSent(name)) }
    }
    const { timeoutMs, transport } = this.options
    const controller = new AbortController()
    let timedOut = false
    const cancel = realClock.setTimer(() => {
      timedOut = true
      controller.abort(new DeadlineExceeded(`No complete response within ${timeoutMs} ms.`))
    }, timeoutMs)
    const elapsed = realClock.stopwatch()
    const evidence: VerifyEvidence = { case: name, outcome: 'network', attempts: 1 }
    try {
      const response = await abortable(
        transport.fetch(delivery.url, {
          method: delivery.method,
          headers: delivery.headers,
          body: delivery.body,
          redirect: 'manual',
          signal: controller.signal,
        }),
        controller.signal,
      )
      evidence.status = response.status
      evidence.outcome = classifyResponse(response)
      const text = await drainResponseBody(response, controller.signal)
      if (text.length > 0) evidence.body = excerpt(text, this.redact)
      const location = response.headers.get('location')
      if (evidence.outcome === 'redirect' && location !== null) {
        evidence.location = excerpt(location, this.redact)
      }
    } catch (error) {
      const failure = classifyError(error, timedOut, timeoutMs)
      evidence.outcome = failure.outcome
      evidence.error = excerpt(cleanErrorMessage(failure.error), this.redact)
    } finally {
      cancel()
    }
    evidence.durationMs = round(elapsed())
    const pooled: PooledAttempt = {
      check,
      case: name,
      outcome: evidence.outcome,
      durationMs: evidence.durationMs,
      timed: settings.timed === true,
    }
    if (evidence.status !== undefined) pooled.status = evidence.status
    if (evidence.location !== undefined) pooled.location = evidence.location
    this.attempts.push(pooled)
    this.noteOutcome(evidence.outcome)
    const result: SendOutcome = { outcome: evidence.outcome, evidence: withDescription(evidence) }
    if (evidence.status !== undefined) result.status = evidence.status
    return result
  }

  /**
   * One valid delivery of each of the 25 event types, in catalogue order, through the engine.
   * Shared by `accepts-every-event-type`, `responds-in-time` and `no-redirect`: sent once per run.
   */
  everyEventType(
    types: readonly IdaasEventType[],
  ): Promise<Array<{ type: IdaasEventType; outcome: DeliveryOutcome }>> {
    this.everyType ??= (async () => {
      const results: Array<{ type: IdaasEventType; outcome: DeliveryOutcome }> = []
      for (const [index, type] of types.entries()) {
        const outcome = await this.deliverEvent(
          this.event(type, 1000 + index),
          'accepts-every-event-type',
          type,
        )
        results.push({ type, outcome })
      }
      return results
    })()
    return this.everyType
  }

  private noteOutcome(outcome: string): void {
    if (outcome === 'timeout') {
      this.consecutiveTimeouts++
      if (this.consecutiveTimeouts >= HANG_LIMIT) this.hung = true
    } else {
      this.consecutiveTimeouts = 0
    }
  }
}

/** `['rfc9421']`, the kit's default (A17). */
export function isDefaultSchemes(schemes: readonly SignatureScheme[]): boolean {
  return schemes.length === 1 && schemes[0] === 'rfc9421'
}

function notSent(name: string): VerifyEvidence {
  return {
    case: name,
    outcome: 'not-sent',
    attempts: 0,
    error: `Not sent: the receiver had stopped answering (${HANG_LIMIT} timeouts in a row).`,
  }
}
