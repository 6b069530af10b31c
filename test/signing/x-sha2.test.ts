import { spawnSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isKitError, verifyDelivery } from '../../src/index.js'
import { signDelivery } from '../../src/testing.js'

const TOKEN = 'whsec_x-sha2-tests-0123456789abcdefghijklmnop'
const URL = 'https://receiver.example.com/webhooks/idaas'
const BODY =
  '{"id":"4f1c","type":"user.created","accountId":"a","eventTime":"2026-03-16T17:33:05Z","data":{}}'
const NOW = () => 1_773_682_385_000

/** The expected value, computed with node:crypto directly, not with the kit. */
const independentHex = (token: string | Buffer, body: string) =>
  createHmac('sha256', token).update(Buffer.from(body, 'utf8')).digest('hex')

const hasOpenssl = spawnSync('openssl', ['version']).status === 0

const request = (headers: Record<string, string>, body = BODY) => ({
  method: 'POST',
  url: URL,
  headers: { 'content-type': 'application/json', ...headers },
  body,
})

describe('signing with the older x-sha2-signature scheme (A17)', () => {
  it('sends x-sha2-signature as the lowercase hex HMAC-SHA256 of the raw body, and no RFC 9421 header, with schemes ["x-sha2"]', () => {
    const headers = signDelivery({ url: URL, body: BODY, token: TOKEN, schemes: ['x-sha2'] })
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'x-sha2-signature': independentHex(TOKEN, BODY),
    })
    expect(headers['x-sha2-signature']).toMatch(/^[0-9a-f]{64}$/)
  })

  it.skipIf(!hasOpenssl)(
    'agrees with openssl dgst -sha256 -hmac (skipped where openssl is not installed)',
    () => {
      const openssl = spawnSync('openssl', ['dgst', '-sha256', '-hmac', TOKEN, '-r'], {
        input: BODY,
        encoding: 'utf8',
      })
      expect(openssl.status).toBe(0)
      const hex = openssl.stdout.split(' ')[0]
      expect(
        signDelivery({ url: URL, body: BODY, token: TOKEN, schemes: ['x-sha2'] }),
      ).toMatchObject({
        'x-sha2-signature': hex,
      })
    },
  )

  it('sends both signatures with schemes ["rfc9421", "x-sha2"], the RFC 9421 ones unchanged', () => {
    const rfc = signDelivery({ url: URL, body: BODY, token: TOKEN, created: 1 })
    const both = signDelivery({
      url: URL,
      body: BODY,
      token: TOKEN,
      created: 1,
      schemes: ['rfc9421', 'x-sha2'],
    })
    expect(both).toEqual({ ...rfc, 'x-sha2-signature': independentHex(TOKEN, BODY) })
  })

  it('keys the older HMAC as option "keyEncoding" says (A1)', () => {
    const token = 'whsec_c2VjcmV0LWJ5dGVz'
    const headers = signDelivery({
      url: URL,
      body: BODY,
      token,
      keyEncoding: 'base64',
      schemes: ['x-sha2'],
    })
    expect(headers['x-sha2-signature']).toBe(independentHex(Buffer.from('secret-bytes'), BODY))
  })

  it.each([
    [
      [],
      'Failed to sign delivery: option "schemes" must list at least one scheme of "rfc9421", "x-sha2".',
    ],
    [
      ['sha2'],
      'Failed to sign delivery: option "schemes" has unknown scheme "sha2"; known schemes: "rfc9421", "x-sha2".',
    ],
    [['x-sha2', 'x-sha2'], 'Failed to sign delivery: option "schemes" lists a scheme twice.'],
  ])('rejects schemes %j with a message naming "schemes"', (schemes, message) => {
    let error: unknown
    try {
      signDelivery({ url: URL, body: BODY, token: TOKEN, schemes: schemes as never })
    } catch (caught) {
      error = caught
    }
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toBe(`[idaas-webhook-kit] ${message}`)
  })
})

describe('verifying the older x-sha2-signature header (A17)', () => {
  const older = independentHex(TOKEN, BODY)
  const verify = (
    headers: Record<string, string>,
    schemes?: ('rfc9421' | 'x-sha2')[],
    body = BODY,
  ) =>
    verifyDelivery(request(headers, body), {
      token: TOKEN,
      now: NOW,
      ...(schemes === undefined ? {} : { schemes }),
    })

  it('accepts a right value when schemes lists x-sha2, and says freshness, URL and method were not checked', async () => {
    const result = await verify({ 'x-sha2-signature': older }, ['x-sha2'])
    expect(result).toMatchObject({
      ok: true,
      event: JSON.parse(BODY),
      schemes: ['x-sha2'],
      unchecked: ['freshness', '@method', '@target-uri'],
      signature: { label: 'x-sha2-signature' },
    })
  })

  it('accepts upper-case hex and whitespace around the value', async () => {
    expect(
      await verify({ 'x-sha2-signature': `  ${older.toUpperCase()}\t` }, ['x-sha2']),
    ).toMatchObject({
      ok: true,
    })
  })

  it('rejects an older-only delivery by default, saying what it carries and which option accepts it', async () => {
    expect(await verify({ 'x-sha2-signature': older })).toEqual({
      ok: false,
      reason: 'scheme-not-accepted',
      message:
        "[idaas-webhook-kit] Failed to verify signature: the request carries only the older \"x-sha2-signature\" header, no RFC 9421 signature; pass schemes: ['rfc9421', 'x-sha2'] to accept it (A17).",
      missing: ['Content-Digest', 'Signature-Input', 'Signature'],
    })
  })

  it.each([
    ['an empty value', '', '"x-sha2-signature" is empty.'],
    ['only whitespace', '   ', '"x-sha2-signature" is empty.'],
    ['two values', `${older}, ${older}`, '"x-sha2-signature" has more than one value.'],
    [
      '63 digits',
      older.slice(0, 63),
      '"x-sha2-signature" must be 64 hexadecimal digits (HMAC-SHA256 of the body), got 63 hexadecimal digits.',
    ],
    [
      '65 digits',
      `${older}0`,
      '"x-sha2-signature" must be 64 hexadecimal digits (HMAC-SHA256 of the body), got 65 hexadecimal digits.',
    ],
    [
      'a non-hex digit',
      `g${older.slice(1)}`,
      '"x-sha2-signature" must be 64 hexadecimal digits (HMAC-SHA256 of the body), got 64 characters, not all hexadecimal digits.',
    ],
    [
      'a sha256= prefix',
      `sha256=${older}`,
      '"x-sha2-signature" must be 64 hexadecimal digits (HMAC-SHA256 of the body), got 71 characters, not all hexadecimal digits.',
    ],
    [
      'base64 instead of hex',
      Buffer.from(older, 'hex').toString('base64'),
      '"x-sha2-signature" must be 64 hexadecimal digits (HMAC-SHA256 of the body), got 44 characters, not all hexadecimal digits.',
    ],
  ])('reports %s as a malformed header without showing the value', async (_name, value, text) => {
    const result = await verify({ 'x-sha2-signature': value }, ['x-sha2'])
    expect(result).toEqual({
      ok: false,
      reason: 'malformed-header',
      message: `[idaas-webhook-kit] Failed to verify signature: ${text}`,
    })
    if (value.trim().length >= 16) expect(JSON.stringify(result)).not.toContain(value.trim())
  })

  it('rejects a value for another token or another body as a mismatch', async () => {
    const wrongToken = independentHex('whsec_other', BODY)
    const tampered = await verify({ 'x-sha2-signature': older }, ['x-sha2'], `${BODY} `)
    const wrong = await verify({ 'x-sha2-signature': wrongToken }, ['x-sha2'])
    for (const result of [tampered, wrong]) {
      expect(result).toMatchObject({ ok: false, reason: 'signature-mismatch' })
      expect(JSON.stringify(result)).not.toContain(TOKEN)
    }
  })

  it('never lets a right x-sha2-signature rescue a wrong RFC 9421 signature when both are accepted', async () => {
    const other = signDelivery({
      url: URL,
      body: BODY,
      token: 'whsec_other-token',
      created: 1_773_682_385,
    })
    const result = await verify({ ...other, 'x-sha2-signature': older }, ['rfc9421', 'x-sha2'])
    expect(result).toMatchObject({ ok: false, reason: 'signature-mismatch' })
    const forOtherUrl = signDelivery({
      url: 'https://attacker.example/hook',
      body: BODY,
      token: TOKEN,
      created: 1_773_682_385,
    })
    expect(
      await verify({ ...forOtherUrl, 'x-sha2-signature': older }, ['rfc9421', 'x-sha2']),
    ).toMatchObject({ ok: false, reason: 'signature-mismatch' })
  })

  it('rejects a valid RFC 9421 signature beside a wrong x-sha2-signature when both are accepted, and accepts both right', async () => {
    const rfc = signDelivery({ url: URL, body: BODY, token: TOKEN, created: 1_773_682_385 })
    expect(
      await verify({ ...rfc, 'x-sha2-signature': independentHex('whsec_other', BODY) }, [
        'rfc9421',
        'x-sha2',
      ]),
    ).toMatchObject({ ok: false, reason: 'signature-mismatch' })
    const result = await verify({ ...rfc, 'x-sha2-signature': older }, ['rfc9421', 'x-sha2'])
    expect(result).toMatchObject({ ok: true, schemes: ['rfc9421', 'x-sha2'] })
    expect(result.ok && result.unchecked).toBe(undefined)
  })

  it('ignores x-sha2-signature beside a valid RFC 9421 signature by default', async () => {
    const rfc = signDelivery({ url: URL, body: BODY, token: TOKEN, created: 1_773_682_385 })
    expect(await verify({ ...rfc, 'x-sha2-signature': 'not hex' })).toMatchObject({
      ok: true,
      schemes: ['rfc9421'],
    })
  })

  it('names what is missing when neither scheme is present and both are accepted', async () => {
    expect(await verify({}, ['rfc9421', 'x-sha2'])).toMatchObject({
      ok: false,
      reason: 'missing-header',
      missing: ['Content-Digest', 'Signature-Input', 'Signature', 'x-sha2-signature'],
    })
  })

  it('with only x-sha2 accepted, says an RFC 9421-only delivery carries the current profile', async () => {
    const rfc = signDelivery({ url: URL, body: BODY, token: TOKEN, created: 1_773_682_385 })
    const result = await verify(rfc, ['x-sha2'])
    expect(result).toMatchObject({ ok: false, reason: 'scheme-not-accepted' })
    expect(result.ok ? '' : result.message).toContain(
      'the request carries only RFC 9421 signature headers ("Content-Digest", "Signature-Input", "Signature")',
    )
  })

  it('rejects bad schemes options with a message naming "schemes"', async () => {
    await expect(verifyDelivery(request({}), { token: TOKEN, schemes: [] })).rejects.toThrow(
      '[idaas-webhook-kit] Failed to verify signature: option "schemes" must list at least one scheme',
    )
  })
})

describe('the receiver helpers with option "schemes" (A17)', () => {
  it('hand onEvent the schemes that verified, so a migration can watch which arrive', async () => {
    const { createIdaasWebhookHandler } = await import('../../src/index.js')
    const seen: unknown[] = []
    const handler = createIdaasWebhookHandler({
      token: TOKEN,
      schemes: ['rfc9421', 'x-sha2'],
      onEvent: (_event, context) => {
        seen.push([context.schemes, context.unchecked])
      },
    })
    const { createEvent } = await import('../../src/testing.js')
    const event = JSON.stringify(createEvent('user.created', undefined, { seed: 3 }))
    const post = (headers: Record<string, string>) =>
      handler(new Request(URL, { method: 'POST', headers, body: event }))
    const older = await post({ 'x-sha2-signature': independentHex(TOKEN, event) })
    const current = await post(signDelivery({ url: URL, body: event, token: TOKEN }))
    expect([older.status, current.status]).toEqual([204, 204])
    expect(seen).toEqual([
      [['x-sha2'], ['freshness', '@method', '@target-uri']],
      [['rfc9421'], undefined],
    ])
  })
})

describe('deliver and the fake tenant with option "schemes" (A17)', () => {
  it('deliver signs every attempt with the schemes given, and the tenant passes its schemes on', async () => {
    const { createEvent, createIdaasTenant, deliver } = await import('../../src/testing.js')
    const seen: Headers[] = []
    const fetch = async (_input: unknown, init?: RequestInit) => {
      seen.push(new Headers(init?.headers))
      return new Response(null, { status: 204 })
    }
    const event = createEvent('user.created', undefined, { seed: 4 })
    await deliver(event, { url: URL, token: TOKEN }, { fetch, schemes: ['x-sha2'] })
    expect(seen[0]?.get('x-sha2-signature')).toBe(independentHex(TOKEN, JSON.stringify(event)))
    expect(seen[0]?.get('signature-input')).toBeNull()

    const tenant = createIdaasTenant({ fetch, schemes: ['rfc9421', 'x-sha2'] })
    const { token } = tenant.webhooks.create({
      name: 'hook',
      callbackUrl: 'https://receiver.example.com/webhooks/idaas',
      events: [],
    })
    await tenant.emit(event)
    expect(seen[1]?.get('x-sha2-signature')).toBe(independentHex(token, JSON.stringify(event)))
    expect(seen[1]?.get('signature-input')).toMatch(/^sig=/)
  })

  it('rejects an empty schemes list on deliver and on the tenant, naming "schemes"', async () => {
    const { createEvent, createIdaasTenant, deliver } = await import('../../src/testing.js')
    await expect(
      deliver(createEvent('user.created'), { url: URL, token: TOKEN }, { schemes: [] }),
    ).rejects.toThrow('Failed to deliver: option "schemes" must list at least one scheme')
    expect(() => createIdaasTenant({ schemes: [] })).toThrow(
      'Failed to create tenant: option "schemes" must list at least one scheme',
    )
  })
})
