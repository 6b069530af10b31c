// BROKEN ON PURPOSE: written from IDaaS's in-product help page ("Each webhook event will have an
// x-sha2-signature header"), it checks only that older header: the hex HMAC-SHA256 of the raw
// body, keyed with the token, compared in constant time. IDaaS's current profile signs with
// RFC 9421 (Content-Digest, Signature-Input, Signature) instead, so this receiver answers 401 to
// every current delivery, and IDaaS disables the webhook after 100 consecutive failures.
// `idaas-webhook-kit verify` fails it with accepts-every-event-type (and every check that needs a
// 2xx) and says why; `verify --schemes x-sha2` passes it, skipping rejects-stale-signature.
//
//   IDAAS_WEBHOOK_TOKEN=whsec_... PORT=3000 node examples/broken/older-header-only.mjs
//
// The fix: createIdaasNodeHandler({ token, schemes: ['rfc9421', 'x-sha2'] }) while migrating
// (see examples/node-http/server.mjs), then drop 'x-sha2' once no delivery carries it alone.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'

export function createReceiver({ token }) {
  return createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      const received = String(request.headers['x-sha2-signature'] ?? '').trim()
      const expected = createHmac('sha256', token).update(body).digest('hex')
      // The bug: no other signature is looked at, so every RFC 9421 delivery gets 401.
      const valid =
        /^[0-9a-f]{64}$/i.test(received) &&
        timingSafeEqual(Buffer.from(received.toLowerCase(), 'hex'), Buffer.from(expected, 'hex'))
      response.writeHead(valid ? 204 : 401).end()
    })
  })
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
      `Broken IDaaS receiver (older x-sha2-signature header only) on http://localhost:${server.address().port}/webhooks/idaas`,
    )
  })
}
