// Stand-in for the reader's own `../src/app.js`: a Hono app whose POST /webhooks/idaas verifies
// and accepts IDaaS deliveries, and the code that registers its webhook through the Admin API.
import { Hono } from 'hono'
import { createIdaasWebhookHandler } from 'idaas-webhook-kit'

/** The receiver, verifying with `token`. */
export function createApp({ token }: { token: string | (() => string) }): Hono {
  const app = new Hono()
  app.post('/webhooks/idaas', (c) =>
    createIdaasWebhookHandler({
      token: typeof token === 'function' ? token() : token,
      onEvent: () => {},
    })(c.req.raw),
  )
  return app
}

let registeredToken = ''
/** The receiver, verifying with the token `registerWebhooks()` got from the Admin API. */
export const app = createApp({ token: () => registeredToken })

/** Authenticates to the Admin API and creates the webhook for https://app.test/webhooks/idaas. */
export async function registerWebhooks(base = 'https://acme.us.trustedauth.com'): Promise<void> {
  const json = { 'content-type': 'application/json' }
  const auth = await fetch(`${base}/api/web/v1/adminapi/authenticate`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ applicationId: 'docs-app', sharedSecret: 'docs-secret' }),
  })
  const { authToken } = (await auth.json()) as { authToken: string }
  const created = await fetch(`${base}/api/web/v1/webhooks`, {
    method: 'POST',
    headers: { ...json, authorization: authToken },
    body: JSON.stringify({
      name: 'app',
      callbackUrl: 'https://app.test/webhooks/idaas',
      events: [],
    }),
  })
  const webhook = (await created.json()) as { token: string }
  registeredToken = webhook.token
}
