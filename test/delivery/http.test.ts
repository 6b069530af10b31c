// Real sockets: a node:http receiver and node:https receivers with a self-signed certificate, all
// on 127.0.0.1 port 0. No MSW here: MSW intercepts requests before any socket, so no TLS handshake.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type ServerOptions } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../src/capture/certificate.js'
import { type DeliveryReport, type FetchLike, verifyDelivery } from '../../src/index.js'
import { createIdaasTenant, deliver } from '../../src/testing.js'
import { userCreated } from './support.js'

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void

interface Received {
  body: string
  protocol: string | null
}

const servers: Server[] = []

async function listen(server: Server): Promise<string> {
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return String((server.address() as AddressInfo).port)
}

function withBody(handler: Handler, received: Received[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const socket = req.socket as Partial<TLSSocket>
      received.push({ body: body.toString('utf8'), protocol: socket.getProtocol?.() ?? null })
      handler(req, body, res)
    })
  }
}

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
})

describe('delivery to a real node:http receiver on 127.0.0.1', () => {
  const received: Received[] = []
  let port = ''
  const token = { current: '' }
  let tenantNow: () => number = Date.now

  beforeAll(async () => {
    port = await listen(
      createServer(
        withBody(async (req, body, res) => {
          const result = await verifyDelivery(
            {
              method: req.method ?? '',
              url: `http://127.0.0.1:${port}${req.url}`,
              headers: req.headers,
              body,
            },
            { token: token.current, now: tenantNow },
          )
          if (!result.ok) {
            res.writeHead(401).end(result.reason)
            return
          }
          res.writeHead(req.url === '/fail' ? 503 : 204).end()
        }, received),
      ),
    )
  })

  it('delivers a signed event the receiver verifies from the raw bytes', async () => {
    const tenant = createIdaasTenant()
    tenantNow = tenant.now
    const hook = tenant.webhooks.create({
      name: 'local',
      callbackUrl: `http://127.0.0.1:${port}/hooks`,
      events: [{ type: 'user.created' }],
    })
    token.current = hook.token
    const event = userCreated()
    const [report] = await tenant.emit(event)

    expect(report).toMatchObject({
      result: 'delivered',
      attempts: [{ outcome: 'success', status: 204 }],
    })
    expect(JSON.parse(received.at(-1)?.body ?? '')).toEqual(event)
  })

  it('retries a real 503 three times in virtual time', async () => {
    const tenant = createIdaasTenant()
    tenantNow = tenant.now
    const hook = tenant.webhooks.create({
      name: 'failing',
      callbackUrl: `http://127.0.0.1:${port}/fail`,
      events: [],
    })
    token.current = hook.token
    const before = received.length
    const wall = performance.now()
    const [report] = await tenant.emit(userCreated())

    expect(report?.attempts.map((a) => a.status)).toEqual([503, 503, 503])
    expect(received.length - before).toBe(3)
    expect(performance.now() - wall).toBeLessThan(2000)
  })

  it('marks a refused connection as a network error, not retried', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const closedPort = (closed.address() as AddressInfo).port
    closed.close()
    await once(closed, 'close')

    const report = await deliver(userCreated(), {
      url: `http://127.0.0.1:${closedPort}/hooks`,
      token: 't',
    })
    expect(report.attempts).toEqual([
      expect.objectContaining({ outcome: 'network', errorCode: 'ECONNREFUSED' }),
    ])
  })
})

describe('delivery to real HTTPS receivers with a self-signed certificate', () => {
  let certificate = ''
  let key = ''
  let agent: Agent | undefined
  let trustingFetch: FetchLike = fetch
  const received: Received[] = []
  const urls = { modern: '', tls12: '', legacy: '' }

  const httpsReceiver = (options: ServerOptions) =>
    createHttpsServer(
      { key, cert: certificate, ...options },
      withBody((_req, _body, res) => res.writeHead(200).end('ok'), received),
    ) as unknown as Server

  beforeAll(async () => {
    ;({ cert: certificate, key } = await createSelfSignedCertificate())
    // Node 20's global fetch takes no `ca`; an undici Agent as `dispatcher` carries it.
    agent = new Agent({ connect: { ca: certificate } })
    const dispatcher = agent
    trustingFetch = (input, init) => fetch(input, { ...init, dispatcher } as RequestInit)
    urls.modern = `https://127.0.0.1:${await listen(httpsReceiver({ minVersion: 'TLSv1.2' }))}/hooks`
    urls.tls12 = `https://127.0.0.1:${await listen(httpsReceiver({ maxVersion: 'TLSv1.2' }))}/hooks`
    // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; level 0 re-enables them.
    urls.legacy = `https://127.0.0.1:${await listen(
      httpsReceiver({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    )}/hooks`
  })

  afterAll(async () => {
    await agent?.close()
  })

  const send = (
    url: string,
    options: Parameters<typeof deliver>[2] = {},
  ): Promise<DeliveryReport> =>
    deliver(userCreated(), { url, token: 'whsec_tls' }, { fetch: trustingFetch, ...options })

  it('delivers over TLS 1.3 to a receiver that trusts our CA and records the probed version', async () => {
    const report = await send(urls.modern, { tls: { probe: true, ca: certificate } })
    expect(report.attempts).toEqual([
      expect.objectContaining({ outcome: 'success', status: 200, tlsProtocol: 'TLSv1.3' }),
    ])
    expect(received.at(-1)?.protocol).toBe('TLSv1.3')
  })

  it('delivers over TLS 1.2 to a receiver that offers no more', async () => {
    const report = await send(urls.tls12, { tls: { probe: true, ca: certificate } })
    expect(report.attempts[0]).toMatchObject({ outcome: 'success', tlsProtocol: 'TLSv1.2' })
    expect(received.at(-1)?.protocol).toBe('TLSv1.2')
  })

  it('marks a receiver that only speaks TLS 1.1 as a tls failure, not retried', async () => {
    const viaFetch = await send(urls.legacy)
    expect(viaFetch.attempts).toEqual([
      expect.objectContaining({
        outcome: 'tls',
        errorCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
      }),
    ])
    const viaNodeHttp = await deliver(userCreated(), { url: urls.legacy, token: 'whsec_tls' })
    expect(viaNodeHttp.attempts).toEqual([
      expect.objectContaining({
        outcome: 'tls',
        errorCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
      }),
    ])
    const viaProbe = await send(urls.legacy, { tls: { probe: true, ca: certificate } })
    expect(viaProbe.attempts).toEqual([
      expect.objectContaining({
        outcome: 'tls',
        errorCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
      }),
    ])
    expect(viaProbe.attempts[0]?.error).toMatch(/^TLS probe: /)
  })

  it('marks an untrusted self-signed certificate as a tls failure with node:http and with fetch', async () => {
    const viaNodeHttp = await deliver(userCreated(), { url: urls.modern, token: 'whsec_tls' })
    const viaFetch = await deliver(
      userCreated(),
      { url: urls.modern, token: 'whsec_tls' },
      { fetch: (input, init) => fetch(input, init) },
    )
    for (const report of [viaNodeHttp, viaFetch]) {
      expect(report.attempts).toEqual([
        expect.objectContaining({ outcome: 'tls', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      ])
    }
  })
})
