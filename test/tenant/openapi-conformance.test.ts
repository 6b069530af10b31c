import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type requestValidatorModule from 'openapi-request-validator'
import type responseValidatorModule from 'openapi-response-validator'
import { describe, expect, it } from 'vitest'
import type { IdaasTenant } from '../../src/index.js'
import { createIdaasTenant } from '../../src/testing.js'
import type { WebhookParms } from '../../src/types.js'

// Entrust's OpenAPI excerpt (test/fixtures/admin-api/SOURCE.md), checked with validators that
// share no code with the fake tenant.
const doc = JSON.parse(
  readFileSync(
    new URL('../fixtures/admin-api/idaas-admin-api-webhooks.json', import.meta.url),
    'utf8',
  ),
) as OpenApiDocument

interface OpenApiOperation {
  parameters?: unknown[]
  requestBody?: { content: Record<string, unknown>; required?: boolean }
  responses: Record<string, { content?: Record<string, unknown> }>
  security?: unknown[]
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>
  components: { schemas: Record<string, unknown> }
}

// Both packages are CommonJS with `exports.default`; `require` reads it the same way everywhere.
const require = createRequire(import.meta.url)
const RequestValidator: typeof requestValidatorModule.default =
  require('openapi-request-validator').default
const ResponseValidator: typeof responseValidatorModule.default =
  require('openapi-response-validator').default
// `int32` is left to `minimum`/`maximum` (0–1000): both packages accept only string formats.
const customFormats = {
  'date-time': (value: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/.test(value),
}

const ORIGIN = 'https://acme.us.trustedauth.com'

interface Route {
  template: string
  method: string
  operation: OpenApiOperation
  params: Record<string, string>
}

const routes = Object.entries(doc.paths).flatMap(([template, item]) =>
  Object.entries(item).map(([method, operation]) => {
    const names: string[] = []
    const source = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      names.push(name)
      return '([^/]+)'
    })
    return {
      template,
      method: method.toUpperCase(),
      operation,
      names,
      pattern: new RegExp(`^${source}$`),
    }
  }),
)

function route(method: string, path: string): Route | undefined {
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path)
    if (match === null || candidate.method !== method) continue
    const params = Object.fromEntries(candidate.names.map((name, i) => [name, match[i + 1] ?? '']))
    return { template: candidate.template, method, operation: candidate.operation, params }
  }
  return undefined
}

interface Call {
  method: string
  path: string
  token?: string
  cookie?: string
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  /** @default 'application/json' when there is a body */
  contentType?: string
}

// Compiling is the slow part: one validator per operation, and per operation and status.
const requestValidators = new Map<string, InstanceType<typeof RequestValidator>>()
function requestValidator(found: Route) {
  const key = `${found.method} ${found.template}`
  let validator = requestValidators.get(key)
  if (validator === undefined) {
    validator = new RequestValidator({
      parameters: (found.operation.parameters ?? []) as never,
      ...(found.operation.requestBody === undefined
        ? {}
        : { requestBody: found.operation.requestBody as never }),
      componentSchemas: doc.components.schemas as never,
      customFormats,
    })
    requestValidators.set(key, validator)
  }
  return validator
}
const responseValidators = new Map<string, InstanceType<typeof ResponseValidator>>()
function responseValidator(key: string, status: string, schema: unknown) {
  let validator = responseValidators.get(`${key} ${status}`)
  if (validator === undefined) {
    validator = new ResponseValidator({
      responses: { [status]: schema } as never,
      components: doc.components as never,
      customFormats,
    })
    responseValidators.set(`${key} ${status}`, validator)
  }
  return validator
}

/** What the document says about a request: an empty list when it allows it. */
function requestProblems(call: Call, found: Route | undefined, text: string | undefined): string[] {
  if (found === undefined) return [`no operation ${call.method} ${call.path}`]
  const problems: string[] = []
  // `AdminAPIAuthentication`: apiKey in the Authorization header. The session cookie of
  // `enableWebSession` "must be returned with all subsequent requests", so it counts as well.
  if (found.operation.security !== undefined && !call.token && !call.cookie) {
    problems.push('security: no Authorization header')
  }
  let body: unknown
  if (text !== undefined && text.length > 0) {
    try {
      body = JSON.parse(text)
    } catch {
      return [...problems, 'body: not JSON']
    }
  }
  const headers: Record<string, string> = {}
  if (text !== undefined) headers['content-type'] = call.contentType ?? 'application/json'
  const validator = requestValidator(found)
  const result = validator.validateRequest({
    headers,
    body: body === undefined ? undefined : structuredClone(body),
    params: found.params,
    query: {},
  }) as { errors?: Array<{ path?: string; message: string }> } | undefined
  for (const error of result?.errors ?? []) problems.push(`${error.path ?? ''}: ${error.message}`)
  return problems
}

/** What the document says about a response: an empty list when it allows it. */
function responseProblems(found: Route | undefined, response: Response, text: string): string[] {
  const errorInfoOnly = { schema: { $ref: '#/components/schemas/ErrorInfo' } }
  const declared =
    found === undefined
      ? // No operation: the answer must still be an Admin API error.
        { 404: errorInfoOnly, 405: errorInfoOnly }
      : Object.fromEntries(
          Object.entries(found.operation.responses).map(([status, value]) => [
            status,
            value.content === undefined
              ? undefined
              : { schema: (value.content['application/json'] as { schema: unknown }).schema },
          ]),
        )
  const status = String(response.status)
  if (!(status in declared)) return [`status ${status} is not declared`]
  const expected = declared[status as keyof typeof declared]
  if (expected === undefined) return text === '' ? [] : [`status ${status} declares no body`]
  if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) {
    return ['content-type is not application/json']
  }
  const key = found === undefined ? 'no operation' : `${found.method} ${found.template}`
  const validator = responseValidator(key, status, expected)
  const result = validator.validateResponse(status, JSON.parse(text))
  return (result?.errors ?? []).map(
    (error: { path?: string; message: string }) => `${error.path ?? ''}: ${error.message}`,
  )
}

interface Exchange {
  status: number
  body: unknown
  text: string
  headers: Headers
  request: string[]
  response: string[]
}

/** Sends one request through `tenant.adminApi.handle` and judges both sides against the document. */
async function exchange(tenant: IdaasTenant, call: Call): Promise<Exchange> {
  const text =
    call.body === undefined
      ? undefined
      : typeof call.body === 'string'
        ? call.body
        : JSON.stringify(call.body)
  const headers: Record<string, string> = {}
  if (call.token) headers.authorization = call.token
  if (call.cookie) headers.cookie = call.cookie
  if (text !== undefined) headers['content-type'] = call.contentType ?? 'application/json'
  const found = route(call.method, call.path)
  const response = await tenant.adminApi.handle(
    new Request(`${ORIGIN}${call.path}`, {
      method: call.method,
      headers,
      ...(text === undefined ? {} : { body: text }),
    }),
  )
  const body = await response.text()
  return {
    status: response.status,
    text: body,
    body: body === '' ? undefined : (JSON.parse(body) as unknown),
    headers: response.headers,
    request: requestProblems(call, found, text),
    response: responseProblems(found, response, body),
  }
}

/** Like {@link exchange}, and fails when the response breaks the document or a forbidden request was accepted. */
async function conforming(tenant: IdaasTenant, call: Call): Promise<Exchange> {
  const result = await exchange(tenant, call)
  expect(result.response, `${call.method} ${call.path} → ${result.status}`).toEqual([])
  if (result.request.length > 0) expect(result.status).toBeGreaterThanOrEqual(400)
  return result
}

const acceptingReceiver = async () => new Response(null, { status: 204 })
const newTenant = (options: Parameters<typeof createIdaasTenant>[0] = {}) =>
  createIdaasTenant({ fetch: acceptingReceiver, ...options })

async function login(tenant: IdaasTenant): Promise<string> {
  const { body } = await conforming(tenant, {
    method: 'POST',
    path: '/api/web/v1/adminapi/authenticate',
    body: { applicationId: 'app-1', sharedSecret: 'secret-1' },
  })
  return (body as { authToken: string }).authToken
}

const WEBHOOKS = '/api/web/v1/webhooks'
const parms: WebhookParms = {
  name: 'User events',
  callbackUrl: 'https://app.test/webhooks/idaas',
  events: [{ type: 'user.created' }],
}

describe("the fake Admin API against Entrust's OpenAPI (openapi-request-validator, openapi-response-validator)", () => {
  it('the harness itself tells allowed requests from forbidden ones', () => {
    const create = route('POST', WEBHOOKS)
    expect(
      requestProblems(
        { method: 'POST', path: WEBHOOKS, token: 't' },
        create,
        JSON.stringify(parms),
      ),
    ).toEqual([])
    expect(
      requestProblems(
        { method: 'POST', path: WEBHOOKS, token: 't' },
        create,
        JSON.stringify({ ...parms, name: 7 }),
      ),
    ).not.toEqual([])
    expect(
      requestProblems({ method: 'POST', path: WEBHOOKS }, create, JSON.stringify(parms)),
    ).toEqual(['security: no Authorization header'])
    expect(route('PATCH', WEBHOOKS)).toBeUndefined()
    expect(route('POST', `${WEBHOOKS}/test/wh_1`)?.template).toBe('/api/web/v1/webhooks/test/{id}')
  })

  it('answers every operation of a webhook lifecycle with responses the document allows', async () => {
    const tenant = newTenant()
    const token = await login(tenant)
    const session = await conforming(tenant, {
      method: 'POST',
      path: '/api/web/v1/adminapi/authenticate',
      body: { applicationId: 'app-1', sharedSecret: 'secret-1', enableWebSession: true },
    })
    expect(session.status).toBe(200)
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    expect(cookie).toMatch(/^INTELLITRUST_SESSION_ID=./)

    const created = await conforming(tenant, {
      method: 'POST',
      path: WEBHOOKS,
      token,
      body: {
        ...parms,
        enabled: true,
        expiry: 90,
        events: [
          { type: 'user.created', id: 'ignored', filter: '[{"groupId":"g-1"}]' },
          { type: 'credential.print' },
        ],
      },
    })
    expect(created.status).toBe(200)
    const { id } = created.body as { id: string }
    expect(created.body).toMatchObject({
      token: expect.stringMatching(/^whsec_/),
      expiryDate: expect.any(String),
    })
    const everyType = await conforming(tenant, {
      method: 'POST',
      path: WEBHOOKS,
      token: `Bearer ${token}`,
      body: { ...parms, events: [], enabled: false },
    })
    expect(everyType.status).toBe(200)
    expect(everyType.body).not.toHaveProperty('expiryDate')

    const listed = await conforming(tenant, { method: 'GET', path: WEBHOOKS, cookie })
    expect(listed.status).toBe(200)
    expect(listed.body).toHaveLength(2)
    expect(
      (await conforming(tenant, { method: 'GET', path: `${WEBHOOKS}/${id}`, token })).status,
    ).toBe(200)
    const updated = await conforming(tenant, {
      method: 'PUT',
      path: `${WEBHOOKS}/${id}`,
      token,
      body: { ...parms, name: 'Renamed', expiry: 0 },
    })
    expect(updated.body).toMatchObject({ name: 'Renamed', enabled: true, expired: false })
    for (const body of [undefined, {}, { callbackUrl: 'https://other.test/hooks' }]) {
      const tested = await conforming(tenant, {
        method: 'POST',
        path: `${WEBHOOKS}/test/${id}`,
        token,
        ...(body === undefined ? {} : { body }),
      })
      expect(tested).toMatchObject({ status: 200, text: '', request: [] })
    }
    const deleted = await conforming(tenant, { method: 'DELETE', path: `${WEBHOOKS}/${id}`, token })
    expect(deleted).toMatchObject({ status: 200, text: '', request: [] })
  })

  it('answers every refusal with a declared status and an ErrorInfo body', async () => {
    const tenant = newTenant({
      maxActiveWebhooks: 1,
      adminApplications: [{ applicationId: 'app-1', sharedSecret: 'secret-1' }],
    })
    const token = await login(tenant)
    const { body } = await conforming(tenant, {
      method: 'POST',
      path: WEBHOOKS,
      token,
      body: parms,
    })
    const { id } = body as { id: string }
    const cases: Array<[number, Call]> = [
      [
        400,
        { method: 'POST', path: '/api/web/v1/adminapi/authenticate', body: { sharedSecret: 's' } },
      ],
      [
        401,
        {
          method: 'POST',
          path: '/api/web/v1/adminapi/authenticate',
          body: { applicationId: 'app-1', sharedSecret: 'wrong' },
        },
      ],
      [
        400,
        { method: 'POST', path: '/api/web/v1/adminapi/authenticate', body: '{"applicationId":' },
      ],
      [401, { method: 'GET', path: WEBHOOKS }],
      [401, { method: 'GET', path: `${WEBHOOKS}/${id}`, token: 'not-a-token' }],
      [401, { method: 'DELETE', path: `${WEBHOOKS}/${id}` }],
      [400, { method: 'POST', path: WEBHOOKS, token, body: { ...parms, name: undefined } }],
      [
        400,
        {
          method: 'POST',
          path: WEBHOOKS,
          token,
          body: { ...parms, callbackUrl: 'http://app.test/h' },
        },
      ],
      [
        400,
        {
          method: 'POST',
          path: WEBHOOKS,
          token,
          body: { ...parms, events: [{ type: 'user.create' }] },
        },
      ],
      [400, { method: 'POST', path: WEBHOOKS, token, body: { ...parms, expiry: 1001 } }],
      [400, { method: 'POST', path: WEBHOOKS, token, body: [parms] }],
      [400, { method: 'POST', path: WEBHOOKS, token, body: '{"name":' }],
      [400, { method: 'POST', path: WEBHOOKS, token }],
      [400, { method: 'POST', path: WEBHOOKS, token, body: parms }], // A11: past maxActiveWebhooks
      [400, { method: 'PUT', path: `${WEBHOOKS}/${id}`, token }],
      [
        400,
        {
          method: 'POST',
          path: `${WEBHOOKS}/test/${id}`,
          token,
          body: { callbackUrl: 'not a url' },
        },
      ],
      [404, { method: 'GET', path: `${WEBHOOKS}/wh_unknown`, token }],
      [404, { method: 'PUT', path: `${WEBHOOKS}/wh_unknown`, token, body: parms }],
      [404, { method: 'DELETE', path: `${WEBHOOKS}/wh_unknown`, token }],
      [404, { method: 'POST', path: `${WEBHOOKS}/test/wh_unknown`, token }],
      [404, { method: 'GET', path: `${WEBHOOKS}/%E0%A4%A`, token }],
      [404, { method: 'GET', path: '/api/web/v1/users', token }],
      [405, { method: 'PATCH', path: WEBHOOKS, token, body: parms }],
      [405, { method: 'GET', path: `${WEBHOOKS}/test/${id}`, token }],
      [405, { method: 'GET', path: '/api/web/v1/adminapi/authenticate' }],
    ]
    for (const [status, call] of cases) {
      const result = await conforming(tenant, call)
      expect(result.status, `${call.method} ${call.path}`).toBe(status)
      expect(result.body).toEqual({
        errorCode: expect.any(String),
        errorMessage: expect.any(String),
        parameters: expect.any(Array),
      })
    }
  })

  it.each<[string, Call, string]>([
    [
      'enabled: null',
      { method: 'POST', path: WEBHOOKS, body: { ...parms, enabled: null } },
      'enabled',
    ],
    [
      'expiry: null',
      { method: 'POST', path: WEBHOOKS, body: { ...parms, expiry: null } },
      'expiry',
    ],
    [
      'events[].filter: null',
      {
        method: 'POST',
        path: WEBHOOKS,
        body: { ...parms, events: [{ type: 'user.created', filter: null }] },
      },
      'events',
    ],
    [
      'events[].id: 7',
      {
        method: 'POST',
        path: WEBHOOKS,
        body: { ...parms, events: [{ type: 'user.created', id: 7 }] },
      },
      'events',
    ],
    [
      'enableWebSession: "yes"',
      {
        method: 'POST',
        path: '/api/web/v1/adminapi/authenticate',
        body: { applicationId: 'a', sharedSecret: 's', enableWebSession: 'yes' },
      },
      'enableWebSession',
    ],
    [
      'a create sent as text/plain',
      { method: 'POST', path: WEBHOOKS, body: parms, contentType: 'text/plain' },
      'Content-Type',
    ],
    [
      'an update with expiry: null',
      { method: 'PUT', path: `${WEBHOOKS}/{id}`, body: { ...parms, expiry: null } },
      'expiry',
    ],
    [
      'a test with callbackUrl: null',
      { method: 'POST', path: `${WEBHOOKS}/test/{id}`, body: { callbackUrl: null } },
      'callbackUrl',
    ],
  ])(
    'refuses %s, which the document forbids, with a 400 naming the field',
    async (_, call, field) => {
      const tenant = newTenant()
      const token = await login(tenant)
      const { id } = tenant.webhooks.create({ ...parms, name: 'existing' })
      const sent = { ...call, path: call.path.replace('{id}', id), token }
      const result = await conforming(tenant, sent)
      expect(result.request).not.toEqual([])
      expect(result.status).toBe(400)
      expect(result.body).toMatchObject({
        errorCode: expect.stringMatching(/^invalid_(parameter|request)$/),
        parameters: [{ parameter: field }],
      })
      expect(tenant.webhooks.list()).toHaveLength(1)
      expect(tenant.webhooks.get(id)).toMatchObject({ name: 'existing', enabled: true })
    },
  )

  it('refuses a callback URL with user-info on create, update and test, without repeating it', async () => {
    const tenant = newTenant()
    const token = await login(tenant)
    const { id } = tenant.webhooks.create(parms)
    const url = 'https://hook-user:s3cr3t-pw@app.test/webhooks/idaas'
    for (const call of [
      { method: 'POST', path: WEBHOOKS, body: { ...parms, callbackUrl: url } },
      { method: 'PUT', path: `${WEBHOOKS}/${id}`, body: { ...parms, callbackUrl: url } },
      { method: 'POST', path: `${WEBHOOKS}/test/${id}`, body: { callbackUrl: url } },
      {
        method: 'POST',
        path: WEBHOOKS,
        body: { ...parms, callbackUrl: 'https://only-user@app.test/h' },
      },
    ]) {
      const result = await conforming(tenant, { ...call, token })
      expect(result.status).toBe(400)
      expect(result.body).toEqual({
        errorCode: 'invalid_parameter',
        errorMessage:
          'Callback URL must not contain a user name or password: IDaaS signs the URL, and a receiver cannot rebuild it.',
        parameters: [{ parameter: 'callbackUrl' }],
      })
      expect(result.text).not.toMatch(/s3cr3t|hook-user|only-user/)
    }
    expect(tenant.webhooks.get(id).callbackUrl).toBe(parms.callbackUrl)
    expect(tenant.deliveryLog).toEqual([])
  })

  it('omits expiryDate for no expiration by default; noExpiryDate "null" sends null, which the schema does not allow', async () => {
    const omitting = newTenant()
    const created = await conforming(omitting, {
      method: 'POST',
      path: WEBHOOKS,
      token: await login(omitting),
      body: parms,
    })
    expect(created.body).not.toHaveProperty('expiryDate')

    const nulling = newTenant({ noExpiryDate: 'null' })
    const token = await login(nulling)
    const result = await exchange(nulling, { method: 'POST', path: WEBHOOKS, token, body: parms })
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({ expiryDate: null })
    expect(result.response.join('\n')).toContain('expiryDate')
    const expiring = await exchange(nulling, {
      method: 'POST',
      path: WEBHOOKS,
      token,
      body: { ...parms, expiry: 1 },
    })
    expect(expiring.body).toMatchObject({
      expiryDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
    })
    expect(expiring.response).toEqual([])
    expect(() => createIdaasTenant({ noExpiryDate: 'none' as never })).toThrow(
      '[idaas-webhook-kit] Invalid option "noExpiryDate": expected "omit" or "null", got "none".',
    )
  })
})
