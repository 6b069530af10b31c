/**
 * @module
 * idaas-webhook-kit: the receiving side, imported by production code that receives Entrust IDaaS
 * webhooks: signature verification, receiver helpers (Fetch API, node:http, Express, Fastify),
 * event validation, the event catalogue and category helpers, errors and the signing profile.
 * Its static imports reach no Node module other than `node:crypto` and `node:buffer`, and never
 * msw, vitest or Prism. Test helpers (factories, signing, the fake tenant) are in `./testing`.
 */

// Errors and messages
export { formatMessage, isKitError, KitError } from './errors.js'
// Event catalogue and product categories
export {
  getEventTypeInfo,
  IDAAS_EVENT_TYPES,
  isEntrustEventType,
  isKnownEventType,
  suggestEventType,
} from './schema/event-types.js'
export {
  isAdministrativeAction,
  isAuthenticationEvent,
  isAuthenticatorChange,
  isUserLifecycleEvent,
  PRODUCT_CATEGORIES,
  productCategoriesOf,
} from './schema/categories.js'
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
// Verification (RFC 9421 + RFC 9530, assumptions A1–A5) and the profile a receiver checks against
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
export {
  DEFAULT_TARGET_URI_FORM,
  type PublicUrlOption,
  type TargetUriForm,
} from './signing/target-uri.js'
export {
  createDeliveryVerifier,
  DEFAULT_MAX_FIELD_LENGTH,
  type DeliveryInput,
  MAX_COVERED_COMPONENTS,
  MAX_SIGNATURE_MEMBERS,
  type RawDelivery,
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
