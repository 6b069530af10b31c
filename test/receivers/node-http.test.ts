import { request as httpRequest } from 'node:http'
import { describe, expect, it, vi } from 'vitest'
import { createIdaasNodeHandler, isKitError } from '../../src/index.js'
import { listen } from '../support/listen.js'
import { eventDelivery, NOW, receiverContract, sendWithFetch, TOKEN } from './contract.js'

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

  it('answers 400 "bad-request", without echoing it, to a Host header that forms no URL', async () => {
    const origin = await listen(
      createIdaasNodeHandler({ token: TOKEN, now: NOW, onEvent: () => {} }),
    )
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    const answer = await new Promise<{ status: number | undefined; text: string }>(
      (resolve, reject) => {
        const request = httpRequest(
          `${origin}/webhooks/idaas`,
          { method: 'POST', headers: { ...delivery.headers, host: 'bad host' } },
          (response) => {
            let text = ''
            response.setEncoding('utf8')
            response.on('data', (chunk: string) => {
              text += chunk
            })
            response.on('end', () => resolve({ status: response.statusCode, text }))
          },
        )
        request.on('error', reject)
        request.end(delivery.body)
      },
    )
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.text)).toEqual({
      error: 'bad-request',
      message:
        '[idaas-webhook-kit] Failed to receive delivery: the "Host" header does not form a valid request URL.',
    })
  })

  it('answers 500 and reports the error when something other than the body stream fails', async () => {
    const onError = vi.fn()
    const failure = new Error('publicUrl lookup failed')
    const origin = await listen(
      createIdaasNodeHandler({
        token: TOKEN,
        now: NOW,
        publicUrl: () => {
          throw failure
        },
        onError,
        onEvent: () => {},
      }),
    )
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(500)
    expect(onError).toHaveBeenCalledWith(failure)
  })

  it.each([
    [
      { validation: 'lenient' },
      'Invalid option "validation": expected "tolerant" or "strict", got string "lenient".',
    ],
    [
      { maxBodyBytes: -1 },
      'Invalid option "maxBodyBytes": expected a whole number of bytes, got "-1".',
    ],
  ])('refuses %j at creation with a KitError naming the option', (bad, message) => {
    let error: unknown
    try {
      createIdaasNodeHandler({ token: TOKEN, onEvent: () => {}, ...(bad as object) })
    } catch (caught) {
      error = caught
    }
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toBe(`[idaas-webhook-kit] ${message}`)
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
