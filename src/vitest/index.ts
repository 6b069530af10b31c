/**
 * @module
 * `idaas-webhook-kit/vitest`: matchers for receivers of IDaaS webhooks. Register them once:
 * `setupFiles: ['idaas-webhook-kit/vitest/setup']`, or `expect.extend(idaasMatchers)`. The
 * matchers are runner-neutral: jest's `expect.extend(idaasMatchers)` takes the same object.
 * @example
 * await expect(app.fetch).toAcceptIdaasEvent(createEvent('user.created'), { token })
 * await expect(app.fetch).toPassIdaasContract({ token })
 * expect(JSON.parse(body)).toBeValidIdaasEvent()
 */
import type { DeliverableEvent } from '../delivery/engine.js'
import type { ValidationMode } from '../schema/validate.js'
import type { VerifyReceiverOptions } from '../verify/types.js'
import type {
  IdaasDeliveryMatcherOptions,
  RejectForgedOptions,
  RespondWithinOptions,
} from './matchers.js'

export {
  type ForgedCheckId,
  type IdaasDeliveryMatcherOptions,
  type IdaasMatcherContext,
  type IdaasMatcherResult,
  idaasMatchers,
  type ReceiverUnderTest,
  type RejectForgedOptions,
  type RespondWithinOptions,
} from './matchers.js'

/**
 * The matchers as methods of an assertion. `R` is what each returns (vitest: the assertion's
 * type; jest: `R` of `jest.Matchers<R>`). Await the asynchronous ones.
 */
export interface IdaasMatchers<R = unknown> {
  /** Delivers `event` under the IDaaS policy; passes when the receiver answers 2xx. */
  toAcceptIdaasEvent(event: DeliverableEvent, options: IdaasDeliveryMatcherOptions): Promise<R>
  /** Passes when no forged delivery (no signature, wrong token, tampered body, stale) gets a 2xx. */
  toRejectForgedDeliveries(options: RejectForgedOptions): Promise<R>
  /** Passes when every timed delivery gets a 2xx within `ms` milliseconds. */
  toRespondWithin(ms: number, options: RespondWithinOptions): Promise<R>
  /** Passes when the value is a valid IDaaS event (tolerant mode unless `mode: 'strict'`). */
  toBeValidIdaasEvent(options?: { mode?: ValidationMode }): R
  /** Runs the whole verify contract; passes when no error-severity check fails. */
  toPassIdaasContract(options: VerifyReceiverOptions): Promise<R>
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match vitest's own declaration of Matchers
  interface Matchers<T = any> extends IdaasMatchers<T> {}
}
