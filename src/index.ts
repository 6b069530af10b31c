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
