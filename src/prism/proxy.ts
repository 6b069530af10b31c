import { KitError } from '../errors.js'
import { describeValue } from '../internal/describe-value.js'
import {
  checkHost,
  checkMaxBodyBytes,
  checkPort,
  checkServerTimeouts,
  DEFAULT_HOST,
} from '../internal/http/listen.js'
import { redactUrl } from '../internal/http/raw-http.js'
import { createRandom } from '../internal/random.js'
import { MOCK_RECEIVER_PATH, openApiDocumentPath } from './document.js'
import { RECORD_LIMIT } from './mock-receiver.js'
import { startPrismServer } from './prism-server.js'
import type { PrismRequestRecord, PrismSummary } from './summary.js'

/** The proxy's default body limit: Prism's own (10 MB), since IDaaS documents no limit (A14). */
export const PROXY_MAX_BODY_BYTES = 10 * 1024 * 1024

/** The largest answer the proxy reads from the receiver by default: 10 MiB. */
export const PROXY_MAX_RESPONSE_BYTES = 10 * 1024 * 1024

/** The most time the receiver gets for its whole answer by default: 30 s. */
export const PROXY_TIMEOUT_MS = 30_000

/** Options of {@link startValidatingProxy}. */
export interface ValidatingProxyOptions {
  /**
   * The real receiver's URL: every delivery goes there as is. The client's query string is kept
   * when `to` has none; a query in `to` (e.g. a token) replaces it.
   */
  to: string | URL
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to bind. @default '127.0.0.1' (loopback only) */
  host?: string
  /**
   * Refuse deliveries that break the contract with Prism's 422 instead of forwarding them (and
   * answer 500 when the receiver's answer breaks it with severity Error), as `prism proxy --errors`.
   * @default false: forward everything, report violations in `sl-violations` and the summary
   */
  errors?: boolean
  /** Extra trusted CA certificates (PEM) for an HTTPS receiver with a self-signed certificate. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>
  /** Bodies above this many bytes are refused with 413. @default 10485760 (10 MiB, as Prism) */
  maxBodyBytes?: number
  /** A sender gets this many milliseconds to send the request headers; then 408 and the socket closed. @default 10000 */
  headersTimeoutMs?: number
  /** A sender gets this many milliseconds to send the whole request; then 408 and the socket closed. @default 30000 */
  requestTimeoutMs?: number
  /**
   * The largest answer read from the receiver, in bytes: past it the proxy stops reading, closes
   * the connection and answers 502. @default 10485760 (10 MiB)
   */
  maxResponseBytes?: number
  /**
   * The most time the receiver gets for its whole answer (headers and body, however slowly it
   * trickles), in milliseconds; then the proxy answers 502. @default 30000
   */
  timeout?: number
  /** Called after each request is answered; an exception is printed to stderr, not thrown. */
  onRequest?: (record: PrismRequestRecord) => void
  /** An OpenAPI 3.1 document with the same receiver operation. @default the kit's generated/openapi.bundled.json */
  document?: string
}

/** A running validating proxy. */
export interface ValidatingProxy {
  /** Where senders deliver to: `http://127.0.0.1:<port>/webhooks/idaas`. */
  readonly url: string
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  /** The receiver deliveries are forwarded to, without user name, password or query (safe to print). */
  readonly target: string
  /** The most recent requests (up to 10,000), oldest first. */
  readonly requests: readonly PrismRequestRecord[]
  /** Totals over every request since start. */
  summary(): PrismSummary
  /** Stops listening and closes every socket; resolves when done. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Starts Prism in-process as a validating proxy in front of a real receiver: each delivery is
 * validated against the kit's contract and forwarded byte for byte (so `Content-Digest` still
 * holds); the receiver's answer is checked against the declared statuses (204, 2XX, 5XX) and
 * passed back with Prism's `sl-violations` header when anything broke the contract.
 * The receiver sees the proxy's URL signed as `@target-uri`: set its `publicUrl` (A5) to the
 * proxy's URL, or read `X-Forwarded-Host`.
 * @example
 * const proxy = await startValidatingProxy({ to: 'http://127.0.0.1:3000/webhooks/idaas' })
 * await deliver(event, { url: proxy.url, token })
 * expect(proxy.summary().invalidDeliveries).toBe(0)
 */
export async function startValidatingProxy(
  options: ValidatingProxyOptions,
): Promise<ValidatingProxy> {
  if (options === null || typeof options !== 'object') {
    throw new KitError('Invalid options: expected an object with "to".')
  }
  let to: URL
  try {
    to = new URL(options.to)
  } catch {
    throw new KitError(
      `Invalid option "to": expected the receiver's absolute URL, got ${JSON.stringify(String(options.to))}.`,
    )
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    throw new KitError(
      `Invalid option "to": expected an http: or https: URL, got "${to.protocol}".`,
    )
  }
  const server = await startPrismServer({
    mode: 'proxy',
    what: 'the validating proxy',
    host: checkHost(options.host ?? DEFAULT_HOST),
    port: checkPort(options.port ?? 0),
    maxBodyBytes: checkMaxBodyBytes(options.maxBodyBytes ?? PROXY_MAX_BODY_BYTES),
    timeouts: checkServerTimeouts(options),
    documentPath: options.document ?? openApiDocumentPath(),
    failRate: 0,
    failStatus: 503,
    random: createRandom(),
    upstream: to,
    errors: options.errors === true,
    ca: options.ca,
    maxResponseBytes: checkPositive(
      options.maxResponseBytes ?? PROXY_MAX_RESPONSE_BYTES,
      'maxResponseBytes',
      'a whole number of bytes',
    ),
    upstreamTimeoutMs: checkPositive(
      options.timeout ?? PROXY_TIMEOUT_MS,
      'timeout',
      'a whole number of milliseconds',
      2_147_483_647,
    ),
    recordLimit: RECORD_LIMIT,
    onRequest: options.onRequest,
  })
  return {
    url: `${server.origin}${MOCK_RECEIVER_PATH}`,
    origin: server.origin,
    target: redactUrl(to),
    requests: server.records,
    summary: server.summary,
    close: server.close,
  }
}

function checkPositive(
  value: unknown,
  option: string,
  what: string,
  max = Number.MAX_SAFE_INTEGER,
) {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new KitError(
      `Invalid option "${option}": expected ${what} from 1 to ${max}, got ${describeValue(value)}.`,
    )
  }
  return value
}
