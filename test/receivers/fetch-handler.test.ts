import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createIdaasWebhookHandler } from '../../src/index.js'
import { eventDelivery, NOW, receiverContract, TOKEN, toAnswer } from './contract.js'

describe('createIdaasWebhookHandler as a Fetch API handler (Next.js route handlers, Bun, Deno, Workers)', () => {
  receiverContract(async (options) => {
    // What a Next.js app exports from app/webhooks/idaas/route.ts.
    const POST = createIdaasWebhookHandler(options)
    const url = 'https://receiver.example.com/webhooks/idaas'
    return {
      url,
      send: async (delivery) =>
        toAnswer(
          await POST(
            new Request(delivery.url, {
              method: delivery.method,
              headers: delivery.headers,
              body: delivery.method === 'GET' ? null : delivery.body,
            }),
          ),
        ),
    }
  })

  it('rejects a request whose body was already read, as a misconfiguration', async () => {
    const handler = createIdaasWebhookHandler({ token: TOKEN, now: NOW, onEvent: () => {} })
    const delivery = eventDelivery('https://receiver.example.com/webhooks/idaas')
    const request = new Request(delivery.url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    })
    await request.json()
    const answer = await toAnswer(await handler(request))
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'receiver-misconfigured' })
  })

  it('stops reading a streamed body without Content-Length once it passes the limit', async () => {
    const handler = createIdaasWebhookHandler({
      token: TOKEN,
      now: NOW,
      maxBodyBytes: 10,
      onEvent: () => {},
    })
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(8))
      },
    })
    const request = new Request('https://receiver.example.com/', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit)
    expect((await handler(request)).status).toBe(413)
    expect(pulled).toBeLessThan(5)
  })
})

describe('createIdaasWebhookHandler in a Hono app', () => {
  receiverContract(
    async (options) => {
      const app = new Hono()
      const handler = createIdaasWebhookHandler(options)
      app.post('/webhooks/idaas', (c) => handler(c.req.raw))
      const url = 'http://localhost/webhooks/idaas'
      return {
        url,
        send: async (delivery) =>
          toAnswer(
            await app.request(delivery.url, {
              method: delivery.method,
              headers: delivery.headers,
              body: delivery.body,
            }),
          ),
      }
    },
    { methodCheck: false },
  )
})
