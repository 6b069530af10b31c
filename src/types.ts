/**
 * @module
 * Types of every IDaaS webhook event, for `import type { … } from 'idaas-webhook-kit/types'`.
 * Types only: importing this module at run time gives an empty module.
 */
export type * from '../generated/types.js'
export type { CompiledValidator, CompiledValidatorError } from '../generated/validator-types.js'
export type {
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
