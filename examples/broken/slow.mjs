// BROKEN ON PURPOSE: provisions the new user before answering, so a "user.created" delivery
// takes longer than IDaaS's 3 s deadline and IDaaS marks the attempt failed. Entrust does not say
// whether a timeout is retried; the kit assumes (A7) it is not, so the event would be lost.
// `idaas-webhook-kit verify` catches it with responds-in-time (and accepts-every-event-type,
// handles-burst, tolerates-unknown-fields, which send "user.created").
//
//   IDAAS_WEBHOOK_TOKEN=whsec_… PORT=3000 node examples/broken/slow.mjs
//
// The fix: answer 204 first and do the work afterwards (see examples/node-http/server.mjs).
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { createIdaasNodeHandler } from 'idaas-webhook-kit'

/** @param {{ token: string, delayMs?: number }} options */
export function createReceiver({ token, delayMs = 3500 }) {
  return createServer(
    createIdaasNodeHandler({
      token,
      onEvent: async (event) => {
        if (event.type === 'user.created') await sleep(delayMs) // "provision the user" inline: the bug
      },
    }),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const token = process.env.IDAAS_WEBHOOK_TOKEN
  if (!token) {
    console.error('Set IDAAS_WEBHOOK_TOKEN to the webhook token IDaaS showed you.')
    process.exit(2)
  }
  const port = Number(process.env.PORT ?? 3000)
  const server = createReceiver({ token }).listen(port, () => {
    console.log(
      `Broken IDaaS receiver (slow) on http://localhost:${server.address().port}/webhooks/idaas`,
    )
  })
}
