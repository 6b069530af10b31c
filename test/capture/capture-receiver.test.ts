import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { type ConnectionOptions, connect } from 'node:tls'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startCaptureReceiver } from '../../src/capture/capture-receiver.js'
import { createSelfSignedCertificate } from '../../src/capture/certificate.js'
import { decodeBody } from '../../src/capture/decode-body.js'
import { readCaptureFile } from '../../src/capture/read-captures.js'
import { type CaptureReceiver, type CaptureReceiverOptions, isKitError } from '../../src/index.js'
import { ENTRUST_EXAMPLES, signDelivery } from '../../src/testing.js'
import { cleanEnv, runProcess } from '../e2e/run.js'
import { readLines, tempDir, trustingFetch } from './helpers.js'

// writeSync passes through unless a test makes the next write stop after `partial` bytes and
// the one after fail with ENOSPC, as a full disk does.
const disk = vi.hoisted(() => ({ partial: undefined as number | undefined, fail: false }))
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>()
  const writeSync = (fd: number, buffer: Uint8Array, offset: number, length: number): number => {
    if (disk.fail) {
      disk.fail = false
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    }
    if (disk.partial !== undefined) {
      const partial = disk.partial
      disk.partial = undefined
      disk.fail = true
      return fs.writeSync(fd, buffer, offset, Math.min(partial, length))
    }
    return fs.writeSync(fd, buffer, offset, length)
  }
  return { ...fs, writeSync }
})

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
  it('appends one JSON line per request with the raw headers and the exact body, written before its 204', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out })
    const headers = signDelivery({ url: receiver.url, body, token: TOKEN })
    const response = await fetch(`${receiver.url}?attempt=1`, {
      method: 'POST',
      headers: { ...headers, 'X-Custom-Case': 'Kept' },
      body,
    })
    expect(response.status).toBe(204)
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

  it('records a delivery whose Host header forms no URL as malformed, with a token, and still answers 204', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out, token: TOKEN })
    const headers = signDelivery({ url: receiver.url, body, token: TOKEN })
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        receiver.url,
        { method: 'POST', headers: { ...headers, host: 'not a host' } },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
    expect(status).toBe(204)
    const [record] = await readLines(out)
    expect(record?.url).toBe('http://not a host/webhooks/idaas')
    expect(record?.signature).toEqual({
      checked: true,
      ok: false,
      reason: 'malformed-header',
      message:
        'Failed to verify signature: the request URL "http://not a host/webhooks/idaas" is not an absolute URL. Pass the URL registered in IDaaS as option "publicUrl".',
    })
  })

  it('still answers and keeps the connection when onCapture throws, and prints the error', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    const receiver = await capture({
      onCapture: () => {
        throw new Error('the callback broke')
      },
    })
    for (let i = 0; i < 2; i++) {
      expect((await fetch(receiver.url, { method: 'POST', body })).status).toBe(204)
    }
    expect(receiver.count).toBe(2)
    expect(printed).toHaveBeenCalledWith(
      '[idaas-webhook-kit] The "onCapture" callback threw: the callback broke',
    )
  })

  it('removes the incomplete last line a crash left before appending, so the file stays readable', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const first = await capture({ out })
    await fetch(first.url, { method: 'POST', body })
    await first.close()
    const fragment = '{"format":"idaas-webhook-kit.capture","version":1,"seq":2,"rec'
    await writeFile(out, `${await readFile(out, 'utf8')}${fragment}`)

    const second = await capture({ out })
    expect(second.discardedBytes).toBe(fragment.length)
    expect((await fetch(second.url, { method: 'POST', body })).status).toBe(204)
    await second.close()
    const { entries, problems } = await readCaptureFile(out)
    expect(entries.map((e) => [e.line, e.record.seq])).toEqual([
      [1, 1],
      [2, 1],
    ])
    expect(problems).toEqual([])
  })

  it('keeps a complete last line that lacks its newline, and starts the next record on a new line', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const first = await capture({ out })
    await fetch(first.url, { method: 'POST', body })
    await first.close()
    await writeFile(out, (await readFile(out, 'utf8')).trimEnd())
    const second = await capture({ out })
    expect(second.discardedBytes).toBe(0)
    await fetch(second.url, { method: 'POST', body })
    await second.close()
    const { entries, problems } = await readCaptureFile(out)
    expect(entries.map((e) => [e.line, e.record.seq])).toEqual([
      [1, 1],
      [2, 1],
    ])
    expect(problems).toEqual([])
  })

  it('refuses to append to a file whose last line is not a capture record, and leaves it as it was', async () => {
    const out = join(await tempDir(), 'notes.txt')
    await writeFile(out, 'shopping list\nmilk')
    const error = await startCaptureReceiver({ out }).catch((e: unknown) => e)
    expect(isKitError(error) && error.message).toBe(
      `[idaas-webhook-kit] Failed to open the capture file "${out}": its last line is not a capture record. Is it a capture file? Pass another "out" (CLI "--out").`,
    )
    expect(await readFile(out, 'utf8')).toBe('shopping list\nmilk')
  })

  it('answers 500 when the line cannot be written, takes the partial line back, and keeps the next record', async () => {
    const out = join(await tempDir(), 'deliveries.jsonl')
    const receiver = await capture({ out })
    disk.partial = 40
    const failed = await fetch(receiver.url, { method: 'POST', body })
    expect(failed.status).toBe(500)
    expect(await failed.text()).toBe(
      '[idaas-webhook-kit] Failed to record the request: ENOSPC: no space left on device, write\n',
    )
    expect((await fetch(receiver.url, { method: 'POST', body })).status).toBe(204)
    const { entries, problems } = await readCaptureFile(out)
    expect(entries.map((e) => [e.line, e.record.seq])).toEqual([[1, 2]])
    expect(problems).toEqual([])
  })

  it('keeps no record in memory once it is on disk, and without a file at most keepBodyBytes of bodies', async () => {
    const onDisk = await capture({ out: join(await tempDir(), 'deliveries.jsonl') })
    const inMemory = await capture({ keepBodyBytes: 3 * body.length })
    for (let i = 0; i < 5; i++) {
      await fetch(onDisk.url, { method: 'POST', body })
      await fetch(inMemory.url, { method: 'POST', body })
    }
    expect(onDisk.count).toBe(5)
    expect(onDisk.records).toEqual([])
    expect(inMemory.count).toBe(5)
    expect(inMemory.records.map((r) => r.seq)).toEqual([3, 4, 5])
  })

  it.each([
    [{ port: '4012' }, 'Invalid option "port": expected 0 to 65535, got string "4012".'],
    [
      { maxBodyBytes: 'abc' },
      'Invalid option "maxBodyBytes": expected a whole number of bytes (at least 1), got string "abc".',
    ],
  ])('names the option and quotes the value it got: %o', async (options, message) => {
    await expect(
      startCaptureReceiver(options as unknown as CaptureReceiverOptions),
    ).rejects.toThrow(`[idaas-webhook-kit] ${message}`)
  })

  it('fails with a message naming the file when it cannot be opened', async () => {
    const out = join(await tempDir(), 'missing-dir', 'deliveries.jsonl')
    await expect(startCaptureReceiver({ out })).rejects.toThrow(
      `[idaas-webhook-kit] Failed to open the capture file "${out}" for appending (ENOENT).`,
    )
  })
})

describe('startCaptureReceiver with tls: { key, cert }', () => {
  it.each([
    [
      'a key that is not PEM',
      () => 'not a key',
      /^\[idaas-webhook-kit\] Invalid option "tls": "key" is not a usable PEM private key \(ERR_OSSL_[A-Z_]+\)\.$/,
    ],
    [
      'the key of another certificate',
      async () => (await createSelfSignedCertificate()).key,
      /^\[idaas-webhook-kit\] Invalid option "tls": "key" is not the private key of "cert"\.$/,
    ],
  ])('refuses %s before opening the capture file', async (_what, key, message) => {
    const { cert } = await createSelfSignedCertificate()
    const out = join(await tempDir(), 'deliveries.jsonl')
    const error = await startCaptureReceiver({ out, tls: { key: await key(), cert } }).catch(
      (e: unknown) => e,
    )
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toMatch(message)
    expect(existsSync(out)).toBe(false)
  })
})

describe('createSelfSignedCertificate without the selfsigned package', () => {
  // A real ESM resolution failure, in a child process: a module hook makes "selfsigned" fail.
  const certificateModule = pathToFileURL(
    fileURLToPath(new URL('../../dist/src/capture/certificate.js', import.meta.url)),
  ).href
  const run = (code: string) => {
    const hook = `export async function resolve(specifier, context, next) {
      if (specifier === 'selfsigned') throw Object.assign(new Error('selfsigned: ${code}'), { code: '${code}' })
      return next(specifier, context)
    }`
    const script = `import { register } from 'node:module'
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))
      const { createSelfSignedCertificate } = await import(${JSON.stringify(certificateModule)})
      try { await createSelfSignedCertificate() } catch (error) { console.log(JSON.stringify({ name: error.name, message: error.message })) }`
    return runProcess(process.execPath, ['--input-type=module', '-e', script], {
      env: cleanEnv(),
    })
  }

  it('says it is not installed, with the install command, only when the module is not found', async () => {
    const { stdout } = await run('ERR_MODULE_NOT_FOUND')
    expect(JSON.parse(stdout)).toEqual({
      name: 'KitError',
      message:
        '[idaas-webhook-kit] Failed to create a TLS certificate: the "selfsigned" package is not installed. Run "npm install selfsigned".',
    })
  })

  it('passes any other import failure on as it is', async () => {
    const { stdout } = await run('ERR_SOMETHING_ELSE')
    expect(JSON.parse(stdout)).toEqual({ name: 'Error', message: 'selfsigned: ERR_SOMETHING_ELSE' })
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
