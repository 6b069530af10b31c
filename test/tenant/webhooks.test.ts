import { describe, expect, it } from 'vitest'
import type { WebhookParms } from '../../src/index.js'
import {
  createIdaasTenant,
  createVirtualClock,
  isTenantApiError,
  type TenantApiError,
} from '../../src/testing.js'

const START = Date.parse('2026-03-16T17:33:05Z')
const DAY = 86_400_000

const parms = (overrides: Partial<WebhookParms> = {}): WebhookParms => ({
  name: 'App',
  callbackUrl: 'https://app.test/webhooks/idaas',
  events: [{ type: 'user.created' }],
  ...overrides,
})

function apiError(fn: () => unknown): TenantApiError {
  try {
    fn()
  } catch (error) {
    if (isTenantApiError(error)) return error
    throw error
  }
  throw new Error('expected a TenantApiError')
}

describe('tenant.webhooks.create', () => {
  it('returns the Webhook with its token, once (A13)', () => {
    const tenant = createIdaasTenant()
    const created = tenant.webhooks.create(
      parms({ events: [{ type: 'user.created', filter: '[]' }] }),
    )

    expect(created).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-z]{16}$/),
      name: 'App',
      callbackUrl: 'https://app.test/webhooks/idaas',
      enabled: true,
      events: [{ id: expect.any(String), type: 'user.created', filter: '[]' }],
      expired: false,
      token: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    })
    expect(tenant.webhooks.get(created.id)).not.toHaveProperty('token')
    expect(tenant.webhooks.list()[0]).not.toHaveProperty('token')
  })

  it('gives the same ids and tokens for the same seed', () => {
    const a = createIdaasTenant({ seed: 9 }).webhooks.create(parms())
    const b = createIdaasTenant({ seed: 9 }).webhooks.create(parms())
    const c = createIdaasTenant({ seed: 10 }).webhooks.create(parms())
    expect(b).toEqual(a)
    expect(c.token).not.toBe(a.token)
  })

  it("turns expiry days into expiryDate, formatted like Entrust's example, and omits it for 0", () => {
    const tenant = createIdaasTenant({ clock: createVirtualClock({ start: START }) })
    const expiring = tenant.webhooks.create(parms({ expiry: 90 }))
    const forever = tenant.webhooks.create(parms({ expiry: 0 }))

    expect(expiring.expiryDate).toBe('2026-06-14T17:33:05')
    expect(forever).not.toHaveProperty('expiryDate')
  })

  it.each([
    ['no name', { name: undefined }, 'name', 'Webhook name cannot be null.'],
    ['an empty name', { name: ' ' }, 'name', 'Webhook name must be a non-empty string.'],
    ['no callback URL', { callbackUrl: undefined }, 'callbackUrl', 'Callback URL cannot be null.'],
    [
      'an http URL',
      { callbackUrl: 'http://app.test/hooks' },
      'callbackUrl',
      'Callback URL must be a valid HTTPS URL.',
    ],
    [
      'a relative URL',
      { callbackUrl: '/hooks' },
      'callbackUrl',
      'Callback URL must be a valid HTTPS URL.',
    ],
    ['no events', { events: undefined }, 'events', 'Events cannot be null.'],
    [
      'an unknown event type',
      { events: [{ type: 'user.create' }] },
      'events',
      'Unknown webhook event type "user.create".',
    ],
    [
      'expiry over 1000',
      { expiry: 1001 },
      'expiry',
      'Expiry must be a whole number of days from 0 to 1000.',
    ],
    [
      'a fractional expiry',
      { expiry: 1.5 },
      'expiry',
      'Expiry must be a whole number of days from 0 to 1000.',
    ],
    ['a string for enabled', { enabled: 'yes' }, 'enabled', 'Enabled must be true or false.'],
  ])('refuses %s with a 400 ErrorInfo naming the parameter', (_, change, parameter, message) => {
    const tenant = createIdaasTenant()
    const error = apiError(() => tenant.webhooks.create({ ...parms(), ...change } as never))
    expect(error.status).toBe(400)
    expect(error.errorInfo).toEqual({
      errorCode: 'invalid_parameter',
      errorMessage: message,
      parameters: [{ parameter }],
    })
    expect(error.message).toBe(
      `[idaas-webhook-kit] Failed to create webhook: ${message} (HTTP 400, errorCode "invalid_parameter").`,
    )
  })

  it('accepts http callback URLs on loopback hosts unless told to require HTTPS', () => {
    const loopback = parms({ callbackUrl: 'http://127.0.0.1:8080/hooks' })
    expect(createIdaasTenant().webhooks.create(loopback).callbackUrl).toBe(
      'http://127.0.0.1:8080/hooks',
    )
    expect(
      apiError(() => createIdaasTenant({ callbackUrls: 'https' }).webhooks.create(loopback)).status,
    ).toBe(400)
  })
})

describe('the 20-active-webhook limit (A11)', () => {
  it('refuses the 21st active webhook with HTTP 400 webhook_limit_exceeded', () => {
    const tenant = createIdaasTenant()
    for (let i = 0; i < 20; i++) tenant.webhooks.create(parms({ name: `hook ${i}` }))
    const error = apiError(() => tenant.webhooks.create(parms({ name: 'hook 21' })))

    expect(error.status).toBe(400)
    expect(error.errorInfo.errorCode).toBe('webhook_limit_exceeded')
    expect(error.errorInfo.errorMessage).toBe(
      'The maximum number of active webhooks (20) has been reached. Disable or delete a webhook first.',
    )
    expect(tenant.webhooks.list()).toHaveLength(20)
  })

  it('does not count disabled webhooks, but refuses enabling a 21st', () => {
    const tenant = createIdaasTenant()
    for (let i = 0; i < 20; i++) tenant.webhooks.create(parms({ name: `hook ${i}` }))
    const disabled = tenant.webhooks.create(parms({ name: 'off', enabled: false }))
    expect(disabled.enabled).toBe(false)

    const error = apiError(() =>
      tenant.webhooks.update(disabled.id, parms({ name: 'on', enabled: true })),
    )
    expect(error.errorInfo.errorCode).toBe('webhook_limit_exceeded')
    expect(tenant.webhooks.get(disabled.id)).toMatchObject({ name: 'off', enabled: false })
  })

  it('frees a slot when a webhook is disabled, deleted or expires', () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const tenant = createIdaasTenant({ clock })
    const ids = Array.from(
      { length: 20 },
      (_, i) => tenant.webhooks.create(parms({ name: `hook ${i}`, expiry: i === 0 ? 1 : 0 })).id,
    )
    tenant.webhooks.update(ids[1] as string, parms({ enabled: false }))
    tenant.webhooks.delete(ids[2] as string)
    tenant.webhooks.create(parms({ name: 'a' }))
    tenant.webhooks.create(parms({ name: 'b' }))
    expect(apiError(() => tenant.webhooks.create(parms({ name: 'c' }))).status).toBe(400)
    clock.advance(DAY)
    expect(tenant.webhooks.create(parms({ name: 'c' })).enabled).toBe(true)
  })

  it('takes another limit and error from the options', () => {
    const tenant = createIdaasTenant({
      maxActiveWebhooks: 1,
      limitError: { status: 409, errorCode: 'too_many_webhooks' },
    })
    tenant.webhooks.create(parms())
    const error = apiError(() => tenant.webhooks.create(parms()))
    expect([error.status, error.errorInfo.errorCode]).toEqual([409, 'too_many_webhooks'])
  })

  it('refuses a limitError that is not an error status and an errorCode, when the tenant is created', () => {
    expect(() =>
      createIdaasTenant({ limitError: { status: 700, errorCode: 'too_many_webhooks' } }),
    ).toThrow(
      '[idaas-webhook-kit] Invalid option "limitError": "status" must be a whole number from 400 to 599, got 700.',
    )
    expect(() => createIdaasTenant({ limitError: { status: 409, errorCode: '' } })).toThrow(
      '[idaas-webhook-kit] Invalid option "limitError": "errorCode" must be a non-empty string, got "".',
    )
    expect(() => createIdaasTenant({ limitError: 'too_many' as never })).toThrow(
      '[idaas-webhook-kit] Invalid option "limitError": expected an object { status, errorCode }, got "too_many".',
    )
  })

  it('refuses bad signing options when the tenant is created, not at the first emit', () => {
    expect(() => createIdaasTenant({ signing: { digestAlgorithm: 'md5' as never } })).toThrow(
      '[idaas-webhook-kit] Invalid option "signing": "digestAlgorithm" must be "sha-256" or "sha-512", got "md5".',
    )
  })
})

describe('tenant.webhooks.update', () => {
  it('replaces name, URL, events, enabled and expiry, and keeps id and token', async () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const tenant = createIdaasTenant({ clock })
    const created = tenant.webhooks.create(
      parms({ expiry: 30, events: [{ type: 'user.created' }, { type: 'user.deleted' }] }),
    )
    const updated = tenant.webhooks.update(created.id, {
      name: 'Renamed',
      callbackUrl: 'https://app.test/v2',
      events: [{ type: 'password.updated' }],
    })

    expect(updated).toEqual({
      id: created.id,
      name: 'Renamed',
      callbackUrl: 'https://app.test/v2',
      enabled: true,
      events: [{ id: expect.any(String), type: 'password.updated' }],
      expired: false,
    })
    expect(updated).not.toHaveProperty('expiryDate')
  })

  it('answers 404 not_found for an unknown id', () => {
    const error = apiError(() => createIdaasTenant().webhooks.update('wh_nope', parms()))
    expect(error.status).toBe(404)
    expect(error.errorInfo).toEqual({
      errorCode: 'not_found',
      errorMessage: 'Webhook "wh_nope" was not found.',
      parameters: [{ parameter: 'id' }],
    })
  })
})

describe('expiry', () => {
  it('marks a webhook expired and disabled once its expiry date has passed', () => {
    const clock = createVirtualClock({ start: START, flow: 'frozen' })
    const tenant = createIdaasTenant({ clock })
    const { id } = tenant.webhooks.create(parms({ expiry: 2 }))

    clock.advance(2 * DAY - 1)
    expect(tenant.webhooks.get(id)).toMatchObject({ enabled: true, expired: false })
    clock.advance(1)
    expect(tenant.webhooks.get(id)).toMatchObject({ enabled: false, expired: true })
    expect(tenant.webhooks.inspect(id)).toMatchObject({ active: false, disabledBy: 'expiry' })
  })
})

describe('tenant.webhooks.delete', () => {
  it('removes the webhook; a second delete is a 404', () => {
    const tenant = createIdaasTenant()
    const { id } = tenant.webhooks.create(parms())
    tenant.webhooks.delete(id)
    expect(tenant.webhooks.list()).toEqual([])
    expect(apiError(() => tenant.webhooks.delete(id)).status).toBe(404)
  })
})
