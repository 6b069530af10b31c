// BROKEN ON PURPOSE: validates events in strict mode, so an event type or a field that IDaaS adds
// later is refused with 400, and every such 4xx counts toward IDaaS disabling the webhook after
// 100 consecutive failures (A15). `idaas-webhook-kit verify` catches it with
// tolerates-unknown-event-type and tolerates-unknown-fields (and verifies-raw-body, whose
// reordered-keys body carries an unknown field).
//
//   IDAAS_WEBHOOK_TOKEN=whsec_… PORT=3000 node examples/broken/strict-schema.mjs
//
// The fix: the default, tolerant validation (see examples/node-http/server.mjs).
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { createIdaasNodeHandler } from 'idaas-webhook-kit'

/** @param {{ token: string }} options */
export function createReceiver({ token }) {
  return createServer(createIdaasNodeHandler({ token, validation: 'strict', onEvent: () => {} }))
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
      `Broken IDaaS receiver (strict schema) on http://localhost:${server.address().port}/webhooks/idaas`,
    )
  })
}
