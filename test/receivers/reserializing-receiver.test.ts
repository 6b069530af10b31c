import express from 'express'
import { describe, expect, it } from 'vitest'
import { verifyDelivery } from '../../src/index.js'
import {
  createSignedDelivery,
  createTrickyDeliveries,
  TRICKY_BODY_EVENT,
} from '../../src/testing.js'
import { listen } from '../support/listen.js'
import { CREATED, NOW, sendWithFetch, TOKEN } from './contract.js'

/**
 * The most common receiver bug: parse with express.json(), then hash
 * JSON.stringify(req.body) instead of the bytes that arrived. Written here on purpose, to prove
 * that the byte-tricky bodies catch it.
 */
async function startReserializingReceiver(): Promise<string> {
  const app = express()
  app.use(express.json({ type: '*/*' }))
  app.post('/webhooks/idaas', async (req, res) => {
    const result = await verifyDelivery(
      {
        method: req.method,
        url: `http://${req.headers.host}${req.originalUrl}`,
        headers: req.headers,
        body: JSON.stringify(req.body),
      },
      { token: TOKEN, now: NOW },
    )
    res.status(result.ok ? 204 : 401).json(result.ok ? undefined : { error: result.reason })
  })
  return listen(app)
}

describe('a receiver that re-serializes the JSON before verifying', () => {
  it('accepts a compact JSON.stringify body, so its rejections below are caused by the bytes', async () => {
    const origin = await startReserializingReceiver()
    const url = `${origin}/webhooks/idaas`
    const control = createSignedDelivery({
      url,
      body: JSON.stringify(TRICKY_BODY_EVENT),
      token: TOKEN,
      created: CREATED,
    })
    expect((await sendWithFetch(url, control)).status).toBe(204)
  })

  it('rejects every byte-tricky body with a digest mismatch', async () => {
    const origin = await startReserializingReceiver()
    const url = `${origin}/webhooks/idaas`
    const deliveries = createTrickyDeliveries({ url, token: TOKEN, created: CREATED })
    expect(deliveries).toHaveLength(9)
    for (const delivery of deliveries) {
      const answer = await sendWithFetch(url, delivery)
      expect(answer.status, delivery.id).toBe(401)
      expect(JSON.parse(answer.text), delivery.id).toEqual({ error: 'digest-mismatch' })
    }
  })
})
