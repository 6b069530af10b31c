import { KitError } from '../errors.js'
import { quoteValue } from '../internal/describe-value.js'

/** A receiver written against the Fetch API: a `Request` in, a `Response` out (hono's `app.fetch`, a Next.js route handler…). */
export type FetchReceiver = (request: Request) => Response | Promise<Response>

/** What the engine posts with: the global `fetch` or anything with its signature. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/**
 * Creates a `fetch` that hands each request to an in-process receiver: no port, no MSW. Give one
 * receiver for every URL, or a map from callback URL (origin and path; the query is ignored) to
 * receiver. A URL with no receiver throws a `KitError`, so a typo fails loudly instead of
 * looking like a network error.
 * @example
 * const tenant = createIdaasTenant({ fetch: createInProcessFetch({ 'https://app.test/hooks': app.fetch }) })
 */
export function createInProcessFetch(
  receivers: FetchReceiver | Readonly<Record<string, FetchReceiver>>,
): FetchLike {
  if (typeof receivers === 'function') {
    return async (input, init) => receivers(toRequest(input, init))
  }
  if (receivers === null || typeof receivers !== 'object' || Array.isArray(receivers)) {
    throw new KitError(
      `Invalid argument "receivers": expected a Fetch handler or an object from callback URL to handler, got ${quoteValue(receivers)}.`,
    )
  }
  const routes = new Map<string, FetchReceiver>()
  for (const [url, receiver] of Object.entries(receivers)) {
    if (!URL.canParse(url)) {
      throw new KitError(
        `Invalid argument "receivers": key "${url}" is not an absolute URL. Use the callback URL, e.g. "https://app.test/hooks".`,
      )
    }
    if (typeof receiver !== 'function') {
      throw new KitError(
        `Invalid argument "receivers": the receiver for "${url}" must be a function (request => response), got ${quoteValue(receiver)}.`,
      )
    }
    routes.set(routeKey(url), receiver)
  }
  return async (input, init) => {
    const request = toRequest(input, init)
    const receiver = routes.get(routeKey(request.url))
    if (receiver === undefined) {
      throw new KitError(
        `Failed to route ${request.method} ${routeKey(request.url)}: no in-process receiver for this URL. Known URLs: ${[...routes.keys()].map((u) => `"${u}"`).join(', ')}.`,
      )
    }
    return receiver(request)
  }
}

/**
 * A `Request` whose `signal` is the caller's own (the engine's deadline). Hand-written instead of
 * `new Request(url, { signal })`, because undici links such a request to the signal through a
 * FinalizationRegistry: the attempt's signal and the request's internal AbortController then
 * outlive the delivery until GC finalizers run, two objects per delivery.
 */
class InProcessRequest extends Request {
  readonly #signal: AbortSignal

  constructor(input: string | URL | Request, init: RequestInit, signal: AbortSignal) {
    super(input, init)
    this.#signal = signal
  }

  override get signal(): AbortSignal {
    return this.#signal
  }
}

function toRequest(input: string | URL | Request, init: RequestInit | undefined): Request {
  const signal = init?.signal
  if (signal === undefined || signal === null) return new Request(input, init)
  const { signal: _signal, ...rest } = init as RequestInit
  return new InProcessRequest(input, rest, signal)
}

function routeKey(url: string): string {
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname}`
}
