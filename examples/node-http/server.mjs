// A reference IDaaS webhook receiver on node:http, with no framework.
//
//   IDAAS_WEBHOOK_TOKEN=whsec_… node examples/node-http/server.mjs
//   npx idaas-webhook-kit verify http://localhost:3000/webhooks/idaas   # same token in IDAAS_WEBHOOK_TOKEN
//
// What it gets right (and what `idaas-webhook-kit verify` checks):
// - the signature is verified over the raw bytes, before anything parses them;
// - it answers 204 at once and does the work afterwards: IDaaS waits 3 s at most;
// - it answers 2xx to a redelivery (same envelope id) and does the work once;
// - unknown event types and fields are accepted (a 4xx counts toward disabling the webhook);
// - behind a proxy or tunnel, IDAAS_PUBLIC_URL is the URL registered in IDaaS (the signed @target-uri).
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { createIdaasNodeHandler } from 'idaas-webhook-kit'

/**
 * The receiver as a `node:http` server (not listening yet).
 * @param {{ token: string, publicUrl?: string, work?: (event: { id: string, type: string }) => unknown }} options
 */
export function createReceiver({ token, publicUrl, work = logEvent }) {
  const queue = createQueue(work)
  const idaas = createIdaasNodeHandler({
    token,
    ...(publicUrl ? { publicUrl } : {}),
    onEvent: (event) => queue.push(event),
    // Types the kit does not know yet: answer 204 and ignore them (or queue them too).
    onUnknownEvent: () => {},
  })
  return createServer((request, response) => {
    if (request.url?.split('?')[0] === '/webhooks/idaas') return idaas(request, response)
    response.writeHead(404).end()
  })
}

/** A tiny in-memory queue: each envelope id is taken once, work runs after the 204. */
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
      if (seen.has(event.id)) return // a redelivery (A6): already queued
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
  createReceiver({ token, publicUrl: process.env.IDAAS_PUBLIC_URL }).listen(port, () => {
    console.log(`IDaaS receiver on http://localhost:${port}/webhooks/idaas`)
  })
}
