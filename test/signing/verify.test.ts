import { describe, expect, it } from 'vitest'
import {
  isKitError,
  VERIFY_FAILURE_REASONS,
  type VerifyDeliveryOptions,
  type VerifyDeliveryResult,
  verifyDelivery,
} from '../../src/index.js'
import { signDeliveryWith } from '../../src/signing/sign.js'
import { createSignedDelivery, type SignedDelivery } from '../../src/signing/signed-delivery.js'
import { CREATED, EVENT_BODY, NOW, signatureValues, signedEvent, TOKEN, URL } from './helpers.js'

const verify = (
  delivery: SignedDelivery,
  options: Partial<VerifyDeliveryOptions> = {},
): Promise<VerifyDeliveryResult> => verifyDelivery(delivery, { token: TOKEN, now: NOW, ...options })

const withHeader = (delivery: SignedDelivery, name: string, value: string | undefined) => {
  const headers = { ...delivery.headers }
  if (value === undefined) delete headers[name]
  else headers[name] = value
  return { ...delivery, headers }
}

describe('verifyDelivery', () => {
  it('accepts a signed delivery and returns the parsed event, the raw bytes and the parameters', async () => {
    const result = await verify(signedEvent({ keyid: 'idaas', nonce: 'n-1' }))
    expect(result).toEqual({
      ok: true,
      event: JSON.parse(EVENT_BODY),
      body: Buffer.from(EVENT_BODY),
      signature: { label: 'sig', created: CREATED, keyid: 'idaas', nonce: 'n-1' },
      schemes: ['rfc9421'],
    })
  })

  it('accepts a Fetch Request and reads its body once', async () => {
    const delivery = signedEvent()
    const request = new Request(URL, {
      method: 'POST',
      headers: delivery.headers,
      body: EVENT_BODY,
    })
    expect(await verifyDelivery(request, { token: TOKEN, now: NOW })).toMatchObject({ ok: true })
    expect(request.bodyUsed).toBe(true)
    await expect(verifyDelivery(request, { token: TOKEN, now: NOW })).rejects.toThrow(
      '[idaas-webhook-kit] Failed to verify signature: the request body was already read. Pass request.clone() before reading it.',
    )
  })

  it('accepts headers as a Headers object, a lower-case record with arrays, and mixed case', async () => {
    const delivery = signedEvent()
    const lower = Object.fromEntries(
      Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), [value]]),
    )
    const mixed = Object.fromEntries(
      Object.entries(delivery.headers).map(([name, value]) => [name.toUpperCase(), value]),
    )
    for (const headers of [new Headers(delivery.headers), lower, mixed]) {
      expect(await verify({ ...delivery, headers } as SignedDelivery)).toMatchObject({ ok: true })
    }
  })

  it('verifies a bytes body exactly like the same string', async () => {
    const delivery = signedEvent({ body: new TextEncoder().encode(EVENT_BODY) })
    expect(await verify({ ...delivery, body: EVENT_BODY })).toMatchObject({ ok: true })
    expect(await verify(delivery)).toMatchObject({ ok: true })
  })

  it('names every missing header, in the house-style message', async () => {
    const delivery = signedEvent()
    const result = await verify(
      withHeader(withHeader(delivery, 'Signature', undefined), 'Signature-Input', undefined),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'missing-header',
      missing: ['Signature-Input', 'Signature'],
      message:
        '[idaas-webhook-kit] Failed to verify signature: required headers missing: "Signature-Input", "Signature".',
    })
  })

  it('treats an empty header as missing', async () => {
    const result = await verify(withHeader(signedEvent(), 'Content-Digest', ' '))
    expect(result).toMatchObject({ reason: 'missing-header', missing: ['Content-Digest'] })
  })

  it('checks Content-Digest against the raw body before the signature (RFC 9421 §7.2.8)', async () => {
    const result = await verify({ ...signedEvent(), body: `${EVENT_BODY} ` })
    expect(result).toEqual({
      ok: false,
      reason: 'digest-mismatch',
      message:
        '[idaas-webhook-kit] Failed to verify signature: Content-Digest (sha-256) does not match the body. Was the JSON parsed and re-serialized?',
    })
  })

  it('checks a sha-512 Content-Digest (A2)', async () => {
    const delivery = signedEvent({ digestAlgorithm: 'sha-512' })
    expect(delivery.headers['Content-Digest']).toMatch(/^sha-512=:/)
    expect(await verify(delivery)).toMatchObject({ ok: true })
    expect(await verify({ ...delivery, body: `${EVENT_BODY}\n` })).toMatchObject({
      reason: 'digest-mismatch',
      message: expect.stringContaining('Content-Digest (sha-512)'),
    })
  })

  it('checks every supported digest when several are sent, and ignores unknown algorithms', async () => {
    const sha256 = signedEvent().headers['Content-Digest']
    const sha512 = signedEvent({ digestAlgorithm: 'sha-512' }).headers['Content-Digest']
    const wrong512 = 'sha-512=:AAAA:'
    const good = `unixsum=:AAAA:, ${sha256}, ${sha512}`
    expect(await verify(signWithDigest(good))).toMatchObject({ ok: true })
    expect(await verify(signWithDigest(`${sha256}, ${wrong512}`))).toMatchObject({
      reason: 'digest-mismatch',
    })
  })

  it('rejects a digest it cannot check (A2)', async () => {
    const result = await verify(signWithDigest('md5=:AAAA:, sha-384=:AAAA:'))
    expect(result).toEqual({
      ok: false,
      reason: 'unsupported-digest',
      message:
        '[idaas-webhook-kit] Failed to verify signature: "Content-Digest" has no algorithm the kit can check (found "md5", "sha-384"); expected "sha-256" or "sha-512".',
    })
  })

  it.each([
    ['Content-Digest', 'sha-256=X48E', '"Content-Digest" is not a structured field dictionary'],
    ['Content-Digest', 'sha-256=?1', '"Content-Digest" is not a structured field dictionary'],
    ['Signature-Input', 'sig=("@method" "@target-uri"', '"Signature-Input" is not a structured'],
    ['Signature', 'sig=:not base64!:', '"Signature" is not a structured field dictionary'],
    ['Signature', 'sig="a string"', '"Signature" member "sig" is not a byte sequence'],
    ['Signature-Input', 'sig="@method"', '"Signature-Input" member "sig" is not an inner list'],
  ])('rejects a malformed %s (%s)', async (name, value, text) => {
    const result = await verify(withHeader(signedEvent(), name, value))
    expect(result).toMatchObject({ ok: false, reason: 'malformed-header' })
    expect(result.ok || result.message).toContain(text)
  })

  it('finds the "sig" label among other signatures and ignores the others', async () => {
    const delivery = signedEvent()
    const headers = {
      ...delivery.headers,
      'Signature-Input': `other=("@method");created=1, ${delivery.headers['Signature-Input']}`,
      Signature: `other=:AAAA:, ${delivery.headers.Signature}`,
    }
    expect(await verify({ ...delivery, headers })).toMatchObject({ ok: true })
  })

  it('names the labels it found when "sig" is missing', async () => {
    const delivery = signedEvent()
    const headers = {
      ...delivery.headers,
      'Signature-Input': delivery.headers['Signature-Input'].replace(/^sig=/, 'sig1='),
    }
    expect(await verify({ ...delivery, headers })).toEqual({
      ok: false,
      reason: 'label-not-found',
      message:
        '[idaas-webhook-kit] Failed to verify signature: "Signature-Input" has no signature labelled "sig" (found "sig1").',
    })
  })

  it('accepts the signature parameters in any order and ignores unknown ones (A3)', async () => {
    const delivery = signedEvent({ keyid: 'k', nonce: 'n', tag: 'idaas' })
    const input = delivery.headers['Signature-Input']
    expect(input).toBe(
      'sig=("@method" "@target-uri" "content-digest");created=1773682385;nonce="n";alg="hmac-sha256";keyid="k";tag="idaas"',
    )
    const reordered = signDeliveryWith(
      {
        url: URL,
        body: EVENT_BODY,
        token: TOKEN,
        created: CREATED,
        keyid: 'k',
        nonce: 'n',
        tag: 'idaas',
      },
      { parameterOrder: ['tag', 'alg', 'keyid', 'nonce'], extraParameters: [['x-unknown', 42]] },
    )
    expect(reordered['Signature-Input']).toBe(
      'sig=("@method" "@target-uri" "content-digest");tag="idaas";alg="hmac-sha256";keyid="k";nonce="n";created=1773682385;x-unknown=42',
    )
    expect(await verify({ ...delivery, headers: reordered })).toMatchObject({
      ok: true,
      signature: { created: CREATED, keyid: 'k', nonce: 'n', tag: 'idaas' },
    })
  })

  it('refuses a signature without alg as a profile mismatch, and accepts it with option "profile" "rfc9421"', async () => {
    const noAlg = signDeliveryWith(
      { url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED },
      { alg: false },
    )
    expect(await verify({ ...signedEvent(), headers: noAlg })).toEqual({
      ok: false,
      reason: 'profile-mismatch',
      message:
        '[idaas-webhook-kit] Failed to verify signature: signature "sig" does not match the IDaaS signing profile: no "alg" parameter; the profile sends alg="hmac-sha256". Pass option "profile" "rfc9421" to accept any RFC 9421 hmac-sha256 signature over those components.',
    })
    expect(
      await verify({ ...signedEvent(), headers: noAlg }, { profile: 'rfc9421' }),
    ).toMatchObject({ ok: true })
  })

  it('accepts extra whitespace in the inner list', async () => {
    // RFC 8941 allows several spaces between inner-list items; the base uses the canonical form.
    const spaced = {
      ...signedEvent().headers,
      'Signature-Input': signedEvent()
        .headers['Signature-Input'].replace('(', '(  ')
        .replaceAll('" "', '"   "'),
    }
    expect(await verify({ ...signedEvent(), headers: spaced })).toMatchObject({ ok: true })
  })

  it('requires all three components and names the missing one', async () => {
    const headers = signDeliveryWith(
      { url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED },
      { components: ['@method', 'content-digest'] },
    )
    expect(await verify({ ...signedEvent(), headers })).toEqual({
      ok: false,
      reason: 'missing-component',
      missing: ['@target-uri'],
      message:
        '[idaas-webhook-kit] Failed to verify signature: signature "sig" does not cover "@target-uri"; IDaaS signs "@method", "@target-uri" and "content-digest".',
    })
  })

  it('refuses an extra covered component as a profile mismatch by default', async () => {
    const headers = signDeliveryWith(
      { url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED },
      { components: [...threeComponents, 'content-type'] },
    )
    expect(await verify({ ...signedEvent(), headers })).toMatchObject({
      ok: false,
      reason: 'profile-mismatch',
      message: expect.stringContaining('covers "content-type", which the profile does not cover'),
    })
  })

  it('with option "profile" "rfc9421", covers an extra header component when the request has it, and rejects it when absent', async () => {
    const headers = signDeliveryWith(
      { url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED },
      { components: [...threeComponents, 'content-type'] },
    )
    const rfc = { profile: 'rfc9421' } as const
    expect(await verify({ ...signedEvent(), headers }, rfc)).toMatchObject({ ok: true })
    const noType: Record<string, string> = { ...headers }
    delete noType['Content-Type']
    expect(await verify({ ...signedEvent(), headers: noType }, rfc)).toEqual({
      ok: false,
      reason: 'missing-header',
      missing: ['content-type'],
      message:
        '[idaas-webhook-kit] Failed to verify signature: header "content-type" is covered by the signature but missing.',
    })
  })

  it('rejects derived components outside the profile and duplicated components', async () => {
    const input = signedEvent().headers['Signature-Input']
    const query = withHeader(
      signedEvent(),
      'Signature-Input',
      input.replace('"@method"', '"@method" "@query"'),
    )
    expect(await verify(query)).toMatchObject({
      reason: 'malformed-header',
      message: expect.stringContaining('covers unsupported component "@query"'),
    })
    const twice = withHeader(
      signedEvent(),
      'Signature-Input',
      input.replace('"@method"', '"@method" "@method"'),
    )
    expect(await verify(twice)).toMatchObject({
      reason: 'malformed-header',
      message: expect.stringContaining('covers component "@method" twice'),
    })
    const parameterised = withHeader(
      signedEvent(),
      'Signature-Input',
      input.replace('"content-digest"', '"content-digest";sf'),
    )
    expect(await verify(parameterised)).toMatchObject({
      reason: 'malformed-header',
      message: expect.stringContaining('covers unsupported component "content-digest";sf'),
    })
  })

  it('rejects an alg other than hmac-sha256 by name, and a non-string alg as malformed', async () => {
    const headers = signDeliveryWith(
      { url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED },
      { alg: 'hmac-sha512' },
    )
    expect(await verify({ ...signedEvent(), headers })).toEqual({
      ok: false,
      reason: 'unsupported-algorithm',
      message:
        '[idaas-webhook-kit] Failed to verify signature: signature "sig" has alg "hmac-sha512"; only "hmac-sha256" is supported.',
    })
    const token = withHeader(
      signedEvent(),
      'Signature-Input',
      signedEvent().headers['Signature-Input'].replace('alg="hmac-sha256"', 'alg=hmac-sha256'),
    )
    expect(await verify(token)).toMatchObject({ reason: 'malformed-header' })
  })

  it('rejects a non-integer created', async () => {
    const delivery = withHeader(
      signedEvent(),
      'Signature-Input',
      signedEvent().headers['Signature-Input'].replace(
        'created=1773682385',
        'created=1773682385.5',
      ),
    )
    expect(await verify(delivery)).toMatchObject({
      reason: 'malformed-header',
      message: expect.stringContaining('signature parameter "created" is not an integer'),
    })
  })

  describe('replay window (A4)', () => {
    const at = (seconds: number) => () => seconds * 1000

    it('accepts created up to 300 s old and rejects it one second later', async () => {
      expect(await verify(signedEvent(), { now: at(CREATED + 300) })).toMatchObject({ ok: true })
      expect(await verify(signedEvent(), { now: at(CREATED + 301) })).toEqual({
        ok: false,
        reason: 'expired',
        message:
          '[idaas-webhook-kit] Failed to verify signature: "created" 1773682385 is 301 s old; the limit is 300 s (option "maxAgeSeconds").',
      })
    })

    it('accepts created up to 60 s in the future and rejects it one second further', async () => {
      expect(await verify(signedEvent(), { now: at(CREATED - 60) })).toMatchObject({ ok: true })
      expect(await verify(signedEvent(), { now: at(CREATED - 61) })).toEqual({
        ok: false,
        reason: 'not-yet-valid',
        message:
          '[idaas-webhook-kit] Failed to verify signature: "created" 1773682385 is 61 s in the future; the limit is 60 s (option "maxSkewSeconds"). Is the clock right?',
      })
    })

    it('takes other windows, or none', async () => {
      expect(
        await verify(signedEvent(), { now: at(CREATED + 20), maxAgeSeconds: 10 }),
      ).toMatchObject({
        reason: 'expired',
      })
      expect(
        await verify(signedEvent(), { now: at(CREATED - 20), maxSkewSeconds: 10 }),
      ).toMatchObject({
        reason: 'not-yet-valid',
      })
      expect(
        await verify(signedEvent(), { now: at(CREATED + 86_400), maxAgeSeconds: false }),
      ).toMatchObject({
        ok: true,
      })
      expect(
        await verify(signedEvent(), { now: at(CREATED - 86_400), maxSkewSeconds: false }),
      ).toMatchObject({
        ok: true,
      })
    })

    it('accepts a delivery without created at any time', async () => {
      const delivery = signedEvent({ created: false })
      expect(delivery.headers['Signature-Input']).not.toContain('created')
      expect(await verify(delivery, { now: at(0) })).toMatchObject({ ok: true })
    })

    it('rejects a delivery past its expires, allowing the clock skew', async () => {
      const delivery = signedEvent({ expires: CREATED + 30 })
      expect(await verify(delivery, { now: at(CREATED + 90) })).toMatchObject({ ok: true })
      expect(await verify(delivery, { now: at(CREATED + 91) })).toMatchObject({
        reason: 'expired',
        message:
          '[idaas-webhook-kit] Failed to verify signature: "expires" 1773682415 passed 61 s ago.',
      })
    })

    it('reads the default clock only when no clock is injected', async () => {
      const fresh = signedEvent({ created: Math.floor(Date.now() / 1000) })
      expect(await verifyDelivery(fresh, { token: TOKEN })).toMatchObject({ ok: true })
      expect(await verifyDelivery(signedEvent(), { token: TOKEN })).toMatchObject({
        reason: 'expired',
      })
    })
  })

  describe('@target-uri (A5)', () => {
    const proxied = () => ({ ...signedEvent(), url: 'http://127.0.0.1:3000/webhooks/idaas' })

    it('rejects a delivery seen at another URL and names the URI it rebuilt', async () => {
      expect(await verify(proxied())).toEqual({
        ok: false,
        reason: 'signature-mismatch',
        message:
          '[idaas-webhook-kit] Failed to verify signature: signature "sig" does not match the request (@method "POST", @target-uri "http://127.0.0.1:3000/webhooks/idaas"). Is the token right, and is option "publicUrl" the URL registered in IDaaS?',
      })
    })

    it('accepts it with publicUrl as a string, a URL or a function', async () => {
      for (const publicUrl of [
        URL,
        new globalThis.URL(URL),
        (seen: string) => seen.replace('http://127.0.0.1:3000', 'https://receiver.example.com'),
      ]) {
        expect(await verify(proxied(), { publicUrl })).toMatchObject({ ok: true })
      }
    })

    it('normalizes scheme and host case, the default port and the fragment on both sides', async () => {
      const delivery = signedEvent({ url: 'HTTPS://Receiver.Example.com:443/webhooks/idaas#x' })
      expect(await verify({ ...delivery, url: URL })).toMatchObject({ ok: true })
    })

    it('keeps the query and the trailing slash significant', async () => {
      expect(await verify({ ...signedEvent(), url: `${URL}?a=1` })).toMatchObject({
        reason: 'signature-mismatch',
      })
      expect(await verify({ ...signedEvent(), url: `${URL}/` })).toMatchObject({
        reason: 'signature-mismatch',
      })
    })

    it('throws a KitError for a relative URL without publicUrl', async () => {
      const error = await verify({ ...signedEvent(), url: '/webhooks/idaas' }).catch(
        (e: unknown) => e,
      )
      expect(isKitError(error)).toBe(true)
      expect((error as Error).message).toBe(
        '[idaas-webhook-kit] Failed to verify signature: the request URL "/webhooks/idaas" is not an absolute URL. Pass the URL registered in IDaaS as option "publicUrl".',
      )
      expect(
        await verify({ ...signedEvent(), url: '/webhooks/idaas' }, { publicUrl: URL }),
      ).toMatchObject({ ok: true })
    })
  })

  it('does not normalize the method', async () => {
    expect(await verify({ ...signedEvent(), method: 'post' })).toMatchObject({
      reason: 'signature-mismatch',
    })
    expect(await verify({ ...signedEvent(), method: 'PUT' })).toMatchObject({
      reason: 'signature-mismatch',
    })
  })

  it('accepts any of several tokens, e.g. while moving to a new webhook', async () => {
    expect(await verify(signedEvent(), { token: ['whsec_new', TOKEN] })).toMatchObject({ ok: true })
    expect(await verify(signedEvent(), { token: ['whsec_new', 'whsec_other'] })).toMatchObject({
      reason: 'signature-mismatch',
    })
  })

  it('rejects a signature of the wrong length without throwing', async () => {
    const delivery = withHeader(signedEvent(), 'Signature', 'sig=:AAAA:')
    expect(await verify(delivery)).toMatchObject({ reason: 'signature-mismatch' })
  })

  it('parses JSON only after the signature holds', async () => {
    const notJson = createSignedDelivery({
      url: URL,
      body: '{"id":',
      token: TOKEN,
      created: CREATED,
    })
    expect(await verify(notJson)).toEqual({
      ok: false,
      reason: 'invalid-json',
      message:
        '[idaas-webhook-kit] Failed to read delivery: the signature holds but the body is not valid UTF-8 JSON.',
    })
    const badUtf8 = createSignedDelivery({
      url: URL,
      body: new Uint8Array([0x22, 0xff, 0x22]),
      token: TOKEN,
      created: CREATED,
    })
    expect(await verify(badUtf8)).toMatchObject({ reason: 'invalid-json' })
    expect(await verify({ ...notJson, headers: signedEvent().headers })).toMatchObject({
      reason: 'digest-mismatch',
    })
  })

  it('never puts the token or a received or computed signature in a message', async () => {
    const { createHmac } = await import('node:crypto')
    const delivery = signedEvent()
    const cases: SignedDelivery[] = [
      { ...delivery, url: 'http://127.0.0.1/x' },
      { ...delivery, body: `${EVENT_BODY} ` },
      withHeader(
        delivery,
        'Signature',
        `sig=:${createHmac('sha256', 'x').update('y').digest('base64')}:`,
      ),
      withHeader(delivery, 'Signature-Input', `${delivery.headers['Signature-Input']};x=1`),
    ]
    for (const candidate of cases) {
      const result = await verify(candidate)
      expect(result.ok).toBe(false)
      if (result.ok) continue
      expect(result.message).not.toContain(TOKEN)
      expect(result.message).not.toContain(TOKEN.slice(6))
      for (const signature of [
        ...signatureValues(candidate.headers),
        ...signatureValues(delivery.headers),
      ]) {
        expect(result.message).not.toContain(signature)
      }
    }
  })

  it('throws a KitError naming the option for bad options', async () => {
    const delivery = signedEvent()
    const cases: [Partial<VerifyDeliveryOptions>, string][] = [
      [{ token: '' }, 'option "token" must be a non-empty string.'],
      [{ token: [] }, 'option "token" must be a non-empty string.'],
      [
        { maxAgeSeconds: -1 },
        'option "maxAgeSeconds" must be a number of seconds or false, got "-1".',
      ],
      [
        { maxSkewSeconds: Number.NaN },
        'option "maxSkewSeconds" must be a number of seconds or false, got "NaN".',
      ],
      [
        { keyEncoding: 'hex' as 'utf8' },
        'option "keyEncoding" must be "utf8" or "base64", got "hex".',
      ],
    ]
    for (const [options, text] of cases) {
      await expect(verify(delivery, options)).rejects.toThrow(
        `[idaas-webhook-kit] Failed to verify signature: ${text}`,
      )
    }
  })

  it('lists every reason it can give', () => {
    expect([...VERIFY_FAILURE_REASONS].sort()).toEqual(
      [
        'digest-mismatch',
        'expired',
        'invalid-json',
        'label-not-found',
        'malformed-header',
        'missing-component',
        'missing-header',
        'not-yet-valid',
        'profile-mismatch',
        'scheme-not-accepted',
        'signature-mismatch',
        'unsupported-algorithm',
        'unsupported-digest',
      ].sort(),
    )
  })
})

const threeComponents = ['@method', '@target-uri', 'content-digest']

/** A delivery of EVENT_BODY whose signature covers (and so vouches for) `contentDigest`. */
function signWithDigest(contentDigest: string): SignedDelivery {
  const headers = signDeliveryWith(
    { url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED },
    { contentDigest },
  )
  return { method: 'POST', url: URL, body: EVENT_BODY, headers }
}
