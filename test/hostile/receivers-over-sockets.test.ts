import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../src/capture/certificate.js'
import { deliver } from '../../src/delivery/engine.js'
import { createDeliveryPolicy } from '../../src/delivery/policy.js'
import { createEvent } from '../../src/schema/factories.js'
import { verifyReceiver } from '../../src/verify/run-contract.js'

/** A short deadline keeps the stalling receivers quick; the outcome is what is asserted. */
const DEADLINE_MS = 500
const policy = createDeliveryPolicy({ deadlineMs: DEADLINE_MS })
const token = 'whsec_hostile_receivers'
const event = () => createEvent('user.created', {}, { seed: 11 })

const SOCKET_KINDS = new Set(['TCPSocketWrap', 'TLSWrap', 'TCPServerWrap', 'PipeWrap'])
const openSockets = () =>
  process.getActiveResourcesInfo().filter((kind) => SOCKET_KINDS.has(kind)).length

/**
 * Waits (up to 2 s, polling) until no more sockets are open than `baseline`, and returns the
 * count: a client socket closes a moment after the server's FIN, so it is not read at once.
 */
async function socketsLeftOpen(baseline: number): Promise<number> {
  for (let i = 0; i < 40 && openSockets() > baseline; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return openSockets() - baseline
}

interface Hostile {
  origin: string
  /** How many connections (raw servers) or requests (HTTP servers) it got. */
  readonly hits: number
  close(): Promise<void>
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
    ;(server as HttpServer).closeAllConnections?.()
  })
}

/** A raw TCP peer: `onData` sees each connection's first bytes (the request head). */
async function rawPeer(onData: (socket: Socket) => void): Promise<Hostile> {
  const sockets = new Set<Socket>()
  let hits = 0
  const server = createNetServer((socket) => {
    hits++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.once('data', () => onData(socket))
  })
  return started(
    server,
    'http',
    () => hits,
    () => {
      for (const socket of sockets) socket.destroy()
    },
  )
}

async function started(
  server: Server,
  protocol: 'http' | 'https',
  hits: () => number,
  beforeClose: () => void = () => {},
): Promise<Hostile> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    origin: `${protocol}://127.0.0.1:${port}`,
    get hits() {
      return hits()
    },
    close() {
      beforeClose()
      return closeServer(server)
    },
  }
}

const peers: Record<string, () => Promise<Hostile>> = {
  'resets the connection mid-answer': () =>
    rawPeer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":')
      setTimeout(() => socket.resetAndDestroy(), 20)
    }),
  'answers with a malformed status line': () =>
    rawPeer((socket) => socket.end('HTTP/1.1 TWO HUNDRED\r\n\x00\x01garbage\r\n\r\n')),
  'answers with garbage bytes': () =>
    rawPeer((socket) => socket.end(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a, 0x0d, 0x0a]))),
  'sends the headers, then stalls': () =>
    rawPeer((socket) => socket.write('HTTP/1.1 204 No Content\r\nX-Stall: 1\r\n')),
  'sends a body that never ends': () =>
    rawPeer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n{')),
  'closes without answering': () => rawPeer((socket) => socket.destroy()),
}

const expected: Record<string, string> = {
  'resets the connection mid-answer': 'network',
  'answers with a malformed status line': 'network',
  'answers with garbage bytes': 'network',
  'sends the headers, then stalls': 'timeout',
  'sends a body that never ends': 'timeout',
  'closes without answering': 'network',
}

let baseline = 0
beforeAll(() => {
  baseline = openSockets()
})

const cases = Object.entries(peers).map(([name, start]) => ({
  name,
  start,
  outcome: expected[name],
}))

describe.each(cases)('a receiver that $name', ({ name, start }) => {
  it(`ends the delivery with one ${expected[name]} attempt and leaves no socket open`, async () => {
    const peer = await start()
    const report = await deliver(event(), { url: `${peer.origin}/hooks`, token }, { policy })
    expect(report.result).toBe('failed')
    // Only 5xx is retried (documented), so one attempt, and one connection.
    expect(report.attempts.map((a) => a.outcome)).toEqual([expected[name]])
    expect(peer.hits).toBe(1)
    await peer.close()
    expect(await socketsLeftOpen(baseline)).toBe(0)
  })

  it(`fails verifyReceiver's first delivery check as ${expected[name]}, and leaves no socket open`, async () => {
    const peer = await start()
    const report = await verifyReceiver(
      { url: `${peer.origin}/hooks` },
      { token, only: ['accepts-every-event-type'], timeoutMs: DEADLINE_MS },
    )
    expect(report.ok).toBe(false)
    const check = report.checks.find((c) => c.id === 'accepts-every-event-type')
    expect(check?.ok).toBe(false)
    expect(JSON.stringify(check?.details)).toContain(`"outcome":"${expected[name]}"`)
    await peer.close()
    expect(await socketsLeftOpen(baseline)).toBe(0)
  })
})

describe('a receiver that redirects to itself forever', () => {
  async function redirecting(): Promise<Hostile> {
    let hits = 0
    const server = createHttpServer((req, res) => {
      hits++
      req.resume()
      res.writeHead(307, { location: '/hooks' }).end()
    })
    return started(server, 'http', () => hits)
  }

  it('gets exactly one request per attempt: the 3xx is a failure, never followed (A7)', async () => {
    const peer = await redirecting()
    const report = await deliver(event(), { url: `${peer.origin}/hooks`, token }, { policy })
    expect(report.attempts.map((a) => [a.outcome, a.status])).toEqual([['redirect', 307]])
    expect(peer.hits).toBe(1)
    await peer.close()
    expect(await socketsLeftOpen(baseline)).toBe(0)
  })

  it('fails verifyReceiver without following it, and leaves no socket open', async () => {
    const peer = await redirecting()
    const report = await verifyReceiver(
      { url: `${peer.origin}/hooks` },
      { token, only: ['accepts-every-event-type'], timeoutMs: DEADLINE_MS },
    )
    expect(report.ok).toBe(false)
    const check = report.checks.find((c) => c.id === 'accepts-every-event-type')
    expect(JSON.stringify(check?.details)).toContain('"outcome":"redirect"')
    // One request per case sent: the redirect was never followed.
    expect(peer.hits).toBeLessThanOrEqual(JSON.stringify(check?.details).split('"case"').length - 1)
    await peer.close()
    expect(await socketsLeftOpen(baseline)).toBe(0)
  })
})

describe('a receiver with a TLS certificate nobody trusts', () => {
  let cert: Awaited<ReturnType<typeof createSelfSignedCertificate>>
  beforeAll(async () => {
    cert = await createSelfSignedCertificate()
  })

  async function https(options: object): Promise<Hostile> {
    let hits = 0
    const server = createHttpsServer({ key: cert.key, cert: cert.cert, ...options }, (req, res) => {
      hits++
      req.resume()
      res.writeHead(204).end()
    })
    return started(server, 'https', () => hits)
  }

  it('self-signed and not given as "ca": one tls attempt, no request reaches it', async () => {
    const peer = await https({})
    const report = await deliver(event(), { url: `${peer.origin}/hooks`, token }, { policy })
    expect(report.attempts.map((a) => a.outcome)).toEqual(['tls'])
    expect(report.attempts[0]?.errorCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
    expect(peer.hits).toBe(0)
    await peer.close()
    expect(await socketsLeftOpen(baseline)).toBe(0)
  })

  it('expired, even when trusted as "ca": one tls attempt naming CERT_HAS_EXPIRED', async () => {
    const { generate } = (await import('selfsigned')) as unknown as {
      generate: (a: object[], o: object) => Promise<{ private: string; cert: string }>
    }
    const past = new Date(Date.now() - 10 * 24 * 60 * 60 * 1000)
    const expired = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      algorithm: 'sha256',
      keyType: 'ec',
      curve: 'P-256',
      notBeforeDate: past,
      notAfterDate: new Date(past.getTime() + 24 * 60 * 60 * 1000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    })
    let hits = 0
    const server = createHttpsServer({ key: expired.private, cert: expired.cert }, (_req, res) => {
      hits++
      res.writeHead(204).end()
    })
    const peer = await started(server, 'https', () => hits)
    const report = await deliver(
      event(),
      { url: `${peer.origin}/hooks`, token },
      { policy, tls: { ca: expired.cert } },
    )
    expect(report.attempts.map((a) => [a.outcome, a.errorCode])).toEqual([
      ['tls', 'CERT_HAS_EXPIRED'],
    ])
    expect(hits).toBe(0)
    await peer.close()
    expect(await socketsLeftOpen(baseline)).toBe(0)
  })

  it('TLS 1.1 only, trusted as "ca": one tls attempt, since IDaaS needs TLS 1.2 or later', async () => {
    // OpenSSL 3 refuses TLS 1.1 at its default security level: level 0 lets the server offer it.
    const peer = await https({
      maxVersion: 'TLSv1.1',
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    })
    const report = await deliver(
      event(),
      { url: `${peer.origin}/hooks`, token },
      { policy, tls: { ca: cert.cert } },
    )
    expect(report.attempts.map((a) => a.outcome)).toEqual(['tls'])
    expect(peer.hits).toBe(0)
    await peer.close()
    expect(await socketsLeftOpen(baseline)).toBe(0)
  })
})

afterAll(async () => {
  expect(await socketsLeftOpen(baseline)).toBe(0)
})
