import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ConnectionOptions, connect } from 'node:tls'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeBody } from '../../src/capture/format.js'
import {
  type CaptureReceiver,
  type CaptureReceiverOptions,
  ENTRUST_EXAMPLES,
  signDelivery,
  startCaptureReceiver,
} from '../../src/index.js'
import { readLines, tempDir, trustingFetch } from './helpers.js'

const TOKEN = 'whsec_capture-tests-token'
const started: CaptureReceiver[] = []
async function capture(options: CaptureReceiverOptions): Promise<CaptureReceiver> {
  const receiver = await startCaptureReceiver(options)
  started.push(receiver)
  return receiver
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.close()))
})

const body = JSON.stringify(ENTRUST_EXAMPLES['user.created'], null, 2)

describe('startCaptureReceiver', () => {
  it('appends one JSON line per request with the raw headers and the exact body, and answers 204 fast', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out })
    const headers = signDelivery({ url: receiver.url, body, token: TOKEN })
    const startedAt = performance.now()
    const response = await fetch(`${receiver.url}?attempt=1`, {
      method: 'POST',
      headers: { ...headers, 'X-Custom-Case': 'Kept' },
      body,
    })
    const elapsed = performance.now() - startedAt
    expect(response.status).toBe(204)
    expect(elapsed).toBeLessThan(250)
    // Written before the answer: the line is in the file the moment the 204 arrives.
    const [record] = await readLines(out)
    expect(record).toMatchObject({
      format: 'idaas-webhook-kit.capture',
      version: 1,
      seq: 1,
      method: 'POST',
      url: `${receiver.url}?attempt=1`,
      httpVersion: '1.1',
      remoteAddress: '127.0.0.1',
      tls: null,
      signature: { checked: false },
      response: { status: 204 },
    })
    expect(record?.headers).toContainEqual(['X-Custom-Case', 'Kept'])
    const digest = record?.headers.find(([name]) => name.toLowerCase() === 'content-digest')
    expect(digest?.[1]).toBe(headers['Content-Digest'])
    expect(record?.body?.encoding).toBe('utf8')
    expect(
      decodeBody(record?.body as NonNullable<typeof record>['body'] & object).equals(
        Buffer.from(body),
      ),
    ).toBe(true)
    expect(receiver.count).toBe(1)
  })

  it('stores bytes that are not UTF-8 as base64, exactly', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out })
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d])
    await fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    })
    const [record] = await readLines(out)
    expect(record?.body).toMatchObject({ encoding: 'base64', bytes: 5 })
    expect(decodeBody(record?.body as never).equals(bytes)).toBe(true)
  })

  it('verifies signatures with a token and records only the result, never the token', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out, token: TOKEN })
    const good = signDelivery({ url: receiver.url, body, token: TOKEN })
    const bad = signDelivery({ url: receiver.url, body, token: 'whsec_someone-else' })
    expect((await fetch(receiver.url, { method: 'POST', headers: good, body })).status).toBe(204)
    expect((await fetch(receiver.url, { method: 'POST', headers: bad, body })).status).toBe(204)
    const [first, second] = await readLines(out)
    expect(first?.signature).toEqual({ checked: true, ok: true })
    expect(second?.signature).toMatchObject({
      checked: true,
      ok: false,
      reason: 'signature-mismatch',
    })
    expect(await readFile(out, 'utf8')).not.toContain(TOKEN)
  })

  it('uses publicUrl as the signed @target-uri, as behind a tunnel (A5), and records it', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const publicUrl = 'https://abc.tunnel.example/webhooks/idaas'
    const receiver = await capture({ out, token: TOKEN, publicUrl })
    const headers = signDelivery({ url: publicUrl, body, token: TOKEN })
    await fetch(receiver.url, { method: 'POST', headers, body })
    const [record] = await readLines(out)
    expect(record).toMatchObject({ publicUrl, signature: { checked: true, ok: true } })
  })

  it('answers 413 above the limit (A14) and records the request without its body', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out, maxBodyBytes: 100 })
    const response = await fetch(receiver.url, { method: 'POST', body: 'x'.repeat(101) })
    expect(response.status).toBe(413)
    const [record] = await readLines(out)
    expect(record).toMatchObject({
      body: null,
      tooLarge: { limit: 100, receivedBytes: 101 },
      response: { status: 413 },
    })
  })

  it('answers 405 to other methods and does not record them', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out })
    const response = await fetch(receiver.url)
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(await readFile(out, 'utf8')).toBe('')
  })

  it('appends to an existing capture file across runs', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    for (let run = 0; run < 2; run++) {
      const receiver = await capture({ out })
      await fetch(receiver.url, { method: 'POST', body })
      await receiver.close()
    }
    expect((await readLines(out)).map((r) => r.seq)).toEqual([1, 1])
  })

  it('writes lines that match schemas/capture-record.schema.json', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out, token: TOKEN, maxBodyBytes: 2000 })
    await fetch(receiver.url, {
      method: 'POST',
      headers: signDelivery({ url: receiver.url, body, token: TOKEN }),
      body,
    })
    await fetch(receiver.url, { method: 'POST', body: Buffer.from([0xff]) })
    await fetch(receiver.url, { method: 'POST', body: 'y'.repeat(3000) })
    const schema = JSON.parse(
      await readFile(new URL('../../schemas/capture-record.schema.json', import.meta.url), 'utf8'),
    )
    const validate = new Ajv2020({ allErrors: true }).compile(schema)
    const records = await readLines(out)
    expect(records).toHaveLength(3)
    for (const record of records) {
      expect(validate(record), JSON.stringify(validate.errors)).toBe(true)
    }
  })

  it('fails with a message naming the file when it cannot be opened', async () => {
    const out = join(await tempDir(), 'missing-dir', 'deliveries.jsonl')
    await expect(startCaptureReceiver({ out })).rejects.toThrow(
      `[idaas-webhook-kit] Failed to open the capture file "${out}" for appending (ENOENT).`,
    )
  })
})

describe('startCaptureReceiver with tls: true', () => {
  it('serves HTTPS with a generated self-signed certificate, TLS 1.2 minimum', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out, tls: true })
    expect(receiver.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/webhooks\/idaas$/)
    const ca = receiver.certificate as string
    expect(ca).toContain('BEGIN CERTIFICATE')
    expect(receiver.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)

    const port = Number(new URL(receiver.url).port)
    const probe = (options: ConnectionOptions) =>
      new Promise<string>((resolve) => {
        const socket = connect(
          { host: '127.0.0.1', port, servername: 'localhost', ca, ...options },
          () => {
            resolve(socket.getProtocol() ?? 'none')
            socket.end()
          },
        )
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code}`))
      })
    expect(await probe({ maxVersion: 'TLSv1.2' })).toBe('TLSv1.2')
    expect(await probe({})).toBe('TLSv1.3')
    expect(await probe({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' })).toMatch(/^error:ERR_SSL/)
    expect(await probe({ ca: undefined })).toBe('error:DEPTH_ZERO_SELF_SIGNED_CERT')

    const response = await trustingFetch(ca)(receiver.url, { method: 'POST', body })
    expect(response.status).toBe(204)
    const [record] = await readLines(out)
    expect(record?.tls).toEqual({ protocol: 'TLSv1.3' })
    expect(record?.url).toBe(receiver.url)
  })
})
