/**
 * @module
 * idaas-webhook-kit: schemas, validators, event factories and signing for Entrust IDaaS webhooks.
 * Runtime-neutral: nothing here imports msw, vitest or Prism.
 */

// Errors and messages
export { formatMessage, isKitError, KitError } from './errors.js'
// Event catalogue
export { ENTRUST_EXAMPLES } from '../generated/entrust-examples.js'
export {
  getEventTypeInfo,
  IDAAS_EVENT_TYPES,
  isEntrustEventType,
  isKnownEventType,
  suggestEventType,
} from './schema/event-types.js'
// Validation
export { formatIssues } from './schema/issues.js'
export {
  assertIdaasEvent,
  isIdaasEvent,
  isSchemaValidationError,
  SchemaValidationError,
  validateEvent,
} from './schema/validate.js'
// Types
export type * from './types.js'
// Signing and verification (RFC 9421 + RFC 9530, assumptions A1–A5)
export { createContentDigest } from './signing/content-digest.js'
export {
  DEFAULT_DIGEST_ALGORITHM,
  DEFAULT_KEY_ENCODING,
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_MAX_SKEW_SECONDS,
  type DigestAlgorithm,
  IDAAS_CONTENT_TYPE,
  IDAAS_COVERED_COMPONENTS,
  IDAAS_METHOD,
  IDAAS_SIGNATURE_ALGORITHM,
  IDAAS_SIGNATURE_LABEL,
  type KeyEncoding,
} from './signing/profile.js'
export {
  type SchemeSignedHeaders,
  type SchemeSignOptions,
  type SignDeliveryOptions,
  type SignedDeliveryHeaders,
  signDelivery,
} from './signing/sign.js'
export {
  DEFAULT_SIGNATURE_SCHEMES,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
  type UncheckedProperty,
  X_SHA2_HEADER,
} from './signing/x-sha2.js'
export {
  type HeadersInput,
  type HeadersLike,
  MAX_HEADER_FIELDS,
} from './signing/headers.js'
export type { BodyInput } from './signing/bytes.js'
export { type ProfileDifference, profileDifferences } from './signing/profile-check.js'
export {
  DEFAULT_TARGET_URI_FORM,
  type PublicUrlOption,
  type TargetUriForm,
} from './signing/target-uri.js'
export {
  DEFAULT_MAX_FIELD_LENGTH,
  type DeliveryInput,
  MAX_COVERED_COMPONENTS,
  MAX_SIGNATURE_MEMBERS,
  type SignatureProfile,
  type VerifiedSignature,
  type VerifyDeliveryFailure,
  type VerifyDeliveryOptions,
  type VerifyDeliveryResult,
  type VerifyDeliverySuccess,
  type VerifyFailureReason,
  VERIFY_FAILURE_REASONS,
  verifyDelivery,
} from './signing/verify.js'
// Event factories and product categories
export {
  createEvent,
  IDAAS_FACTORY_ACCOUNT_ID,
  InvalidOverrideError,
  isInvalidOverrideError,
} from './schema/factories.js'
export {
  isAdministrativeAction,
  isAuthenticationEvent,
  isAuthenticatorChange,
  isUserLifecycleEvent,
  PRODUCT_CATEGORIES,
  productCategoriesOf,
} from './schema/categories.js'
// Test deliveries: signed requests, negative vectors, byte-tricky bodies
export { createSignedDelivery, type SignedDelivery } from './signing/signed-delivery.js'
export {
  createNegativeVectors,
  type NegativeVector,
  type NegativeVectorId,
  type NegativeVectorOptions,
} from './signing/negative-vectors.js'
export {
  createTrickyBodies,
  createTrickyDeliveries,
  TRICKY_BODY_EVENT,
  type TrickyBody,
  type TrickyBodyId,
  type TrickyDelivery,
} from './signing/tricky-bodies.js'
// Receivers: Fetch API (Hono, Next.js, Bun, Deno, Workers), node:http, Express, Fastify
export {
  DEFAULT_MAX_BODY_BYTES,
  type IdaasDeliveryContext,
  type IdaasEventHandlers,
  type IdaasHandlerOptions,
  type IdaasReceiverOptions,
  type IdaasRejection,
  type IdaasRejectionReason,
} from './receivers/core.js'
export { createIdaasWebhookHandler } from './receivers/fetch.js'
export {
  createIdaasNodeHandler,
  type IdaasExpressLocals,
  type IdaasExpressMiddleware,
  type IdaasExpressOptions,
  type IdaasNodeHandler,
  idaasExpressMiddleware,
  type NodeRequestLike,
  type NodeResponseLike,
} from './receivers/node.js'
export {
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type IdaasFastifyPluginOptions,
  idaasFastifyPlugin,
} from './receivers/fastify.js'
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
  createRealClock,
  createTimerClock,
  createVirtualClock,
} from './delivery/clock.js'
export { createRandom, DEFAULT_SEED } from './delivery/random.js'
export { deliver } from './delivery/engine.js'
export {
  assertDelivered,
  DeliveryError,
  describeDelivery,
  formatDeliveryReport,
  isDeliveryError,
} from './delivery/report.js'
export { ACCEPTED_TLS_VERSIONS, probeTls } from './delivery/tls.js'
export { createInProcessFetch } from './delivery/in-process.js'
export { createIdaasTenant } from './tenant/tenant.js'
export { isTenantApiError, TenantApiError } from './tenant/errors.js'
export { emitBurst, emitOutOfOrder, emitTwice } from './tenant/scenarios.js'
// Receiver contract verification (verify) and its reporters
export {
  DEFAULT_BURST,
  DEFAULT_HANDLER_URL,
  DEFAULT_SLOW_MS,
  verifyReceiver,
} from './verify/run-contract.js'
export { VERIFY_CHECK_IDS, VERIFY_CHECKS } from './verify/types.js'
export { MAX_RESPONSE_BYTES } from './verify/transport.js'
export { createPrettyReporter, formatPrettyReport } from './reporters/pretty.js'
export { formatJsonReport, VERIFY_REPORT_SCHEMA_ID } from './reporters/json.js'
export { formatJunitReport } from './reporters/junit.js'
export { formatGithubAnnotations } from './reporters/github-actions.js'
// Capture, check and replay of real deliveries (no Prism: the mock and the proxy are in "./prism")
export { CAPTURE_FORMAT, CAPTURE_SCHEMA_ID, CAPTURE_VERSION } from './capture/format.js'
export {
  CAPTURE_KEEP_BODY_BYTES,
  CAPTURE_MAX_BODY_BYTES,
  CAPTURE_SUGGESTED_PATH,
  captureLineBytesFor,
  startCaptureReceiver,
} from './capture/capture-receiver.js'
export { createSelfSignedCertificate } from './capture/certificate.js'
export {
  CAPTURE_MAX_LINE_BYTES,
  collectCaptureLines,
  readCaptureFile,
  readCaptureLines,
} from './capture/read-captures.js'
export {
  checkCaptureStream,
  checkDeliveries,
  createDeliveryChecker,
  describeDriftReport,
  formatDriftReport,
  MAX_REPORTED_PROBLEMS,
} from './capture/check.js'
export { replayDeliveries } from './capture/replay.js'
