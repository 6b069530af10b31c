/**
 * @module
 * idaas-webhook-kit: schemas, validators, event factories and signing for Entrust IDaaS webhooks.
 */
export { formatMessage, isKitError, KitError } from './errors.js'
