import type { IdaasEnvelope, IdaasEvent } from '../../generated/types.js'
import { formatMessage, isKitError, KitError } from '../errors.js'
import { describeValue } from '../internal/describe-value.js'
import { formatIssues, type ValidationIssue, type ValidationNote } from '../schema/issues.js'
import { type ValidationMode, validateEvent } from '../schema/validate.js'
import { toTargetUri } from '../signing/target-uri.js'
import {
  createDeliveryVerifier,
  type RawDelivery,
  type VerifiedSignature,
  type VerifyDeliveryOptions,
  type VerifyFailureReason,
} from '../signing/verify.js'
import type { SignatureScheme, UncheckedProperty } from '../signing/x-sha2.js'

/** A14: the largest body the kit's receivers accept by default, in bytes (1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/** Options every receiver helper takes: verification (A1–A5), size (A14) and validation (A15). */
export interface IdaasReceiverOptions extends VerifyDeliveryOptions {
  /** Largest accepted body in bytes; larger ones get 413 without being read in full (A14). @default 1048576 */
  maxBodyBytes?: number
  /**
   * How verified events are validated (A15): `tolerant` accepts unknown fields and event types
   * (IDaaS counts a 4xx toward auto-disabling the webhook); `strict` rejects them with 400.
   * @default 'tolerant'
   */
  validation?: ValidationMode
  /**
   * Called for every rejected delivery, e.g. to log it. Never receives the token or a signature.
   * If it throws, the error goes to `onError` and the answer stays the same.
   */
  onRejected?: (rejection: IdaasRejection) => void
  /**
   * Called when `onEvent` or `onRejected` throws (for `onEvent` the answer is 500, so IDaaS
   * retries). If it throws too, that error is logged with console.error. @default console.error
   */
  onError?: (error: unknown) => void
}

/** What the handler knows about a delivery besides its event. */
export interface IdaasDeliveryContext {
  /** Tolerant-mode notes: unknown fields, unknown event type (A15). */
  notes: ValidationNote[]
  /** The verified signature's parameters, e.g. `created` or `nonce`. */
  signature: VerifiedSignature
  /** The signature schemes that verified, e.g. `['rfc9421']`: watch them during a migration (A17). */
  schemes: readonly SignatureScheme[]
  /** Set when only `x-sha2-signature` verified: freshness (A4), URL and method were not checked. */
  unchecked?: readonly UncheckedProperty[]
  /** The raw body bytes, exactly as received and verified. */
  body: Uint8Array
}

/**
 * Handlers of verified, validated events. Answer fast: IDaaS waits 3 s at most for an answer
 * (https://docs.trustedauth.com/developer/webhook/).
 */
export interface IdaasEventHandlers {
  /**
   * Called with every verified event of a known type; resolve to answer 204. Throwing answers 500,
   * which IDaaS retries. Queue slow work instead of awaiting it.
   */
  onEvent: (event: IdaasEvent, context: IdaasDeliveryContext) => unknown
  /** Called with a verified event of a type the kit does not know (tolerant mode). @default answer 204 */
  onUnknownEvent?: (event: IdaasEnvelope, context: IdaasDeliveryContext) => unknown
}

/** Options of the receiver helpers that answer the request themselves. */
export interface IdaasHandlerOptions extends IdaasReceiverOptions, IdaasEventHandlers {}

/**
 * Why a receiver turned a delivery away: a {@link VerifyFailureReason} (401; 400 for
 * `invalid-json`), `invalid-event` (400), `payload-too-large` (413, A14), `method-not-allowed`
 * (405), `handler-failed` (500: `onEvent` threw), `receiver-misconfigured` (500: e.g. the raw body
 * was already consumed, or option `publicUrl` is not an absolute URL) or `bad-request` (400: the
 * `Host` header gives no valid request URL; or a 4xx the framework raised reading the request).
 */
export type IdaasRejectionReason =
  | VerifyFailureReason
  | 'invalid-event'
  | 'payload-too-large'
  | 'method-not-allowed'
  | 'handler-failed'
  | 'receiver-misconfigured'
  | 'bad-request'

/** A rejected delivery, as `onRejected` sees it and as the JSON response body carries it. */
export interface IdaasRejection {
  /** The HTTP status the receiver answers with, e.g. 401. */
  status: number
  /** Why, stable and machine-readable; also the `error` field of the JSON answer. */
  reason: IdaasRejectionReason
  /** For humans, with the `[idaas-webhook-kit]` prefix; never the token or a signature. */
  message: string
  /** For `invalid-event`: one entry per problem with the event. */
  issues?: ValidationIssue[]
}

/** A framework-neutral HTTP answer. */
export interface ReceiverResponse {
  status: number
  headers: Record<string, string>
  /** JSON text, or `null` for 204. */
  body: string | null
}

/** A delivery that passed verification and validation. */
export type AcceptedDelivery =
  | { ok: true; known: true; event: IdaasEvent; context: IdaasDeliveryContext }
  | { ok: true; known: false; event: IdaasEnvelope; context: IdaasDeliveryContext }

/** The outcome of {@link Receiver.receive}. */
export type ReceiveOutcome = AcceptedDelivery | RejectedDelivery

/** A delivery turned away, with what to answer. */
export interface RejectedDelivery {
  ok: false
  rejection: IdaasRejection
}

/** The framework-neutral core every adapter shares. @internal */
export interface Receiver {
  /** Largest accepted body in bytes (A14). */
  maxBodyBytes: number
  /** Verifies, parses and validates a delivery whose body has been read. */
  receive(delivery: RawDelivery): ReceiveOutcome
  /** Rejects (and reports) a delivery turned away before verification; `text` gets the prefix. */
  reject(status: number, reason: IdaasRejectionReason, text: string): RejectedDelivery
  /** Rejects a body above `maxBodyBytes` with 413 (A14). */
  rejectTooLarge(): RejectedDelivery
  /** Runs the handlers for an accepted delivery and answers. */
  dispatch(accepted: AcceptedDelivery, handlers: IdaasEventHandlers): Promise<ReceiverResponse>
  /** The answer to a rejection. */
  respond(rejection: IdaasRejection): ReceiverResponse
  /** Reports an unexpected error to `onError` and answers 500 (no body). */
  fail(error: unknown): ReceiverResponse
}

const SIGNATURE_STATUS = 401

/** Creates the framework-neutral receiver core; options are checked once, here. @internal */
export function createReceiver(options: IdaasReceiverOptions): Receiver {
  const verify = createDeliveryVerifier(options)
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new KitError(
      `Invalid option "maxBodyBytes": expected a whole number of bytes, got "${String(maxBodyBytes)}".`,
    )
  }
  const mode = options.validation ?? 'tolerant'
  if (mode !== 'tolerant' && mode !== 'strict') {
    throw new KitError(
      `Invalid option "validation": expected "tolerant" or "strict", got ${describeValue(mode)}.`,
    )
  }
  const onError = options.onError ?? ((error: unknown) => console.error(error))
  // A throwing callback must not cost the answer: IDaaS would see a dropped connection.
  const report = (error: unknown) => {
    try {
      onError(error)
    } catch (onErrorFailure) {
      console.error(onErrorFailure)
    }
  }

  const reject = (
    status: number,
    reason: IdaasRejectionReason,
    message: string,
    issues?: ValidationIssue[],
  ): RejectedDelivery => {
    const rejection: IdaasRejection = issues
      ? { status, reason, message, issues }
      : { status, reason, message }
    try {
      options.onRejected?.(rejection)
    } catch (error) {
      report(error)
    }
    return { ok: false, rejection }
  }

  const rejectTooLarge = () =>
    reject(
      413,
      'payload-too-large',
      formatMessage(
        `Failed to receive delivery: the body is larger than ${maxBodyBytes} bytes (option "maxBodyBytes").`,
      ),
    )

  return {
    maxBodyBytes,
    reject: (status, reason, text) => reject(status, reason, formatMessage(text)),
    rejectTooLarge,
    receive(delivery) {
      if (delivery.method !== 'POST') {
        return reject(
          405,
          'method-not-allowed',
          formatMessage(
            `Failed to receive delivery: method "${delivery.method}" is not allowed; IDaaS sends POST.`,
          ),
        )
      }
      if (delivery.body.byteLength > maxBodyBytes) return rejectTooLarge()
      // Without publicUrl the URL comes from the client's Host header: a bad one is a bad request.
      if (
        options.publicUrl === undefined &&
        toTargetUri(delivery.url, options.targetUriForm) === undefined
      ) {
        return reject(
          400,
          'bad-request',
          formatMessage(
            'Failed to receive delivery: the "Host" header does not form a valid request URL.',
          ),
        )
      }
      let verified: ReturnType<typeof verify>
      try {
        verified = verify(delivery)
      } catch (error) {
        if (!isKitError(error)) throw error
        return reject(500, 'receiver-misconfigured', error.message)
      }
      if (!verified.ok) {
        const status = verified.reason === 'invalid-json' ? 400 : SIGNATURE_STATUS
        return reject(status, verified.reason, verified.message)
      }
      const checked = validateEvent(verified.event, { mode })
      if (!checked.ok) {
        const type = eventTypeOf(verified.event)
        const what = type === undefined ? 'event' : `"${type}" event`
        const message = formatMessage(
          `Failed to validate ${what}:\n${formatIssues(checked.issues)}`,
        )
        return reject(400, 'invalid-event', message, checked.issues)
      }
      const context: IdaasDeliveryContext = {
        notes: checked.notes,
        signature: verified.signature,
        schemes: verified.schemes,
        body: verified.body,
      }
      if (verified.unchecked !== undefined) context.unchecked = verified.unchecked
      return checked.known
        ? { ok: true, known: true, event: checked.event, context }
        : { ok: true, known: false, event: checked.event, context }
    },
    async dispatch(accepted, handlers) {
      try {
        if (accepted.known) await handlers.onEvent(accepted.event, accepted.context)
        else await handlers.onUnknownEvent?.(accepted.event, accepted.context)
      } catch (error) {
        report(error)
        const rejected = reject(
          500,
          'handler-failed',
          formatMessage(
            `Failed to handle "${accepted.event.type}" delivery: the event handler threw.`,
          ),
        )
        return toResponse(rejected.rejection)
      }
      return NO_CONTENT
    },
    respond: toResponse,
    fail(error) {
      report(error)
      return INTERNAL_ERROR
    },
  }
}

const NO_CONTENT: ReceiverResponse = { status: 204, headers: {}, body: null }
const INTERNAL_ERROR: ReceiverResponse = { status: 500, headers: {}, body: null }

function toResponse(rejection: IdaasRejection): ReceiverResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
  if (rejection.status === 405) headers.allow = 'POST'
  const body = JSON.stringify({
    error: rejection.reason,
    message: rejection.message,
    ...(rejection.issues ? { issues: rejection.issues } : {}),
  })
  return { status: rejection.status, headers, body }
}

function eventTypeOf(value: unknown): string | undefined {
  const type =
    value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined
  return typeof type === 'string' ? type : undefined
}
