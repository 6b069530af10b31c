import { KitError } from '../errors.js'
import { describeValue } from '../internal/describe-value.js'
import {
  checkHost,
  checkMaxBodyBytes,
  checkPort,
  checkServerTimeouts,
  DEFAULT_HOST,
  type ServerTimeouts,
} from '../internal/http/listen.js'
import { createRandom, DEFAULT_SEED } from '../internal/random.js'
import { MOCK_RECEIVER_PATH, openApiDocumentPath } from './document.js'
import { startPrismServer } from './prism-server.js'
import type { PrismRequestRecord, PrismSummary } from './summary.js'

/** The largest body the kit's own receivers accept: 1 MiB (assumption A14). */
export const MOCK_MAX_BODY_BYTES = 1024 * 1024

/** How many request records a mock or proxy keeps in memory; the summary counts every request. */
export const RECORD_LIMIT = 10_000

/** Options of {@link startMockReceiver}. */
export interface MockReceiverOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to bind. @default '127.0.0.1' (loopback only) */
  host?: string
  /**
   * Share of valid deliveries answered with `status` instead of 204, drawn from a random source
   * seeded with `seed`, so that a sender's retries can be driven end to end. @default 0, or 1 when
   * `status` is set
   */
  failRate?: number
  /** The 5xx status of a failed delivery (IDaaS retries only 5xx). @default 503 */
  status?: number
  /** Seed of the `failRate` draws: the same seed fails the same deliveries. @default 1 */
  seed?: number
  /** Bodies above this many bytes get a 413 (A14). @default 1048576 (1 MiB) */
  maxBodyBytes?: number
  /** A sender gets this many milliseconds to send the request headers; then 408 and the socket closed. @default 10000 */
  headersTimeoutMs?: number
  /** A sender gets this many milliseconds to send the whole request; then 408 and the socket closed. @default 30000 */
  requestTimeoutMs?: number
  /** Called after each request is answered; an exception is printed to stderr, not thrown. */
  onRequest?: (record: PrismRequestRecord) => void
  /** An OpenAPI 3.1 document with the same receiver operation. @default the kit's generated/openapi.bundled.json */
  document?: string
}

/** A running mock receiver. */
export interface MockReceiver {
  /** The callback URL to deliver to: `http://127.0.0.1:<port>/webhooks/idaas`. */
  readonly url: string
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  /** The most recent requests (up to 10,000), oldest first. */
  readonly requests: readonly PrismRequestRecord[]
  /** Totals over every request since start. */
  summary(): PrismSummary
  /** Stops listening and closes every socket; resolves when done. Safe to call twice. */
  close(): Promise<void>
}

/**
 * Starts Prism in-process as a mock IDaaS webhook receiver on the kit's OpenAPI document:
 * deliveries that break the contract get Prism's 422 with a `validation` list, valid ones 204
 * (or, with `failRate`/`status`, a seeded 5xx). Resolves once the port accepts connections and
 * the start-up self-test proved that Prism validates: `{}` gets a 422, a signed Entrust example
 * a 2xx (Prism can silently validate nothing, see below).
 * @example
 * let mock: MockReceiver
 * beforeAll(async () => { mock = await startMockReceiver({ status: 503, failRate: 0.5 }) })
 * afterAll(() => mock.close())
 * it('retries', async () => { await deliver(event, { url: mock.url, token: 'whsec_test' }) })
 * @see https://github.com/stoplightio/prism/issues/2442 (schema compile errors swallowed) and
 * https://github.com/stoplightio/prism/issues/2797 (JSON Schema draft chosen per schema object):
 * the Prism bugs the self-test guards against.
 */
export async function startMockReceiver(options: MockReceiverOptions = {}): Promise<MockReceiver> {
  const checked = checkMockOptions(options)
  const server = await startPrismServer({
    mode: 'mock',
    what: 'the mock receiver',
    host: checked.host,
    port: checked.port,
    maxBodyBytes: checked.maxBodyBytes,
    timeouts: checked.timeouts,
    documentPath: options.document ?? openApiDocumentPath(),
    failRate: checked.failRate,
    failStatus: checked.status,
    random: createRandom(checked.seed),
    errors: false,
    recordLimit: RECORD_LIMIT,
    onRequest: options.onRequest,
  })
  return {
    url: `${server.origin}${MOCK_RECEIVER_PATH}`,
    origin: server.origin,
    requests: server.records,
    summary: server.summary,
    close: server.close,
  }
}

interface CheckedMockOptions {
  port: number
  host: string
  failRate: number
  status: number
  seed: number
  maxBodyBytes: number
  timeouts: ServerTimeouts
}

/** Checks the options of {@link startMockReceiver}; a `KitError` names each bad one. @internal */
export function checkMockOptions(options: MockReceiverOptions): CheckedMockOptions {
  if (options === null || typeof options !== 'object') {
    throw new KitError('Invalid options: expected an object.')
  }
  const port = checkPort(options.port ?? 0)
  const host = checkHost(options.host ?? DEFAULT_HOST)
  const status = options.status ?? 503
  if (!Number.isInteger(status) || status < 500 || status > 599) {
    throw new KitError(
      `Invalid option "status": expected a 5xx status (500 to 599), got ${describeValue(status)}. IDaaS retries only 5xx.`,
    )
  }
  const failRate = options.failRate ?? (options.status === undefined ? 0 : 1)
  if (typeof failRate !== 'number' || !(failRate >= 0 && failRate <= 1)) {
    throw new KitError(
      `Invalid option "failRate": expected a number from 0 to 1, got ${describeValue(failRate)}.`,
    )
  }
  const seed = options.seed ?? DEFAULT_SEED
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new KitError(
      `Invalid option "seed": expected a finite number, got ${describeValue(seed)}.`,
    )
  }
  const maxBodyBytes = checkMaxBodyBytes(options.maxBodyBytes ?? MOCK_MAX_BODY_BYTES)
  const timeouts = checkServerTimeouts(options)
  return { port, host, failRate, status, seed, maxBodyBytes, timeouts }
}
