// A reference IDaaS webhook receiver on Express (4 or 5).
//
//   IDAAS_WEBHOOK_TOKEN=whsec_… node examples/express/server.mjs
//   npx idaas-webhook-kit verify http://localhost:3000/webhooks/idaas
//
// The one rule that matters with Express: the IDaaS middleware must see the raw request, so the
// webhook route comes before `express.json()` (or use `express.raw({ type: '*/*' })` on it).
// Re-serialized JSON never matches the signature: `idaas-webhook-kit verify` catches that with
// the check verifies-raw-body.

import { pathToFileURL } from 'node:url'
import express from 'express'
import { idaasExpressMiddleware } from 'idaas-webhook-kit'

/**
 * The receiver as an Express app (not listening yet).
 * @param {{ token: string, publicUrl?: string, work?: (event: { id: string, type: string }) => unknown }} options
 */
export function createApp({ token, publicUrl, work = logEvent }) {
  const queue = createQueue(work)
  const app = express()
  app.post(
    '/webhooks/idaas',
    // Verifies the raw bytes and validates the event (tolerant: unknown types and fields pass).
    idaasExpressMiddleware({ token, ...(publicUrl ? { publicUrl } : {}) }),
    (request, response) => {
      if (response.locals.idaas.known) queue.push(request.body) // the verified event
      response.sendStatus(204) // at once: IDaaS waits 3 s at most
    },
  )
  app.use(express.json()) // the rest of the app parses JSON as usual
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
  createApp({ token, publicUrl: process.env.IDAAS_PUBLIC_URL }).listen(port, () => {
    console.log(`IDaaS receiver on http://localhost:${port}/webhooks/idaas`)
  })
}
