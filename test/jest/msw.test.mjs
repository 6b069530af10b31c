import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { createIdaasWebhookHandler } from 'idaas-webhook-kit'
import { createAdminApiHandlers, createReceiverHandler } from 'idaas-webhook-kit/msw'
import { createEvent, createIdaasTenant, createTimerClock } from 'idaas-webhook-kit/testing'
import { setupServer } from 'msw/node'

const BASE = 'https://acme.us.trustedauth.com'
const CALLBACK = 'https://app.test/webhooks/idaas'
const server = setupServer()

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

/** Registers the webhook as a user's code would: authenticate, then POST /webhooks. */
async function registerWebhook() {
  const auth = await fetch(`${BASE}/api/web/v1/adminapi/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ applicationId: 'app-1', sharedSecret: 'secret-1' }),
  })
  const { authToken } = await auth.json()
  const created = await fetch(`${BASE}/api/web/v1/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${authToken}` },
    body: JSON.stringify({
      name: 'App',
      callbackUrl: CALLBACK,
      events: [{ type: 'user.created' }],
    }),
  })
  return { status: created.status, webhook: await created.json() }
}

describe('the MSW handlers under jest', () => {
  it('registers the webhook through the Admin API and delivers a signed event to the receiver', async () => {
    const tenant = createIdaasTenant({
      adminApplications: [{ applicationId: 'app-1', sharedSecret: 'secret-1' }],
    })
    server.use(...createAdminApiHandlers(tenant, { baseUrl: BASE }))
    const { status, webhook } = await registerWebhook()
    expect(status).toBe(200)
    const received = []
    const receiver = createIdaasWebhookHandler({
      token: webhook.token,
      now: tenant.now,
      onEvent: (event) => {
        received.push(event.id)
      },
    })
    server.use(createReceiverHandler(CALLBACK, receiver))

    const event = createEvent('user.created')
    const [report] = await tenant.emit(event)
    expect(report).toMatchObject({ result: 'delivered', attempts: [{ status: 204 }] })
    expect(received).toEqual([event.id])
  })

  it('retries a 503 under jest fake timers when the tenant runs on createTimerClock()', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask'] })
    try {
      const tenant = createIdaasTenant({ clock: createTimerClock() })
      const { token } = tenant.webhooks.create({
        name: 'App',
        callbackUrl: CALLBACK,
        events: [{ type: 'user.created' }],
      })
      const verifying = createIdaasWebhookHandler({ token, onEvent: () => {} })
      let calls = 0
      server.use(
        createReceiverHandler(CALLBACK, (request) => {
          calls += 1
          return calls === 1 ? new Response(null, { status: 503 }) : verifying(request)
        }),
      )
      const pending = tenant.emit(createEvent('user.created'))
      await jest.advanceTimersByTimeAsync(10 * 60_000)
      const [report] = await pending
      expect(report).toMatchObject({ result: 'delivered' })
      expect(report.attempts.map((attempt) => attempt.status)).toEqual([503, 204])
    } finally {
      jest.useRealTimers()
    }
  })
})
