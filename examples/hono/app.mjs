// A reference IDaaS webhook receiver on Hono: the same app runs on Bun, Deno, Cloudflare Workers
// and Node (with @hono/node-server). The kit can verify it in-process, with no port:
//
//   await verifyReceiver({ handler: createApp({ token }).fetch }, { token })
//
// or over HTTP once it runs:
//
//   npm install @hono/node-server
//   IDAAS_WEBHOOK_TOKEN=whsec_… node examples/hono/app.mjs
//   npx idaas-webhook-kit verify http://localhost:3000/webhooks/idaas
//
// Pass `c.req.raw` to the handler before anything reads the body: `c.req.json()` consumes it.

import { pathToFileURL } from 'node:url'
import { Hono } from 'hono'
import { createIdaasWebhookHandler } from 'idaas-webhook-kit'

/**
 * The receiver as a Hono app.
 * @param {{ token: string, publicUrl?: string, work?: (event: { id: string, type: string }) => unknown }} options
 */
export function createApp({ token, publicUrl, work = logEvent }) {
  const queue = createQueue(work)
  const idaas = createIdaasWebhookHandler({
    token,
    ...(publicUrl ? { publicUrl } : {}),
    // Answer 204 at once and work afterwards. On Workers, wrap the work in ctx.waitUntil().
    onEvent: (event) => queue.push(event),
  })
  const app = new Hono()
  app.post('/webhooks/idaas', (c) => idaas(c.req.raw))
  return app
}

/** A tiny in-memory queue: each envelope id is taken once (IDaaS redelivers it), work runs after the 204. */
function createQueue(work) {
  const seen = new Set()
  const pending = []
  let draining = false
  const drain = async () => {
    draining = true
    while (pending.length > 0) {
      try {
        await work(pending.shift())
      } catch (error) {
        console.error('[receiver] work failed:', error)
      }
    }
    draining = false
  }
  return {
    push(event) {
      if (seen.has(event.id)) return
      seen.add(event.id)
      if (seen.size > 10_000) seen.delete(seen.values().next().value)
      pending.push(event)
      if (!draining) setTimeout(drain, 0)
    },
  }
}

function logEvent(event) {
  console.log(`[receiver] ${event.type} ${event.id}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const token = process.env.IDAAS_WEBHOOK_TOKEN
  if (!token) {
    console.error('Set IDAAS_WEBHOOK_TOKEN to the webhook token IDaaS showed you.')
    process.exit(2)
  }
  const port = Number(process.env.PORT ?? 3000)
  const app = createApp({ token, publicUrl: process.env.IDAAS_PUBLIC_URL })
  // @hono/node-server is not a dependency of the kit: install it to run this file on Node.
  const nodeServer = '@hono/node-server'
  const { serve } = await import(nodeServer).catch(() => {
    console.error('Run "npm install @hono/node-server" to serve this app on Node.')
    process.exit(2)
  })
  serve({ fetch: app.fetch, port })
  console.log(`IDaaS receiver on http://localhost:${port}/webhooks/idaas`)
}
