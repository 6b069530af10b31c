// The engine's default transport, the kit's keep-alive node:http(s) client, against real sockets on
// 127.0.0.1 port 0: the same deadline, redirect, body and failure semantics as the global fetch.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import type { DeliveryPolicy } from '../../src/index.js'
import { createIdaasTenant, deliver } from '../../src/testing.js'
import { listen } from '../support/listen.js'
import { userCreated } from './support.js'

const shortDeadline: DeliveryPolicy = {
  ...createIdaasTenant().policy,
  name: 'short',
  deadlineMs: 200,
  maxAttempts: 1,
}

/** A receiver that records each request's headers, body and client port before `answer` runs. */
function recording(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: { url: string; headers: IncomingMessage['headers']; body: string; port: number }[] =
    []
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        port: req.socket.remotePort ?? 0,
      })
      answer(req, res)
    })
  }
  return { seen, listener }
}

describe('the default node:http transport', () => {
  it('posts the signed body with node:http, not fetch, and reuses one keep-alive connection', async () => {
    const { seen, listener } = recording((_req, res) => res.writeHead(204).end())
    const origin = await listen(listener)
    const event = userCreated()
    const first = await deliver(event, { url: `${origin}/hooks`, token: 't' })
    const second = await deliver(event, { url: `${origin}/hooks`, token: 't' })

    expect([first.result, second.result]).toEqual(['delivered', 'delivered'])
    expect(seen).toHaveLength(2)
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual(event)
    expect(seen[0]?.headers['content-length']).toBe(String(Buffer.byteLength(seen[0]?.body ?? '')))
    expect(seen[0]?.headers.signature).toMatch(/^sig=:/)
    // The global fetch adds these; node:http does not.
    expect(seen[0]?.headers['sec-fetch-mode']).toBeUndefined()
    expect(seen[0]?.headers['user-agent']).toBeUndefined()
    expect(seen[1]?.port).toBe(seen[0]?.port)
  })

  it('never follows a 302 and records its Location', async () => {
    const { seen, listener } = recording((req, res) => {
      if (req.url === '/hooks') res.writeHead(302, { location: '/moved' }).end()
      else res.writeHead(204).end()
    })
    const origin = await listen(listener)
    const report = await deliver(userCreated(), { url: `${origin}/hooks`, token: 't' })

    expect(report.attempts).toEqual([
      expect.objectContaining({ outcome: 'redirect', status: 302, location: '/moved' }),
    ])
    expect(seen.map((request) => request.url)).toEqual(['/hooks'])
  })

  it('times out a receiver whose headers come after the deadline, and closes the connection', async () => {
    let closed = false
    const origin = await listen((req, res) => {
      req.resume()
      req.socket.once('close', () => {
        closed = true
      })
      setTimeout(() => res.writeHead(204).end(), 1000).unref()
    })
    const report = await deliver(
      userCreated(),
      { url: `${origin}/hooks`, token: 't' },
      { clock: 'real', policy: shortDeadline },
    )

    expect(report.attempts).toEqual([
      expect.objectContaining({ outcome: 'timeout', error: 'No complete response within 200 ms.' }),
    ])
    expect(report.attempts[0]?.durationMs).toBeGreaterThanOrEqual(190)
    await expect.poll(() => closed).toBe(true)
  })

  it('times out a 2xx whose body is still arriving at the deadline, keeping its status', async () => {
    const origin = await listen((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('partial')
    })
    const report = await deliver(
      userCreated(),
      { url: `${origin}/hooks`, token: 't' },
      { clock: 'real', policy: shortDeadline },
    )

    expect(report.attempts).toEqual([expect.objectContaining({ outcome: 'timeout', status: 200 })])
  })

  it('sends nothing when the delivery signal is already aborted', async () => {
    const { seen, listener } = recording((_req, res) => res.writeHead(204).end())
    const origin = await listen(listener)
    const report = await deliver(
      userCreated(),
      { url: `${origin}/hooks`, token: 't' },
      { signal: AbortSignal.abort() },
    )

    expect(report).toMatchObject({ result: 'cancelled', attempts: [] })
    expect(seen).toHaveLength(0)
  })

  it('keeps only the first 1024 bytes of a refusal body, however large', async () => {
    const origin = await listen((req, res) => {
      req.resume()
      res.writeHead(400, { 'content-type': 'text/plain' })
      res.end('x'.repeat(5 * 1024 * 1024))
    })
    const report = await deliver(userCreated(), { url: `${origin}/hooks`, token: 't' })

    expect(report.attempts).toEqual([expect.objectContaining({ outcome: 'http-4xx', status: 400 })])
    expect(report.attempts[0]?.responseBody).toBe('x'.repeat(1024))
  })

  it('marks a connection reset in the middle of the body as a network failure', async () => {
    const origin = await listen((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-length': '100' })
      res.write('short', () => req.socket.destroy())
    })
    const report = await deliver(userCreated(), { url: `${origin}/hooks`, token: 't' })

    expect(report.attempts[0]).toMatchObject({ outcome: 'network', status: 200 })
  })

  it('marks a server that closes without answering as a network failure with its code', async () => {
    const origin = await listen((req) => {
      req.resume()
      req.once('end', () => req.socket.destroy())
    })
    const report = await deliver(userCreated(), { url: `${origin}/hooks`, token: 't' })

    expect(report.attempts).toEqual([
      expect.objectContaining({ outcome: 'network', errorCode: 'ECONNRESET' }),
    ])
  })

  it('leaves no socket keeping the process alive once the receiver is done', async () => {
    const { listener } = recording((_req, res) => res.writeHead(204).end())
    const origin = await listen(listener)
    await deliver(userCreated(), { url: `${origin}/hooks`, token: 't' })
    const sockets = (process as unknown as { _getActiveHandles(): unknown[] })
      ._getActiveHandles()
      .filter(
        (handle) =>
          handle !== null &&
          typeof handle === 'object' &&
          'remotePort' in handle &&
          (handle as { remotePort?: number }).remotePort === Number(new URL(origin).port) &&
          (handle as { hasRef?: () => boolean }).hasRef?.() === true,
      )
    expect(sockets).toEqual([])
  })
})
