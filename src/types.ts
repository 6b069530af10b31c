/**
 * @module
 * Types of every IDaaS webhook event, for `import type { … } from 'idaas-webhook-kit/types'`.
 * Types only: importing this module at run time gives an empty module.
 */
export type * from '../generated/types.js'
export type { CompiledValidator, CompiledValidatorError } from '../generated/validator-types.js'
export type {
  EntrustEventType,
  IdaasEventProvenance,
  IdaasEventTypeInfo,
  IdaasSchemaCategory,
} from './schema/event-types.js'
export type { ValidationIssue, ValidationNote } from './schema/issues.js'
export type {
  InvalidEventResult,
  KnownEventResult,
  StrictValidationResult,
  UnknownEventResult,
  ValidateEventOptions,
  ValidationMode,
  ValidationResult,
} from './schema/validate.js'
// Event factories and product categories
export type { CreateEventOptions, DeepPartial, EventOverrides } from './schema/factories.js'
export type {
  AdministrativeActionEvent,
  AdministratorRoleData,
  AuthenticationEvent,
  AuthenticatorChangeEvent,
  CategorizableEvent,
  ProductCategory,
  UserLifecycleEvent,
} from './schema/categories.js'
// Fake IDaaS: delivery policies, the delivery engine, clocks, the fake tenant, scenario helpers
export type {
  AttemptFailureKind,
  AttemptOutcome,
  DeliveryPolicy,
  DeliveryPolicyOption,
} from './delivery/policy.js'
export type {
  ClockOption,
  DeliveryClock,
  TimerClockOptions,
  VirtualClock,
  VirtualClockOptions,
} from './internal/clock.js'
export type { RandomSource } from './internal/random.js'
export type {
  DeliverableEvent,
  DeliverOptions,
  DeliverySigningOptions,
  DeliveryTarget,
} from './delivery/engine.js'
export type { DeliveryAttempt, DeliveryReport, DeliveryResult } from './delivery/report.js'
export type { DeliveryTlsOptions } from './delivery/tls.js'
export type { FetchLike, FetchReceiver } from './delivery/in-process.js'
export type {
  IdaasTenant,
  IdaasTenantOptions,
  TenantLogEntry,
  TenantWebhooks,
  WebhookState,
} from './tenant/tenant.js'
export type { AdminApiApplication, TenantAdminApi } from './tenant/admin-api.js'
export type {
  AdminApiAuthentication,
  AdminApiAuthenticationResult,
  CreatedWebhook,
  ErrorInfo,
  Webhook,
  WebhookEvent,
  WebhookEventType,
  WebhookParms,
  WebhookTestParms,
} from './tenant/admin-api-types.js'
export type { CallbackUrlRule, NoExpiryDate } from './tenant/webhook-registry.js'
export type { ScenarioOptions, ScenarioTarget } from './delivery/scenarios.js'
// Receiver contract verification (verify) and its reporters
export type {
  VerifyCheckDetails,
  VerifyCheckId,
  VerifyCheckInfo,
  VerifyCheckResult,
  VerifyEvidence,
  VerifyProgressEvent,
  VerifyReceiverOptions,
  VerifyReport,
  VerifySeverity,
  VerifyTarget,
  VerifyTimings,
} from './verify/types.js'
export type { PrettyReporter, PrettyReporterOptions } from './reporters/pretty.js'
export type { ReporterStyle } from './reporters/style.js'
// Capture, check and replay of real deliveries
export type { CapturedBody, CapturedSignature, CaptureRecord } from './capture/format.js'
export type { CaptureReceiver, CaptureReceiverOptions } from './capture/capture-receiver.js'
export type { SelfSignedCertificate } from './capture/certificate.js'
export type {
  CaptureEntry,
  CaptureLine,
  CaptureReadProblem,
  ReadCaptureOptions,
} from './capture/read-captures.js'
export type {
  CheckDeliveriesOptions,
  DeliveryChecker,
  DriftFinding,
  DriftReport,
  DriftReportStyle,
  FindingKind,
  FindingSeverity,
} from './capture/check.js'
export type { ReplayOptions, ReplayResult, ReplaySummary } from './capture/replay.js'
