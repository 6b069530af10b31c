// A reference IDaaS webhook receiver on Fastify 5.
//
//   IDAAS_WEBHOOK_TOKEN=whsec_… node examples/fastify/server.mjs
//   npx idaas-webhook-kit verify http://localhost:3000/webhooks/idaas
//
// The plugin adds the POST route in its own encapsulated context with a parser that keeps the
// raw bytes; the rest of the app keeps Fastify's JSON parser. Behind a proxy, set Fastify's
// `trustProxy` or IDAAS_PUBLIC_URL so that the signed @target-uri can be rebuilt.

import { pathToFileURL } from 'node:url'
import Fastify from 'fastify'
import { idaasFastifyPlugin } from 'idaas-webhook-kit'

/**
 * The receiver as a Fastify instance (ready, not listening yet).
 * @param {{ token: string, publicUrl?: string, work?: (event: { id: string, type: string }) => unknown }} options
 */
export async function createApp({ token, publicUrl, work = logEvent }) {
  const queue = createQueue(work)
  const app = Fastify()
  await app.register(idaasFastifyPlugin, {
    path: '/webhooks/idaas',
    token,
    ...(publicUrl ? { publicUrl } : {}),
    onEvent: (event) => queue.push(event), // then 204 at once: IDaaS waits 3 s at most
  })
  await app.ready()
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
  const app = await createApp({ token, publicUrl: process.env.IDAAS_PUBLIC_URL })
  await app.listen({ port })
  console.log(`IDaaS receiver on http://localhost:${port}/webhooks/idaas`)
}
