// BROKEN ON PURPOSE: parses and validates the event but never checks the signature, so anyone
// who knows the URL can post events (IDaaS sends from no fixed IP address: the signature is the
// only proof of origin, docs/idaas-webhooks.md §7.3). `idaas-webhook-kit verify` catches it with
// rejects-missing-signature, rejects-wrong-token, rejects-tampered-body and rejects-stale-signature.
//
// The fix: createIdaasNodeHandler() (see examples/node-http/server.mjs) verifies before parsing.
import { createServer } from 'node:http'
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
