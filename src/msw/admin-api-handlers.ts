import type { HttpHandler } from 'msw'
import { KitError } from '../errors.js'
import type { IdaasTenant } from '../tenant/tenant.js'
import { http } from './msw-module.js'

/** Options of {@link createAdminApiHandlers}. */
export interface AdminApiHandlersOptions {
  /**
   * The tenant's base URL, as your code calls it. `*` matches any characters but `/`, so the
   * default matches every IDaaS tenant host, e.g. `https://acme.us.trustedauth.com`.
   * @default 'https://*.trustedauth.com'
   */
  baseUrl?: string
}

/**
 * MSW handlers for the Admin API of a fake tenant: every request under `{baseUrl}/api/web/v1`
 * goes to `tenant.adminApi.handle`, so `POST /api/web/v1/adminapi/authenticate` (issues an
 * `authToken`) and the six webhook operations (list, create, get, update, delete, test) answer
 * like IDaaS, and so does everything else under the prefix: 401 without a valid `Authorization`
 * (`<token>` or `Bearer <token>`), 404 `ErrorInfo` for an unknown id or path, 405 for a wrong
 * method, 400 `ErrorInfo` for a body the OpenAPI forbids and past the active-webhook limit (A11).
 * Nothing under the prefix falls through to `onUnhandledRequest`; register handlers of your own
 * for other Admin API paths before these. Code that manages webhooks through the Admin API runs
 * unchanged.
 * @example
 * const tenant = createIdaasTenant()
 * const server = setupServer(...createAdminApiHandlers(tenant, { baseUrl: 'https://acme.us.trustedauth.com' }))
 * beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
 */
export function createAdminApiHandlers(
  tenant: IdaasTenant,
  options: AdminApiHandlersOptions = {},
): HttpHandler[] {
  if (
    tenant === null ||
    typeof tenant !== 'object' ||
    typeof tenant.adminApi?.handle !== 'function'
  ) {
    throw new KitError(
      'Failed to create Admin API handlers: argument "tenant" must be a tenant from createIdaasTenant().',
    )
  }
  const baseUrl = options.baseUrl ?? 'https://*.trustedauth.com'
  if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/]/i.test(baseUrl)) {
    throw new KitError(
      `Failed to create Admin API handlers: option "baseUrl" must be an http(s) URL such as "https://acme.us.trustedauth.com", got ${typeof baseUrl === 'string' ? `"${baseUrl}"` : typeof baseUrl}.`,
    )
  }
  const prefix = prefixPattern(baseUrl.replace(/\/+$/, ''))
  // A custom predicate instead of MSW path patterns: MSW decodes path parameters while matching
  // and answers a malformed escape such as `%E0%A4%A` with a 500 carrying a URIError stack. The
  // predicate only compares the raw URL; the tenant decodes ids itself.
  const predicate = ({ request }: { request: Request }) => {
    const url = new URL(request.url)
    return prefix.test(`${url.protocol}//${url.host}${url.pathname}`)
  }
  return [http.all(predicate, ({ request }) => tenant.adminApi.handle(request))]
}

/** `{baseUrl}/api/web/v1` and everything below it; `*` in `baseUrl` matches any run of characters but `/`. */
function prefixPattern(baseUrl: string): RegExp {
  // Scheme and host compare case-insensitively (URL lowercases them), the path exactly.
  const pathStart = baseUrl.indexOf('/', baseUrl.indexOf('//') + 2)
  const origin = pathStart === -1 ? baseUrl : baseUrl.slice(0, pathStart)
  const escaped = `${origin.toLowerCase()}${pathStart === -1 ? '' : baseUrl.slice(pathStart)}`
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*')
  return new RegExp(`^${escaped}/api/web/v1(?:/|$)`)
}
