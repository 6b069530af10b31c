// BROKEN ON PURPOSE: the most common webhook receiver bug. express.json() parses the body, and
// the signature is then checked over JSON.stringify(req.body) instead of the bytes that arrived.
// Compact JSON happens to re-serialize to the same bytes, so it seems to work; escaped unicode,
// whitespace, key order or "2.0" do not, and those deliveries are refused with 401.
// `idaas-webhook-kit verify` catches it with verifies-raw-body.
//
//   IDAAS_WEBHOOK_TOKEN=whsec_… PORT=3000 node examples/broken/reserializing.mjs
//
// The fix: verify the raw bytes (see examples/express/server.mjs).
import { pathToFileURL } from 'node:url'
import express from 'express'
import { verifyDelivery } from 'idaas-webhook-kit'

/** @param {{ token: string }} options */
export function createApp({ token }) {
  const app = express()
  app.use(express.json({ type: '*/*' }))
  app.post('/webhooks/idaas', async (request, response) => {
    const result = await verifyDelivery(
      {
        method: request.method,
        url: `${request.protocol}://${request.get('host')}${request.originalUrl}`,
        headers: request.headers,
        body: JSON.stringify(request.body), // the bug: not the bytes that arrived
      },
      { token },
    )
    if (!result.ok) return response.status(401).json({ error: result.reason })
    response.sendStatus(204)
  })
  return app
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const token = process.env.IDAAS_WEBHOOK_TOKEN
  if (!token) {
    console.error('Set IDAAS_WEBHOOK_TOKEN to the webhook token IDaaS showed you.')
    process.exit(2)
  }
  const port = Number(process.env.PORT ?? 3000)
  const server = createApp({ token }).listen(port, () => {
    console.log(
      `Broken IDaaS receiver (reserializing) on http://localhost:${server.address().port}/webhooks/idaas`,
    )
  })
}
