import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createIdaasNodeHandler } from '../../src/index.js'
import { eventDelivery, NOW, receiverContract, sendWithFetch, TOKEN } from './contract.js'
import { listen } from './server.js'

describe('createIdaasNodeHandler on a node:http server', () => {
  receiverContract(async (options) => {
    const origin = await listen(createIdaasNodeHandler(options))
    return {
      url: `${origin}/webhooks/idaas`,
      send: (delivery) => sendWithFetch(delivery.url, delivery),
    }
  })

  it('answers 413 from Content-Length before the body arrives, and closes the connection', async () => {
    const origin = await listen(
      createIdaasNodeHandler({ token: TOKEN, now: NOW, maxBodyBytes: 100, onEvent: () => {} }),
    )
    const status = await new Promise<{
      status: number | undefined
      connection: string | undefined
    }>((resolve, reject) => {
      const request = httpRequest(
        `${origin}/`,
        { method: 'POST', headers: { 'content-length': '1000000' } },
        (response) => {
          response.resume()
          resolve({ status: response.statusCode, connection: response.headers.connection })
        },
      )
      request.on('error', reject)
      // Send only the start of the announced megabyte: the answer must not wait for the rest.
      request.write('{"id":')
    })
    expect(status).toEqual({ status: 413, connection: 'close' })
  })

  it('builds @target-uri from the Host header and the path with its query', async () => {
    const origin = await listen(
      createIdaasNodeHandler({ token: TOKEN, now: NOW, onEvent: () => {} }),
    )
    const delivery = eventDelivery(`${origin}/webhooks/idaas?tenant=a&x=%20`)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(204)
    expect((await sendWithFetch(`${origin}/webhooks/idaas?tenant=b&x=%20`, delivery)).status).toBe(
      401,
    )
  })

  it('survives a client that disconnects mid-body', async () => {
    const origin = await listen(
      createIdaasNodeHandler({ token: TOKEN, now: NOW, onEvent: () => {} }),
    )
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${origin}/`, {
        method: 'POST',
        headers: { 'content-length': '100' },
      })
      request.on('error', () => resolve())
      request.write('{"id":', () => setTimeout(() => request.destroy(), 10))
      request.on('close', () => resolve())
    })
    const delivery = eventDelivery(`${origin}/`)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(204)
  })
})
