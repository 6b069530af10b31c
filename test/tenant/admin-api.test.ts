import { describe, expect, it } from 'vitest'
import { createIdaasTenant, isTenantApiError } from '../../src/testing.js'

const BASE = 'https://acme.us.trustedauth.com/api/web/v1'

async function send(
  tenant: ReturnType<typeof createIdaasTenant>,
  method: string,
  path: string,
  init: { token?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {}
  if (init.token) headers.authorization = init.token
  const request = new Request(`${BASE}${path}`, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const response = await tenant.adminApi.handle(request)
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

describe('tenant.adminApi.handle (no MSW)', () => {
  it('serves the same webhooks as tenant.webhooks', async () => {
    const tenant = createIdaasTenant()
    const { authToken } = tenant.adminApi.authenticate({ applicationId: 'a', sharedSecret: 'b' })
    const created = tenant.webhooks.create({
      name: 'direct',
      callbackUrl: 'https://app.test/h',
      events: [{ type: 'passkey.created' }],
    })
    const listed = await send(tenant, 'GET', '/webhooks', { token: authToken })
    expect(listed).toEqual({ status: 200, body: [tenant.webhooks.get(created.id)] })
  })

  it('answers 405 for a method the operation does not have and 404 for an unknown path', async () => {
    const tenant = createIdaasTenant()
    const { authToken } = tenant.adminApi.authenticate({ applicationId: 'a', sharedSecret: 'b' })
    expect(await send(tenant, 'PATCH', '/webhooks', { token: authToken })).toEqual({
      status: 405,
      body: {
        errorCode: 'method_not_allowed',
        errorMessage: 'PATCH is not supported on /api/web/v1/webhooks.',
        parameters: [],
      },
    })
    expect((await send(tenant, 'GET', '/users', { token: authToken })).status).toBe(404)
  })

  it('checks the token before looking the webhook up, so an unknown id without a token is 401', async () => {
    const tenant = createIdaasTenant()
    expect((await send(tenant, 'GET', '/webhooks/wh_nope')).status).toBe(401)
  })

  it('refuses a PUT without a body', async () => {
    const tenant = createIdaasTenant()
    const { authToken } = tenant.adminApi.authenticate({ applicationId: 'a', sharedSecret: 'b' })
    const { id } = tenant.webhooks.create({
      name: 'x',
      callbackUrl: 'https://app.test/h',
      events: [],
    })
    expect(await send(tenant, 'PUT', `/webhooks/${id}`, { token: authToken })).toEqual({
      status: 400,
      body: {
        errorCode: 'invalid_request',
        errorMessage: 'Request body is required.',
        parameters: [],
      },
    })
  })

  it('throws a TenantApiError from authenticate() for credentials it does not know', () => {
    const tenant = createIdaasTenant({
      adminApplications: [{ applicationId: 'app', sharedSecret: 'correct horse' }],
    })
    let error: unknown
    try {
      tenant.adminApi.authenticate({ applicationId: 'app', sharedSecret: 'not-the-s3cr3t' })
    } catch (e) {
      error = e
    }
    expect(isTenantApiError(error)).toBe(true)
    expect((error as Error).message).toBe(
      '[idaas-webhook-kit] Failed to authenticate: Access denied: unknown application id or wrong shared secret. (HTTP 401, errorCode "access_denied").',
    )
    expect((error as Error).message).not.toContain('s3cr3t')
    expect(
      tenant.adminApi.authenticate({ applicationId: 'app', sharedSecret: 'correct horse' }),
    ).toHaveProperty('authToken')
  })
})
