// BROKEN ON PURPOSE: parses and validates the event but never checks the signature, so anyone
// who knows the URL can post events. The signature is the only proof of origin: Entrust says
// "outbound webhook connections are not necessarily sent from a dedicated IP address"
// (https://docs.trustedauth.com/developer/webhook/webhook-signature-verification/).
// `idaas-webhook-kit verify` fails it with rejects-missing-signature, rejects-wrong-token and
// rejects-tampered-body, and warns with rejects-stale-signature.
//
//   PORT=3000 node examples/broken/accepts-forgeries.mjs
//
// The fix: createIdaasNodeHandler() (see examples/node-http/server.mjs) verifies before parsing.
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { validateEvent } from 'idaas-webhook-kit'

export function createReceiver() {
  return createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      let event
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        return response.writeHead(400).end()
      }
      // The bug: no verifyDelivery(), so a forged or tampered delivery is taken as it comes.
      response.writeHead(validateEvent(event).ok ? 204 : 400).end()
    })
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 3000)
  const server = createReceiver().listen(port, () => {
    console.log(
      `Broken IDaaS receiver (accepts forgeries) on http://localhost:${server.address().port}/webhooks/idaas`,
    )
  })
}
