import Fastify from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { idaasFastifyPlugin } from '../../src/index.js'
import { eventDelivery, NOW, receiverContract, sendWithFetch, TOKEN } from './contract.js'

async function fastifyApp(options: Parameters<typeof idaasFastifyPlugin>[1]) {
  const app = Fastify()
  onTestFinished(() => app.close())
  await app.register(idaasFastifyPlugin, { ...options, path: '/webhooks/idaas' })
  app.post('/other', async (request) => ({ parsedByFastify: request.body }))
  await app.ready()
  return app
}

describe('idaasFastifyPlugin, in process with app.inject()', () => {
  receiverContract(
    async (options) => {
      const app = await fastifyApp(options)
      return {
        url: 'http://localhost:80/webhooks/idaas',
        send: async (delivery) => {
          const response = await app.inject({
            method: delivery.method as 'POST',
            url: '/webhooks/idaas',
            headers: { ...delivery.headers, host: 'localhost:80' },
            payload: typeof delivery.body === 'string' ? delivery.body : Buffer.from(delivery.body),
          })
          return {
            status: response.statusCode,
            headers: new Headers(response.headers as Record<string, string>),
            text: response.body,
          }
        },
      }
    },
    { methodCheck: false },
  )
})

describe('idaasFastifyPlugin on a real server', () => {
  it('verifies deliveries on 127.0.0.1 and keeps the JSON parser for the rest of the app', async () => {
    const app = await fastifyApp({ token: TOKEN, now: NOW, onEvent: () => {} })
    const origin = await app.listen({ port: 0, host: '127.0.0.1' })
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(204)
    expect(
      (await sendWithFetch(delivery.url, { ...delivery, body: `${delivery.body} ` })).status,
    ).toBe(401)
    const other = await fetch(`${origin}/other`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    expect(await other.json()).toEqual({ parsedByFastify: { a: 1 } })
  })

  it('accepts a delivery without Content-Type, since the signature does not cover it', async () => {
    const app = await fastifyApp({ token: TOKEN, now: NOW, onEvent: () => {} })
    const delivery = eventDelivery('http://localhost:80/webhooks/idaas')
    const headers: Record<string, string> = { ...delivery.headers, host: 'localhost:80' }
    delete headers['Content-Type']
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/idaas',
      headers,
      payload: delivery.body,
    })
    expect(response.statusCode).toBe(204)
  })
})
