import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockReceiver, startMockReceiver } from '../../src/prism/mock-receiver.js'

let mock: MockReceiver
beforeAll(async () => {
  mock = await startMockReceiver({
    maxBodyBytes: 1024,
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
  })
})
afterAll(() => mock?.close())

/** Sends raw bytes and resolves with everything the mock wrote back before it closed the socket. */
function raw(bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(mock.origin)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes))
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      answer += chunk
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(answer))
  })
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(mock.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })

/** The mock still validates: `{}` gets Prism's 422. */
async function stillAnswers() {
  expect((await post('{}')).status).toBe(422)
}

describe('hostile senders to the mock receiver', () => {
  it('answers 413 to a body over maxBodyBytes, and keeps answering', async () => {
    expect((await post(`{"a":"${'x'.repeat(2048)}"}`)).status).toBe(413)
    await stillAnswers()
  })

  it('answers 413 to a chunked body over maxBodyBytes', async () => {
    const answer = await raw(
      `POST /webhooks/idaas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n800\r\n${'x'.repeat(0x800)}\r\n0\r\n\r\n`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 413 /)
    await stillAnswers()
  })

  it('ends a request whose body never arrives at requestTimeoutMs', async () => {
    const answer = await raw(
      'POST /webhooks/idaas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
    )
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    await stillAnswers()
  })

  it.each([
    ['garbage bytes', Buffer.from([0x16, 0x03, 0x01, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])],
    [
      'a bad Content-Length',
      'POST /webhooks/idaas HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    ],
    [
      'two Content-Lengths',
      'POST /webhooks/idaas HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}',
    ],
  ])('answers 400 to %s, and keeps answering', async (_name, bytes) => {
    expect(await raw(bytes)).toMatch(/^HTTP\/1\.1 400 /)
    await stillAnswers()
  })

  it('answers 431 to header lines over Node’s limit, and keeps answering', async () => {
    const answer = await raw(
      `POST /webhooks/idaas HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 431 /)
    await stillAnswers()
  })

  it('answers 50 concurrent connections, each with its status', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async () => (await post('{}')).status),
    )
    expect(statuses).toEqual(Array(50).fill(422))
  })

  it.each([
    ['invalid JSON', '{"id":'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ])('answers %s with a 4xx and a reason', async (_name, body) => {
    const response = await post(body as BodyInit)
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect((await response.text()).length).toBeGreaterThan(0)
    await stillAnswers()
  })

  it.each(['__proto__', 'constructor', 'toString'])(
    'treats a header named %s as an ordinary header',
    async (name) => {
      const answer = await raw(
        `POST /webhooks/idaas HTTP/1.1\r\nHost: x\r\n${name}: 1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      )
      expect(answer).toMatch(/^HTTP\/1\.1 422 /)
      await stillAnswers()
    },
  )
})
