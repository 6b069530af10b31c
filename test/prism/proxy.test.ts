import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { startCaptureReceiver } from '../../src/capture/capture-receiver.js'
import { verifyDelivery } from '../../src/index.js'
import { startValidatingProxy, type ValidatingProxy } from '../../src/prism/index.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { type ProblemBody, signedPost, startStandInReceiver, TEST_TOKEN } from './helpers.js'

const started: ValidatingProxy[] = []
async function proxyTo(to: string, errors = false): Promise<ValidatingProxy> {
  const proxy = await startValidatingProxy({ to, errors })
  started.push(proxy)
  return proxy
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((proxy) => proxy.close()))
})

// Pretty-printed on purpose: Prism's own forwarder re-serializes JSON, which would break
// Content-Digest; the kit's proxy must forward these exact bytes.
const validBody = JSON.stringify(ENTRUST_EXAMPLES['grid.created'], null, 2)
const invalidBody = validBody.replace('"serialNumber": 2', '"serialNumber": "2"')

describe('startValidatingProxy', () => {
  it('forwards a valid delivery byte for byte, signature headers included, and passes the answer back', async () => {
    const receiver = await startStandInReceiver(() => ({ status: 204 }))
    const proxy = await proxyTo(receiver.url)
    const response = await fetch(proxy.url, signedPost(proxy.url, validBody))
    expect(response.status).toBe(204)
    expect(response.headers.get('sl-violations')).toBeNull()
    const [seen] = receiver.seen
    expect(seen?.body.equals(Buffer.from(validBody))).toBe(true)
    expect(seen?.headers['x-forwarded-host']).toBe(new URL(proxy.url).host)
    // The receiver rebuilds what the sender signed from the proxy URL (A5).
    const verified = await verifyDelivery(
      { method: 'POST', url: receiver.url, headers: seen?.headers ?? {}, body: seen?.body ?? null },
      { token: TEST_TOKEN, publicUrl: proxy.url },
    )
    expect(verified.ok).toBe(true)
    expect(proxy.summary()).toMatchObject({
      requests: 1,
      invalidDeliveries: 0,
      upstreamStatuses: { 204: 1 },
    })
  })

  it('flags a delivery that breaks the contract but still forwards it without errors mode', async () => {
    const receiver = await startStandInReceiver(() => ({ status: 204 }))
    const proxy = await proxyTo(receiver.url)
    const response = await fetch(proxy.url, signedPost(proxy.url, invalidBody))
    expect(response.status).toBe(204)
    const violations = JSON.parse(
      response.headers.get('sl-violations') ?? '[]',
    ) as ProblemBody['validation']
    expect(violations?.[0]).toEqual({
      location: ['request', 'body', 'data', 'entityAttributes', 'serialNumber'],
      severity: 'Error',
      code: 'type',
      message: 'Request body property data.entityAttributes.serialNumber must be number',
    })
    expect(receiver.seen).toHaveLength(1)
    const summary = proxy.summary()
    expect(summary.invalidDeliveries).toBe(1)
    expect(summary.contractViolations).toEqual([
      {
        where: 'request.body.data.entityAttributes.serialNumber',
        severity: 'Error',
        code: 'type',
        message: 'Request body property data.entityAttributes.serialNumber must be number',
        count: 1,
      },
    ])
    expect(proxy.requests[0]).toMatchObject({
      outcome: 'forwarded',
      status: 204,
      upstreamStatus: 204,
    })
  })

  it('refuses a bad delivery with 422 in errors mode and never forwards it', async () => {
    const receiver = await startStandInReceiver(() => ({ status: 204 }))
    const proxy = await proxyTo(receiver.url, true)
    const response = await fetch(proxy.url, signedPost(proxy.url, invalidBody))
    expect(response.status).toBe(422)
    const problem = (await response.json()) as ProblemBody
    expect(problem.validation?.[0]?.location).toEqual([
      'body',
      'data',
      'entityAttributes',
      'serialNumber',
    ])
    expect(receiver.seen).toHaveLength(0)
    expect(proxy.requests[0]).toMatchObject({ outcome: 'refused', status: 422 })
    const ok = await fetch(proxy.url, signedPost(proxy.url, validBody))
    expect(ok.status).toBe(204)
    expect(receiver.seen).toHaveLength(1)
  })

  it('checks the receiver’s answer against the declared statuses: a 401 is reported', async () => {
    const receiver = await startStandInReceiver(() => ({
      status: 401,
      body: '{"error":"bad signature"}',
      headers: { 'content-type': 'application/json' },
    }))
    const proxy = await proxyTo(receiver.url)
    const response = await fetch(proxy.url, signedPost(proxy.url, validBody))
    expect(response.status).toBe(401)
    expect(await response.text()).toBe('{"error":"bad signature"}')
    expect(proxy.summary().responseViolations).toEqual([
      {
        where: 'response',
        severity: 'Warning',
        code: '',
        message:
          'Unable to match the returned status code with those defined in the document: 204,2XX,5XX',
        count: 1,
      },
    ])
  })

  it('answers 502 when the receiver cannot be reached, and says so in the record', async () => {
    const receiver = await startStandInReceiver()
    await receiver.close()
    const proxy = await proxyTo(receiver.url)
    const response = await fetch(proxy.url, signedPost(proxy.url, validBody))
    expect(response.status).toBe(502)
    expect(proxy.requests[0]).toMatchObject({ outcome: 'unreachable', status: 502 })
    expect(proxy.requests[0]?.upstreamError).toMatch(/ECONNREFUSED/)
  })

  it('keeps the credentials and query of "to" out of "target" and the 502 detail, and still sends to the full URL', async () => {
    const receiver = await startStandInReceiver()
    const secretUrl = (url: string) => {
      const to = new URL(url)
      to.username = 'user'
      to.password = 's3cret'
      to.search = '?token=abc'
      return to.href
    }
    const proxy = await proxyTo(secretUrl(receiver.url))
    expect(proxy.target).toBe(receiver.url)
    const response = await fetch(`${proxy.url}?attempt=1`, signedPost(proxy.url, validBody))
    expect(response.status).toBe(204)
    // A query in "to" replaces the client's; the client's is kept only when "to" has none.
    expect(receiver.seen[0]?.url).toBe('/webhooks/idaas?token=abc')

    await receiver.close()
    const unreachable = await fetch(proxy.url, signedPost(proxy.url, validBody))
    expect(unreachable.status).toBe(502)
    const problem = (await unreachable.json()) as { detail: string }
    expect(problem.detail).toMatch(
      new RegExp(`^The proxy could not reach the receiver at ${receiver.url}: .*ECONNREFUSED`),
    )
    expect(JSON.stringify(problem)).not.toMatch(/s3cret|token=abc/)
  })

  it('keeps the client’s query string when "to" has none', async () => {
    const receiver = await startStandInReceiver()
    const proxy = await proxyTo(receiver.url)
    await fetch(`${proxy.url}?attempt=1`, signedPost(proxy.url, validBody))
    expect(receiver.seen[0]?.url).toBe('/webhooks/idaas?attempt=1')
  })

  it('forwards to an HTTPS receiver with a self-signed certificate given as "ca"', async () => {
    const target = await startCaptureReceiver({ tls: true })
    onTestFinished(() => target.close())
    const proxy = await startValidatingProxy({ to: target.url, ca: target.certificate as string })
    started.push(proxy)
    const response = await fetch(proxy.url, signedPost(proxy.url, validBody))
    expect(response.status).toBe(204)
    expect(target.records[0]?.tls?.protocol).toBe('TLSv1.3')
    expect(target.records[0]?.body?.data).toBe(validBody)
  })

  it('rejects a "to" that is not an http(s) URL', async () => {
    await expect(startValidatingProxy({ to: 'ftp://example.test/' })).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "to": expected an http: or https: URL, got "ftp:".',
    )
  })
})
