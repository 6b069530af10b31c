/**
 * @module
 * `idaas-webhook-kit/prism`: Prism (an optional peer dependency, `@stoplight/prism-http` 5.12.0)
 * in-process as a mock IDaaS webhook receiver or as a validating proxy in front of a real one,
 * both on the kit's generated OpenAPI 3.1 document. Only this entry loads Prism.
 */
export { MOCK_RECEIVER_PATH, OPENAPI_DOCUMENT_FILE, openApiDocumentPath } from './document.js'
export {
  MOCK_MAX_BODY_BYTES,
  type MockReceiver,
  type MockReceiverOptions,
  startMockReceiver,
} from './mock-receiver.js'
export { type ContractViolation, PRISM_HTTP_PACKAGE, PRISM_HTTP_VERSION } from './prism-module.js'
export {
  PROXY_MAX_BODY_BYTES,
  PROXY_MAX_RESPONSE_BYTES,
  PROXY_TIMEOUT_MS,
  startValidatingProxy,
  type ValidatingProxy,
  type ValidatingProxyOptions,
} from './proxy.js'
export {
  formatPrismSummary,
  type PrismRequestOutcome,
  type PrismRequestRecord,
  type PrismSummary,
  type ViolationCount,
} from './summary.js'
