import { timingSafeEqual } from 'node:crypto'
import { type RandomSource, randomBytes } from '../internal/random.js'
import type {
  AdminApiAuthentication,
  AdminApiAuthenticationResult,
  WebhookParms,
} from './admin-api-types.js'
import { errorInfo, isTenantApiError, TenantApiError } from './errors.js'
import type { TenantWebhooks } from './tenant.js'

/** An Admin API application allowed to authenticate. */
export interface AdminApiApplication {
  applicationId: string
  sharedSecret: string
}

/** The fake tenant's Admin API with HTTP semantics, for MSW or any Fetch-API server. */
export interface TenantAdminApi {
  /**
   * Answers one Admin API request: `POST /api/web/v1/adminapi/authenticate` and the six webhook
   * operations, with Entrust's status codes and `ErrorInfo` bodies: 400 for a body the OpenAPI
   * forbids (wrong types, `null` where no `nullable` is declared, a `Content-Type` other than
   * `application/json`), 401 without a valid token, 404 for an unknown webhook id or path, 405
   * for a method the path does not have. Any origin is accepted; only the path counts.
   */
  handle(request: Request): Promise<Response>
  /** Issues an `authToken` directly, as the authenticate operation does. Throws a `TenantApiError`. */
  authenticate(credentials: AdminApiAuthentication): AdminApiAuthenticationResult
}

/** The session cookie the Admin API returns when `enableWebSession` is true [OpenAPI]. */
export const SESSION_COOKIE = 'INTELLITRUST_SESSION_ID'

const AUTHENTICATE_PATH = '/api/web/v1/adminapi/authenticate'
const WEBHOOKS_PATH = /^\/api\/web\/v1\/webhooks(?:\/test\/([^/]+)|\/([^/]+))?$/

interface Session {
  expiresAt: number
}

/** @internal */
export function createTenantAdminApi(core: {
  webhooks: TenantWebhooks
  now: () => number
  random: RandomSource
  applications: readonly AdminApiApplication[] | undefined
  tokenLifetimeMs: number
}): TenantAdminApi {
  const { webhooks, now, random } = core
  // authToken or session id → expiry. Tokens never appear in messages or logs.
  const sessions = new Map<string, Session>()
  const newSecret = () => Buffer.from(randomBytes(random, 32)).toString('base64url')

  const authenticate = (
    credentials: unknown,
  ): AdminApiAuthenticationResult & { session?: string } => {
    const action = 'authenticate'
    if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) {
      throw new TenantApiError(
        action,
        400,
        errorInfo('invalid_request', 'Request body must be an AdminApiAuthentication JSON object.'),
      )
    }
    const { applicationId, sharedSecret, enableWebSession } = credentials as Record<string, unknown>
    if (enableWebSession !== undefined && typeof enableWebSession !== 'boolean') {
      throw new TenantApiError(
        action,
        400,
        errorInfo('invalid_parameter', 'Enable web session must be true or false.', [
          { parameter: 'enableWebSession' },
        ]),
      )
    }
    if (typeof applicationId !== 'string' || applicationId.length === 0) {
      // Entrust's own ErrorInfo example message.
      throw new TenantApiError(
        action,
        400,
        errorInfo('invalid_parameter', 'Application id cannot be null', [
          { parameter: 'applicationId' },
        ]),
      )
    }
    if (typeof sharedSecret !== 'string' || sharedSecret.length === 0) {
      throw new TenantApiError(
        action,
        400,
        errorInfo('invalid_parameter', 'Shared secret cannot be null', [
          { parameter: 'sharedSecret' },
        ]),
      )
    }
    const allowed =
      core.applications === undefined ||
      core.applications.some(
        (app) => app.applicationId === applicationId && sameSecret(app.sharedSecret, sharedSecret),
      )
    if (!allowed) {
      throw new TenantApiError(
        action,
        401,
        errorInfo('access_denied', 'Access denied: unknown application id or wrong shared secret.'),
      )
    }
    const creation = now()
    const expiresAt = creation + core.tokenLifetimeMs
    const authToken = newSecret()
    sessions.set(authToken, { expiresAt })
    const result: AdminApiAuthenticationResult & { session?: string } = {
      authToken,
      creationTime: isoSeconds(creation),
      expirationTime: isoSeconds(expiresAt),
    }
    if (enableWebSession === true) {
      const session = newSecret()
      sessions.set(session, { expiresAt })
      result.session = session
    }
    return result
  }

  const requireAuth = (request: Request, action: string): void => {
    const header = request.headers.get('authorization')
    // D-REST: "Authorization: Bearer <token>" or "Authorization: <token>".
    const token = header?.trim().replace(/^Bearer\s+/i, '')
    const candidates = [token, readCookie(request.headers.get('cookie'), SESSION_COOKIE)]
    const time = now()
    for (const candidate of candidates) {
      if (!candidate) continue
      const session = sessions.get(candidate)
      if (session !== undefined && time < session.expiresAt) return
    }
    throw new TenantApiError(
      action,
      401,
      errorInfo(
        'access_denied',
        header
          ? 'Access denied: the authorization token is unknown or expired.'
          : 'Access denied: the Authorization header is missing.',
      ),
    )
  }

  const handle = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname.replace(/\/+$/, '')
    const method = request.method.toUpperCase()
    try {
      if (path === AUTHENTICATE_PATH) {
        if (method !== 'POST') return methodNotAllowed(method, path)
        const { session, ...result } = authenticate(await readJson(request, 'authenticate', true))
        const response = json(result, 200)
        if (session !== undefined) {
          response.headers.append(
            'set-cookie',
            `${SESSION_COOKIE}=${session}; Path=/; Secure; HttpOnly`,
          )
        }
        return response
      }
      const match = WEBHOOKS_PATH.exec(path)
      if (match === null) {
        return json(errorInfo('not_found', `No Admin API operation at ${method} ${path}.`), 404)
      }
      const [, testId, id] = match
      if (testId !== undefined) {
        if (method !== 'POST') return methodNotAllowed(method, path)
        requireAuth(request, 'test webhook')
        const parms = await readJson(request, 'test webhook', false)
        // The test delivery happens before the answer; its outcome is in the delivery log.
        await webhooks.test(decodeId(testId), parms as never)
        return new Response(null, { status: 200 })
      }
      if (id === undefined) {
        if (method === 'GET') {
          requireAuth(request, 'list webhooks')
          return json(webhooks.list(), 200)
        }
        if (method === 'POST') {
          requireAuth(request, 'create webhook')
          const parms = await readJson(request, 'create webhook', true)
          return json(webhooks.create(parms as WebhookParms), 200) // Create answers 200, not 201 [OpenAPI]
        }
        return methodNotAllowed(method, path)
      }
      const webhookId = decodeId(id)
      if (method === 'GET') {
        requireAuth(request, 'get webhook')
        return json(webhooks.get(webhookId), 200)
      }
      if (method === 'PUT') {
        requireAuth(request, 'update webhook')
        webhooks.get(webhookId) // 404 before looking at the body
        const parms = await readJson(request, 'update webhook', true)
        return json(webhooks.update(webhookId, parms as WebhookParms), 200)
      }
      if (method === 'DELETE') {
        requireAuth(request, 'delete webhook')
        webhooks.delete(webhookId)
        return new Response(null, { status: 200 })
      }
      return methodNotAllowed(method, path)
    } catch (error) {
      if (isTenantApiError(error)) return json(error.errorInfo, error.status)
      throw error
    }
  }

  return {
    handle,
    authenticate(credentials) {
      const { session: _session, ...result } = authenticate(credentials)
      return result
    },
  }
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

function isoSeconds(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19)}Z`
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

/** A path's webhook id; a malformed percent-escape is an id no webhook has (404), not a crash. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** `application/json`, optionally with parameters such as `; charset=utf-8`. */
const JSON_MEDIA_TYPE = /^\s*application\/json\s*(?:;|$)/i

/** Request bodies the fake Admin API reads at most, in bytes: `WebhookParms` is a few hundred. */
const MAX_REQUEST_BYTES = 1024 * 1024

async function readJson(request: Request, action: string, required: boolean): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0)
  const text = declared > MAX_REQUEST_BYTES ? undefined : await request.text()
  if (text === undefined || Buffer.byteLength(text) > MAX_REQUEST_BYTES) {
    throw new TenantApiError(
      action,
      400,
      errorInfo('invalid_request', `Request body is larger than ${MAX_REQUEST_BYTES} bytes.`),
    )
  }
  if (text.trim().length === 0) {
    if (!required) return undefined
    throw new TenantApiError(action, 400, errorInfo('invalid_request', 'Request body is required.'))
  }
  // The OpenAPI declares only `application/json` request bodies.
  const contentType = request.headers.get('content-type')
  if (contentType === null || !JSON_MEDIA_TYPE.test(contentType)) {
    throw new TenantApiError(
      action,
      400,
      errorInfo(
        'invalid_request',
        contentType === null
          ? 'Header "Content-Type" is missing: the request body must be sent as application/json.'
          : 'Header "Content-Type" must be application/json.',
        [{ parameter: 'Content-Type' }],
      ),
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new TenantApiError(
      action,
      400,
      errorInfo('invalid_request', 'Request body is not valid JSON.'),
    )
  }
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

function methodNotAllowed(method: string, path: string): Response {
  return json(errorInfo('method_not_allowed', `${method} is not supported on ${path}.`), 405)
}
