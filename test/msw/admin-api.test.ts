import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { IdaasTenant } from '../../src/index.js'
import { createAdminApiHandlers, createReceiverHandler } from '../../src/msw/index.js'
import { createIdaasTenant } from '../../src/testing.js'

const BASE = 'https://acme.us.trustedauth.com'
const API = `${BASE}/api/web/v1`

let tenant: IdaasTenant
const server = setupServer()

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

function useTenant(options: Parameters<typeof createIdaasTenant>[0] = {}) {
  tenant = createIdaasTenant(options)
  server.use(...createAdminApiHandlers(tenant))
  return tenant
}

async function authenticate(): Promise<string> {
  const response = await fetch(`${API}/adminapi/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ applicationId: 'app-1', sharedSecret: 'secret-1' }),
  })
  expect(response.status).toBe(200)
  const body = (await response.json()) as { authToken: string }
  return body.authToken
}

const webhookParms = {
  name: 'User events',
  callbackUrl: 'https://app.test/webhooks/idaas',
  events: [{ type: 'user.created' }],
}

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== undefined) headers.authorization = token
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  const response = await fetch(`${API}${path}`, init)
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined }
}

describe('Admin API handlers under MSW (real fetch calls)', () => {
  it('authenticates and returns an authToken with creation and expiration times one hour apart', async () => {
    useTenant()
    const response = await fetch(`${API}/adminapi/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ applicationId: 'app-1', sharedSecret: 'secret-1' }),
    })
    const body = (await response.json()) as Record<string, string>
    expect(response.status).toBe(200)
    expect(body).toEqual({
      authToken: expect.any(String),
      creationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      expirationTime: expect.any(String),
    })
    expect(Date.parse(body.expirationTime ?? '') - Date.parse(body.creationTime ?? '')).toBe(
      3_600_000,
    )
  })

  it('refuses authentication with a missing application id (400) or an unknown application (401)', async () => {
    useTenant({ adminApplications: [{ applicationId: 'app-1', sharedSecret: 'right' }] })
    const missing = await call('POST', '/adminapi/authenticate', undefined, { sharedSecret: 'x' })
    expect(missing).toEqual({
      status: 400,
      body: {
        errorCode: 'invalid_parameter',
        errorMessage: 'Application id cannot be null',
        parameters: [{ parameter: 'applicationId' }],
      },
    })
    const wrong = await call('POST', '/adminapi/authenticate', undefined, {
      applicationId: 'app-1',
      sharedSecret: 'wrong',
    })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toMatchObject({ errorCode: 'access_denied' })
  })

  it('runs the whole webhook lifecycle: create, list, get, update, test, delete', async () => {
    useTenant()
    const received: Request[] = []
    server.use(
      createReceiverHandler('https://app.test/webhooks/idaas', (request) => {
        received.push(request)
        return new Response(null, { status: 204 })
      }),
    )
    const token = await authenticate()

    const created = await call('POST', '/webhooks', token, webhookParms)
    expect(created.status).toBe(200)
    const webhook = created.body as { id: string; token: string }
    expect(webhook).toMatchObject({
      ...webhookParms,
      enabled: true,
      expired: false,
      token: expect.stringMatching(/^whsec_/),
    })

    const listed = await call('GET', '/webhooks', token)
    expect(listed.status).toBe(200)
    expect(listed.body).toEqual([expect.not.objectContaining({ token: expect.anything() })])

    const got = await call('GET', `/webhooks/${webhook.id}`, token)
    expect(got.body).toMatchObject({ id: webhook.id, name: 'User events' })
    expect(got.body).not.toHaveProperty('token')

    const updated = await call('PUT', `/webhooks/${webhook.id}`, token, {
      ...webhookParms,
      name: 'Renamed',
      enabled: false,
    })
    expect(updated).toMatchObject({
      status: 200,
      body: { id: webhook.id, name: 'Renamed', enabled: false },
    })

    const tested = await call('POST', `/webhooks/test/${webhook.id}`, token)
    expect(tested).toEqual({ status: 200, body: undefined })
    expect(received).toHaveLength(1)
    expect(JSON.parse(await (received[0] as Request).text())).toMatchObject({
      type: 'webhook.test',
      data: {},
    })

    const deleted = await call('DELETE', `/webhooks/${webhook.id}`, token)
    expect(deleted).toEqual({ status: 200, body: undefined })
    expect((await call('GET', `/webhooks/${webhook.id}`, token)).status).toBe(404)
  })

  it('accepts the token with and without "Bearer "', async () => {
    useTenant()
    const token = await authenticate()
    expect((await call('GET', '/webhooks', token)).status).toBe(200)
    expect((await call('GET', '/webhooks', `Bearer ${token}`)).status).toBe(200)
  })

  it('answers 401 without an Authorization header, with an unknown token and with an expired one', async () => {
    useTenant()
    const missing = await call('GET', '/webhooks', undefined)
    expect(missing).toEqual({
      status: 401,
      body: {
        errorCode: 'access_denied',
        errorMessage: 'Access denied: the Authorization header is missing.',
        parameters: [],
      },
    })
    expect((await call('POST', '/webhooks', 'not-a-token', webhookParms)).status).toBe(401)

    const token = await authenticate()
    tenant.advance(3_600_000)
    expect((await call('GET', '/webhooks', token)).status).toBe(401)
  })

  it('answers 404 with an ErrorInfo for an unknown webhook id', async () => {
    useTenant()
    const token = await authenticate()
    for (const [method, path, body] of [
      ['GET', '/webhooks/wh_unknown', undefined],
      ['PUT', '/webhooks/wh_unknown', webhookParms],
      ['DELETE', '/webhooks/wh_unknown', undefined],
      ['POST', '/webhooks/test/wh_unknown', undefined],
    ] as const) {
      const response = await call(method, path, token, body)
      expect(response).toEqual({
        status: 404,
        body: {
          errorCode: 'not_found',
          errorMessage: 'Webhook "wh_unknown" was not found.',
          parameters: [{ parameter: 'id' }],
        },
      })
    }
  })

  it('answers 404 with an ErrorInfo, not a 500 URIError, for an id with a malformed percent-escape', async () => {
    useTenant()
    const token = await authenticate()
    for (const [method, path] of [
      ['GET', '/webhooks/%E0%A4%A'],
      ['PUT', '/webhooks/%E0%A4%A'],
      ['DELETE', '/webhooks/%E0%A4%A'],
      ['POST', '/webhooks/test/%E0%A4%A'],
    ] as const) {
      const response = await call(method, path, token, method === 'PUT' ? webhookParms : undefined)
      expect(response).toEqual({
        status: 404,
        body: {
          errorCode: 'not_found',
          errorMessage: 'Webhook "%E0%A4%A" was not found.',
          parameters: [{ parameter: 'id' }],
        },
      })
    }
  })

  it('answers every request under /api/web/v1 itself: 404 for an unknown path, 405 for a wrong method', async () => {
    // onUnhandledRequest is 'error' here: a request that fell through would reject the fetch.
    useTenant()
    const token = await authenticate()
    expect(await call('GET', '/users/u-1', token)).toEqual({
      status: 404,
      body: {
        errorCode: 'not_found',
        errorMessage: 'No Admin API operation at GET /api/web/v1/users/u-1.',
        parameters: [],
      },
    })
    expect((await call('GET', '', token)).status).toBe(404)
    expect(await call('PATCH', '/webhooks', token, webhookParms)).toEqual({
      status: 405,
      body: {
        errorCode: 'method_not_allowed',
        errorMessage: 'PATCH is not supported on /api/web/v1/webhooks.',
        parameters: [],
      },
    })
    expect((await call('GET', '/webhooks/test/wh_x', token)).status).toBe(405)
    expect((await call('DELETE', '/adminapi/authenticate', token)).status).toBe(405)
  })

  it('refuses a create sent as text/plain with a 400 naming Content-Type', async () => {
    useTenant()
    const token = await authenticate()
    const response = await fetch(`${API}/webhooks`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'text/plain' },
      body: JSON.stringify(webhookParms),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      errorCode: 'invalid_request',
      errorMessage: 'Header "Content-Type" must be application/json.',
      parameters: [{ parameter: 'Content-Type' }],
    })
    expect(tenant.webhooks.list()).toEqual([])
  })

  it('answers 400 with an ErrorInfo for invalid WebhookParms and for a body that is not JSON', async () => {
    useTenant()
    const token = await authenticate()
    const http = await call('POST', '/webhooks', token, {
      ...webhookParms,
      callbackUrl: 'http://app.test/hooks',
    })
    expect(http).toEqual({
      status: 400,
      body: {
        errorCode: 'invalid_parameter',
        errorMessage: 'Callback URL must be a valid HTTPS URL.',
        parameters: [{ parameter: 'callbackUrl' }],
      },
    })
    const notJson = await call('POST', '/webhooks', token, '{"name":')
    expect(notJson).toEqual({
      status: 400,
      body: {
        errorCode: 'invalid_request',
        errorMessage: 'Request body is not valid JSON.',
        parameters: [],
      },
    })
  })

  it('refuses the 21st active webhook with 400 webhook_limit_exceeded (A11)', async () => {
    useTenant()
    const token = await authenticate()
    for (let i = 0; i < 20; i++) {
      expect(
        (await call('POST', '/webhooks', token, { ...webhookParms, name: `hook ${i}` })).status,
      ).toBe(200)
    }
    const refused = await call('POST', '/webhooks', token, webhookParms)
    expect(refused.status).toBe(400)
    expect(refused.body).toEqual({
      errorCode: 'webhook_limit_exceeded',
      errorMessage:
        'The maximum number of active webhooks (20) has been reached. Disable or delete a webhook first.',
      parameters: [],
    })
    const disabled = await call('POST', '/webhooks', token, { ...webhookParms, enabled: false })
    expect(disabled.status).toBe(200)
  })

  it('issues a session cookie when enableWebSession is true and accepts it instead of the header', async () => {
    useTenant()
    const response = await fetch(`${API}/adminapi/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ applicationId: 'a', sharedSecret: 's', enableWebSession: true }),
    })
    const cookie = response.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^INTELLITRUST_SESSION_ID=[^;]+; Path=\/; Secure; HttpOnly$/)
    const listed = await fetch(`${API}/webhooks`, {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    })
    expect(listed.status).toBe(200)
  })

  it('serves only the given base URL when one is given', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    const t = createIdaasTenant()
    server.use(...createAdminApiHandlers(t, { baseUrl: 'https://custom.example.com/' }))
    const response = await fetch('https://custom.example.com/api/web/v1/webhooks')
    expect(response.status).toBe(401)
    await expect(fetch('https://acme.us.trustedauth.com/api/web/v1/webhooks')).rejects.toThrow()
    expect(printed).toHaveBeenCalled()
  })
})
