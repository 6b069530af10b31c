import express from 'express'
import { describe, expect, it } from 'vitest'
import { type IdaasExpressLocals, idaasExpressMiddleware } from '../../src/index.js'
import { createEvent } from '../../src/testing.js'
import { listen } from '../support/listen.js'
import { eventDelivery, NOW, receiverContract, sendWithFetch, TOKEN } from './contract.js'

describe('idaasExpressMiddleware with onEvent, mounted before express.json()', () => {
  receiverContract(async (options) => {
    const app = express()
    app.use('/webhooks/idaas', idaasExpressMiddleware(options))
    app.use(express.json())
    const origin = await listen(app)
    return {
      url: `${origin}/webhooks/idaas`,
      send: (delivery) => sendWithFetch(delivery.url, delivery),
    }
  })
})

describe('idaasExpressMiddleware without onEvent', () => {
  const start = async (setup: (app: express.Express) => void) => {
    const app = express()
    setup(app)
    app.use(express.json())
    app.post('/other', (req, res) => {
      res.json({ parsedByExpressJson: req.body })
    })
    return listen(app)
  }

  it('replaces req.body with the verified event and calls the next handler', async () => {
    const seen: unknown[] = []
    const origin = await start((app) => {
      app.post(
        '/webhooks/idaas',
        idaasExpressMiddleware({ token: TOKEN, now: NOW }),
        (req, res) => {
          seen.push(req.body, (res.locals.idaas as IdaasExpressLocals).context.signature.created)
          res.sendStatus(202)
        },
      )
    })
    const event = createEvent('magiclink.email.sent')
    const delivery = eventDelivery(`${origin}/webhooks/idaas`, event)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(202)
    expect(seen).toEqual([event, 1773682385])
  })

  it('answers 401 itself and never calls the next handler for a bad signature', async () => {
    let called = false
    const origin = await start((app) => {
      app.post(
        '/webhooks/idaas',
        idaasExpressMiddleware({ token: TOKEN, now: NOW }),
        (_req, res) => {
          called = true
          res.sendStatus(204)
        },
      )
    })
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    const answer = await sendWithFetch(delivery.url, { ...delivery, body: `${delivery.body} ` })
    expect(answer.status).toBe(401)
    expect(called).toBe(false)
  })

  it('uses the full original URL when mounted on a router under a prefix', async () => {
    const origin = await start((app) => {
      const router = express.Router()
      router.post('/idaas', idaasExpressMiddleware({ token: TOKEN, now: NOW, onEvent: () => {} }))
      app.use('/webhooks', router)
    })
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(204)
  })

  it('leaves the rest of the app to express.json()', async () => {
    const origin = await start((app) => {
      app.use(
        '/webhooks/idaas',
        idaasExpressMiddleware({ token: TOKEN, now: NOW, onEvent: () => {} }),
      )
    })
    const response = await fetch(`${origin}/other`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a": 1}',
    })
    expect(await response.json()).toEqual({ parsedByExpressJson: { a: 1 } })
  })

  it('uses the Buffer express.raw() leaves in req.body', async () => {
    const app = express()
    app.post(
      '/webhooks/idaas',
      express.raw({ type: '*/*' }),
      idaasExpressMiddleware({ token: TOKEN, now: NOW, onEvent: () => {} }),
    )
    const origin = await listen(app)
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(204)
    expect(
      (await sendWithFetch(delivery.url, { ...delivery, body: `${delivery.body}\n` })).status,
    ).toBe(401)
  })

  it('uses the raw Buffer kept by express.json({ verify })', async () => {
    const app = express()
    app.use(
      express.json({
        verify: (req, _res, buffer) => {
          ;(req as unknown as { rawBody: Buffer }).rawBody = buffer
        },
      }),
    )
    app.post(
      '/webhooks/idaas',
      idaasExpressMiddleware({ token: TOKEN, now: NOW, onEvent: () => {} }),
    )
    const origin = await listen(app)
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    expect((await sendWithFetch(delivery.url, delivery)).status).toBe(204)
  })

  it('answers 500 with the fix when express.json() already parsed the body', async () => {
    const app = express()
    app.use(express.json())
    app.post(
      '/webhooks/idaas',
      idaasExpressMiddleware({ token: TOKEN, now: NOW, onEvent: () => {} }),
    )
    const origin = await listen(app)
    const delivery = eventDelivery(`${origin}/webhooks/idaas`)
    const answer = await sendWithFetch(delivery.url, delivery)
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.text)).toEqual({
      error: 'receiver-misconfigured',
      message:
        "[idaas-webhook-kit] Failed to receive delivery: a body parser (such as express.json()) already parsed the body, so its raw bytes cannot be verified. Mount the IDaaS middleware before express.json(), or use express.raw({ type: '*/*' }).",
    })
  })
})
