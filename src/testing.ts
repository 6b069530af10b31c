/**
 * @module
 * idaas-webhook-kit/testing: what the tests of a receiver import, never its production code:
 * event factories and Entrust's examples, signed test deliveries, negative vectors and tricky
 * bodies, the fake IDaaS (delivery policies, clocks, seeded random, `deliver`, delivery reports,
 * in-process fetch, the fake tenant and its scenarios) and the receiver contract (`verifyReceiver`).
 * The receiving side (verification, receivers, validation) is the root entry, `idaas-webhook-kit`.
 */

// Event factories and Entrust's documented examples
export { ENTRUST_EXAMPLES } from '../generated/entrust-examples.js'
export { deliver } from './delivery/engine.js'
export { createInProcessFetch } from './delivery/in-process.js'
// Fake IDaaS: delivery policies, the delivery engine, clocks, the fake tenant, scenario helpers
export {
  ATTEMPT_FAILURE_KINDS,
  assertDeliveryPolicy,
  createDeliveryPolicy,
  IDAAS_POLICY,
  ISSUANCE_LEGACY_POLICY,
  resolveDeliveryPolicy,
} from './delivery/policy.js'
export {
  assertDelivered,
  DeliveryError,
  describeDelivery,
  formatDeliveryReport,
  isDeliveryError,
} from './delivery/report.js'
export { emitBurst, emitOutOfOrder, emitTwice } from './delivery/scenarios.js'
export {
  createRealClock,
  createTimerClock,
  createVirtualClock,
} from './internal/clock.js'
export { createRandom, DEFAULT_SEED } from './internal/random.js'
export { formatGithubAnnotations } from './reporters/github-actions.js'
export { formatJsonReport, VERIFY_REPORT_SCHEMA_ID } from './reporters/json.js'
export { formatJunitReport } from './reporters/junit.js'
// Reporters for the report `verifyReceiver` returns: a test prints or stores it on failure
export { createPrettyReporter, formatPrettyReport } from './reporters/pretty.js'
export {
  createEvent,
  IDAAS_FACTORY_ACCOUNT_ID,
  InvalidOverrideError,
  isInvalidOverrideError,
} from './schema/factories.js'
// Signing for tests: signed requests, negative vectors, byte-tricky bodies, profile differences
export { createContentDigest } from './signing/content-digest.js'
export {
  createNegativeVectors,
  type NegativeVector,
  type NegativeVectorId,
  type NegativeVectorOptions,
} from './signing/negative-vectors.js'
export { type ProfileDifference, profileDifferences } from './signing/profile-check.js'
export {
  type SchemeSignedHeaders,
  type SchemeSignOptions,
  type SignDeliveryOptions,
  type SignedDeliveryHeaders,
  signDelivery,
} from './signing/sign.js'
export { createSignedDelivery, type SignedDelivery } from './signing/signed-delivery.js'
export {
  createTrickyBodies,
  createTrickyDeliveries,
  TRICKY_BODY_EVENT,
  type TrickyBody,
  type TrickyBodyId,
  type TrickyDelivery,
} from './signing/tricky-bodies.js'
export { isTenantApiError, TenantApiError } from './tenant/errors.js'
export { createIdaasTenant } from './tenant/tenant.js'
// Receiver contract verification (verify)
export {
  DEFAULT_BURST,
  DEFAULT_HANDLER_URL,
  DEFAULT_SLOW_MS,
  verifyReceiver,
} from './verify/run-contract.js'
export { MAX_RESPONSE_BYTES } from './verify/transport.js'
export { VERIFY_CHECK_IDS, VERIFY_CHECKS } from './verify/types.js'
