import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCaptureReceiver } from '../../src/capture/capture-receiver.js'
import { readServerTimeouts } from '../../src/cli/commands/mock.js'
import { startMockReceiver } from '../../src/prism/mock-receiver.js'
import { startValidatingProxy } from '../../src/prism/proxy.js'

/** Small bounds, so that a trickling sender is cut off quickly; the test timeout is the bound. */
const bounds = { headersTimeoutMs: 200, requestTimeoutMs: 400 }

interface Trickled {
  /** Everything the server wrote back before it closed the socket. */
  answer: string
  /** How many trickle writes went out before the socket closed. */
  writes: number
}

/**
 * Opens a raw socket, sends `head`, then one byte of `trickle` every 50 ms, forever, until the
 * server closes the socket (a sender no server should wait for).
 */
function trickle(origin: string, head: string, trickleByte = 'x'): Promise<Trickled> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let answer = ''
    let writes = 0
    let timer: NodeJS.Timeout | undefined
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      answer += chunk
    })
    socket.on('error', () => {}) // a reset counts as closed; 'close' follows
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ answer, writes })
    })
    socket.on('connect', () => {
      socket.write(head)
      timer = setInterval(() => {
        if (socket.writable) {
          socket.write(trickleByte)
          writes++
        }
      }, 50)
    })
    socket.setTimeout(20_000, () => {
      clearInterval(timer)
      socket.destroy()
      reject(new Error('the server never closed the trickling socket'))
    })
  })
}

const slowHeaders = 'POST /webhooks/idaas HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '
const slowBody =
  'POST /webhooks/idaas HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{'

function expectCutOff(result: Trickled) {
  // Node answers 408 when it can, or closes the socket; either way the sender is cut off.
  if (result.answer !== '') expect(result.answer).toMatch(/^HTTP\/1\.1 408 /)
  // The server kept the socket open for a while (the bound), not forever.
  expect(result.writes).toBeGreaterThan(0)
}

describe.each([
  {
    name: 'capture',
    start: () => startCaptureReceiver(bounds),
    ok: 204,
  },
  {
    name: 'mock',
    start: () => startMockReceiver(bounds),
    ok: 422, // `{}` breaks the contract: Prism's 422 proves the mock is answering
  },
  {
    name: 'proxy',
    // The receiver behind it is unreachable (port 9 on loopback): the proxy answers for it.
    start: () => startValidatingProxy({ to: 'http://127.0.0.1:9/hooks', errors: true, ...bounds }),
    ok: 422,
  },
])('a slow sender to $name', ({ start, ok }) => {
  let server: Awaited<ReturnType<typeof start>>
  beforeAll(async () => {
    server = await start()
  })
  afterAll(() => server?.close())

  const post = () =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })

  it('is cut off when its headers trickle in past headersTimeoutMs, and others are still answered', async () => {
    const [cut, answered] = await Promise.all([trickle(server.origin, slowHeaders), post()])
    expectCutOff(cut)
    expect(answered.status).toBe(ok)
    expect((await post()).status).toBe(ok)
  })

  it('is cut off when its body trickles in past requestTimeoutMs, and others are still answered', async () => {
    const cut = await trickle(server.origin, slowBody, ' ')
    expectCutOff(cut)
    expect((await post()).status).toBe(ok)
  })
})

describe('the slow-sender bounds as options', () => {
  it('refuses a headersTimeoutMs above requestTimeoutMs, naming both options', async () => {
    await expect(
      startCaptureReceiver({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 }),
    ).rejects.toThrow(/"headersTimeoutMs": expected at most "requestTimeoutMs" \(1000\), got 5000/)
  })

  it.each([0, -1, 1.5, Number.NaN, 2 ** 31])(
    'refuses requestTimeoutMs %s, naming it',
    async (value) => {
      await expect(startCaptureReceiver({ requestTimeoutMs: value })).rejects.toThrow(
        /Invalid option "requestTimeoutMs": expected a whole number of milliseconds/,
      )
    },
  )

  it('refuses a bad headersTimeoutMs for the mock before starting Prism', async () => {
    await expect(startMockReceiver({ headersTimeoutMs: 0 })).rejects.toThrow(
      /Invalid option "headersTimeoutMs"/,
    )
  })
})

describe('the slow-sender bounds as CLI flags', () => {
  it('reads --headers-timeout and --request-timeout as server options', () => {
    expect(readServerTimeouts({ headersTimeout: '200', requestTimeout: '400' })).toEqual({
      headersTimeoutMs: 200,
      requestTimeoutMs: 400,
    })
  })

  it('refuses an empty or non-numeric --request-timeout, naming the flag and the value', () => {
    expect(() => readServerTimeouts({ requestTimeout: '' })).toThrow(
      /Invalid option "--request-timeout": expected a whole number from 1 to 2147483647, got ""/,
    )
    expect(() => readServerTimeouts({ requestTimeout: '10s' })).toThrow(/got "10s"/)
  })

  it('refuses a --headers-timeout above --request-timeout, naming both flags', () => {
    expect(() => readServerTimeouts({ headersTimeout: '5000', requestTimeout: '1000' })).toThrow(
      /"--headers-timeout": expected at most "--request-timeout" \(1000\), got "5000"/,
    )
  })
})
