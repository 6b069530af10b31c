import { createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { startValidatingProxy, type ValidatingProxy } from '../../src/prism/index.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { type ProblemBody, signedPost } from '../prism/helpers.js'

/** Prism's problem+json, with the detail the proxy writes for an unreachable receiver. */
type Problem = ProblemBody & { detail?: string }

const body = JSON.stringify(ENTRUST_EXAMPLES['grid.created'])
const started: ValidatingProxy[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((proxy) => proxy.close()))
})

/**
 * A raw TCP receiver that answers every request with `behave(socket)`. Counts the bytes it
 * managed to write and whether the proxy hung up on it; closes with the test.
 */
async function hostileReceiver(behave: (socket: Socket, state: { written: number }) => void) {
  const state = { written: 0, closedByPeer: 0, sockets: new Set<Socket>() }
  const server = createServer((socket) => {
    state.sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => {
      state.sockets.delete(socket)
      state.closedByPeer++
    })
    let seen = ''
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1')
      if (seen.includes('\r\n\r\n') && seen.length > 0) {
        seen = ''
        behave(socket, state)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of state.sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/webhooks/idaas`, state }
}

async function proxyTo(url: string, options: { maxResponseBytes?: number; timeout?: number }) {
  const proxy = await startValidatingProxy({ to: url, ...options })
  started.push(proxy)
  return proxy
}

async function post(proxy: ValidatingProxy) {
  const started = performance.now()
  const response = await fetch(proxy.url, signedPost(proxy.url, body))
  const problem = (await response.json()) as Problem
  return { status: response.status, problem, ms: performance.now() - started }
}

function writeForever(socket: Socket, state: { written: number }, chunk: Buffer) {
  const pump = () => {
    while (!socket.destroyed && socket.write(chunk)) state.written += chunk.byteLength
    if (!socket.destroyed) socket.once('drain', pump)
  }
  pump()
}

describe('the validating proxy in front of a hostile receiver', () => {
  it.each([
    ['content-length: 1073741824', 64 * 1024],
    ['transfer-encoding: chunked', 64 * 1024],
    ['content-length: 1073741824', 1024 * 1024],
  ])(
    'stops reading a huge answer (%s) past maxResponseBytes %i and answers 502 naming the limit',
    async (framing, limit) => {
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      const chunked = framing.startsWith('transfer')
      const receiver = await hostileReceiver((socket, state) => {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${framing}\r\n\r\n`)
        const piece = chunked
          ? Buffer.concat([
              Buffer.from(`${chunk.byteLength.toString(16)}\r\n`),
              chunk,
              Buffer.from('\r\n'),
            ])
          : chunk
        writeForever(socket, state, piece)
      })
      const proxy = await proxyTo(receiver.url, { maxResponseBytes: limit })
      const { status, problem } = await post(proxy)
      expect(status).toBe(502)
      expect(problem.detail).toBe(
        `The proxy could not reach the receiver at ${receiver.url}: the answer is larger than ${limit} bytes, the proxy's limit ("maxResponseBytes", CLI "--max-response").`,
      )
      // The proxy hung up: the receiver could write little more than the limit plus socket buffers.
      await expect.poll(() => receiver.state.closedByPeer).toBeGreaterThan(0)
      expect(receiver.state.written).toBeLessThan(limit + 16 * 1024 * 1024)
    },
  )

  it.each([
    ['silence after the request', (_socket: Socket) => {}],
    [
      'headers, then a body one byte every 20 ms forever',
      (socket: Socket) => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n')
        const timer = setInterval(
          () => (socket.destroyed ? clearInterval(timer) : socket.write('a')),
          20,
        )
        socket.on('close', () => clearInterval(timer))
      },
    ],
    [
      'the status line one byte every 20 ms forever',
      (socket: Socket) => {
        const line = 'HTTP/1.1 200 OK\r\nx-slow: '
        let i = 0
        const timer = setInterval(() => {
          if (socket.destroyed) return clearInterval(timer)
          socket.write(i < line.length ? (line[i++] as string) : 'a')
        }, 20)
        socket.on('close', () => clearInterval(timer))
      },
    ],
  ])('answers 502 at the total timeout whatever the receiver does: %s', async (_name, behave) => {
    const receiver = await hostileReceiver(behave)
    const proxy = await proxyTo(receiver.url, { timeout: 300 })
    const { status, problem } = await post(proxy)
    expect(status).toBe(502)
    expect(problem.detail).toContain(
      'no complete answer within 300 ms in total, the proxy\'s limit ("timeout", CLI "--timeout")',
    )
    await expect.poll(() => receiver.state.sockets.size).toBe(0)
  })

  it.each([
    ['a reset before any answer', (socket: Socket) => socket.resetAndDestroy()],
    [
      'a close in the middle of the body',
      (socket: Socket) => {
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc')
      },
    ],
    ['garbage instead of HTTP', (socket: Socket) => socket.end('SMTP ready\r\n\r\n')],
  ])('answers 502 with the reason on %s, and keeps serving', async (_name, behave) => {
    const receiver = await hostileReceiver(behave)
    const proxy = await proxyTo(receiver.url, { timeout: 5000 })
    for (let i = 0; i < 3; i++) {
      const { status, problem } = await post(proxy)
      expect(status).toBe(502)
      expect(problem.detail).toMatch(/^The proxy could not reach the receiver at /)
    }
    expect(proxy.summary()).toMatchObject({ requests: 3 })
  })

  it.each([
    [
      { maxResponseBytes: 0 },
      'Invalid option "maxResponseBytes": expected a whole number of bytes from 1 to 9007199254740991, got number 0.',
    ],
    [
      { timeout: 1.5 },
      'Invalid option "timeout": expected a whole number of milliseconds from 1 to 2147483647, got number 1.5.',
    ],
  ])('refuses a limit that is not a positive whole number: %o', async (options, message) => {
    await expect(startValidatingProxy({ to: 'http://127.0.0.1:9/', ...options })).rejects.toThrow(
      `[idaas-webhook-kit] ${message}`,
    )
  })
})
