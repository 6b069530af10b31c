import { type HttpHandler, http } from 'msw'
import { KitError } from '../errors.js'
import type { IdaasTenant } from '../tenant/tenant.js'

/** Options of {@link createAdminApiHandlers}. */
export interface AdminApiHandlersOptions {
  /**
   * The tenant's base URL, as your code calls it (no trailing slash). `*` matches any part, so
   * the default matches every IDaaS tenant host, e.g. `https://acme.us.trustedauth.com`.
   * @default 'https://*.trustedauth.com'
   */
  baseUrl?: string
}

/**
 * MSW handlers for the Admin API of a fake tenant: `POST /api/web/v1/adminapi/authenticate`
 * (issues an `authToken`) and the six webhook operations (list, create, get, update, delete,
 * test), answering like IDaaS: 401 without a valid `Authorization` (`<token>` or
 * `Bearer <token>`), 404 for an unknown id, 400 `ErrorInfo` for invalid `WebhookParms` and past
 * the active-webhook limit (A11). Code that manages webhooks through the Admin API runs unchanged.
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
  const baseUrl = (options.baseUrl ?? 'https://*.trustedauth.com').replace(/\/+$/, '')
  const api = `${baseUrl}/api/web/v1`
  const resolver = ({ request }: { request: Request }) => tenant.adminApi.handle(request)
  return [
    http.post(`${api}/adminapi/authenticate`, resolver),
    http.get(`${api}/webhooks`, resolver),
    http.post(`${api}/webhooks`, resolver),
    http.post(`${api}/webhooks/test/:id`, resolver),
    http.get(`${api}/webhooks/:id`, resolver),
    http.put(`${api}/webhooks/:id`, resolver),
    http.delete(`${api}/webhooks/:id`, resolver),
  ]
}
