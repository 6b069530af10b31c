/**
 * @module
 * idaas-webhook-kit/msw: MSW handlers for a fake IDaaS tenant's Admin API and for routing
 * deliveries to an in-process Fetch-API receiver. `msw` (^2.15) is an optional peer dependency;
 * only this entry imports it.
 */

export type { FetchReceiver } from '../delivery/in-process.js'
export { type AdminApiHandlersOptions, createAdminApiHandlers } from './admin-api-handlers.js'
export { createReceiverHandler } from './receiver-handler.js'
