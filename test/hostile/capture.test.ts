import { connect } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startCaptureReceiver } from '../../src/capture/capture-receiver.js'
import { readCaptureFile } from '../../src/capture/read-captures.js'
import type { CaptureReceiver } from '../../src/index.js'
import { tempDir } from '../capture/helpers.js'

const started: CaptureReceiver[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.close()))
})

async function capture(maxBodyBytes = 1024) {
  const out = join(await tempDir(), 'deliveries.jsonl')
  const receiver = await startCaptureReceiver({ out, maxBodyBytes })
  started.push(receiver)
  return { receiver, out }
}

/** Sends raw bytes on a new connection; resolves with what came back once the server closes or `ms` pass. */
function raw(origin: string, bytes: string | Buffer, ms = 2000): Promise<string> {
  const { port } = new URL(origin)
  return new Promise((resolve) => {
    let answer = ''
    const socket = connect(Number(port), '127.0.0.1')
    const timer = setTimeout(() => socket.destroy(), ms)
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(answer)
    })
    socket.write(bytes)
  })
}

describe('the capture receiver against hostile senders', () => {
  it.each([
    [
      'a declared body above the limit',
      (n: number) => `content-length: ${n}\r\n\r\n${'a'.repeat(n)}`,
    ],
    [
      'a chunked body above the limit',
      (n: number) =>
        `transfer-encoding: chunked\r\n\r\n${n.toString(16)}\r\n${'a'.repeat(n)}\r\n0\r\n\r\n`,
    ],
    ['a declared 1 GiB body that never comes', () => 'content-length: 1073741824\r\n\r\nabc'],
  ])(
    'answers 413 to %s, records it without the body, and closes the connection',
    async (_name, tail) => {
      const { receiver, out } = await capture(1024)
      const answer = await raw(receiver.origin, `POST /hooks HTTP/1.1\r\nhost: x\r\n${tail(4096)}`)
      expect(answer).toMatch(/^HTTP\/1\.1 413 /)
      expect(answer).toContain('The body is larger than 1024 bytes, the capture limit (A14).')
      const { entries } = await readCaptureFile(out)
      expect(entries.map((e) => [e.record.body, e.record.response.status])).toEqual([[null, 413]])
    },
  )

  it.each([
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
    ['a header without a colon', 'POST / HTTP/1.1\r\nhost: x\r\nbroken header\r\n\r\n'],
    ['a header name with a space', 'POST / HTTP/1.1\r\nhost: x\r\nbad name: v\r\n\r\n'],
    [
      'both content-length and chunked',
      'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\nabc',
    ],
    ['headers above 16 KiB', `POST / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['a negative content-length', 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n'],
  ])('answers 400 or 431 to %s, records nothing, and keeps serving', async (_name, request) => {
    const { receiver, out } = await capture()
    const answer = await raw(receiver.origin, request)
    expect(answer).toMatch(/^HTTP\/1\.1 4(00|31) /)
    const ok = await fetch(receiver.url, { method: 'POST', body: '{}' })
    expect(ok.status).toBe(204)
    const { entries, problems } = await readCaptureFile(out)
    expect(entries).toHaveLength(1)
    expect(problems).toEqual([])
  })

  it('records nothing for a sender that disconnects mid-body, and answers the next one', async () => {
    const { receiver, out } = await capture()
    await raw(receiver.origin, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nabc', 200)
    expect((await fetch(receiver.url, { method: 'POST', body: '{}' })).status).toBe(204)
    const { entries } = await readCaptureFile(out)
    expect(entries.map((e) => e.record.seq)).toEqual([1])
  })

  it('serves 50 concurrent connections, each recorded once, and closes with none left open', async () => {
    const { receiver, out } = await capture()
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(receiver.url, { method: 'POST', body: JSON.stringify({ i }) }).then((r) => r.status),
      ),
    )
    expect(answers).toEqual(Array(50).fill(204))
    await receiver.close()
    const { entries } = await readCaptureFile(out)
    expect(new Set(entries.map((e) => e.record.seq)).size).toBe(50)
    expect(receiver.records).toEqual([])
  })
})
