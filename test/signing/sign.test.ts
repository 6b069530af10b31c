import { describe, expect, it } from 'vitest'
import { isKitError } from '../../src/index.js'
import { createSignedDelivery } from '../../src/signing/signed-delivery.js'
import { type SignDeliveryOptions, signDelivery } from '../../src/testing.js'
import { CREATED, EVENT_BODY, TOKEN, URL } from './helpers.js'

const base: SignDeliveryOptions = { url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED }

describe('signDelivery', () => {
  it('returns exactly the four headers IDaaS sends', () => {
    expect(Object.keys(signDelivery(base))).toEqual([
      'Content-Type',
      'Content-Digest',
      'Signature-Input',
      'Signature',
    ])
  })

  it('signs the body bytes as given: a different byte gives a different digest and signature', () => {
    const a = signDelivery(base)
    const b = signDelivery({ ...base, body: `${EVENT_BODY}\n` })
    expect(b['Content-Digest']).not.toBe(a['Content-Digest'])
    expect(b.Signature).not.toBe(a.Signature)
    expect(signDelivery({ ...base, body: new TextEncoder().encode(EVENT_BODY) })).toEqual(a)
    expect(signDelivery({ ...base, body: new TextEncoder().encode(EVENT_BODY).buffer })).toEqual(a)
  })

  it('uses sha-512 for Content-Digest when asked (A2)', () => {
    const headers = signDelivery({ ...base, digestAlgorithm: 'sha-512' })
    expect(headers['Content-Digest']).toMatch(/^sha-512=:[A-Za-z0-9+/]{86}==:$/)
  })

  it('adds expires, nonce, keyid and tag in a fixed order after created (A3)', () => {
    const headers = signDelivery({
      ...base,
      expires: CREATED + 300,
      nonce: 'abc',
      keyid: 'wh_1',
      tag: 'idaas',
    })
    expect(headers['Signature-Input']).toBe(
      'sig=("@method" "@target-uri" "content-digest");created=1773682385;expires=1773682685;nonce="abc";alg="hmac-sha256";keyid="wh_1";tag="idaas"',
    )
  })

  it('omits created with created: false (A3)', () => {
    expect(signDelivery({ ...base, created: false })['Signature-Input']).toBe(
      'sig=("@method" "@target-uri" "content-digest");alg="hmac-sha256"',
    )
  })

  it('takes created from the injected clock, never from Date.now when one is given', () => {
    const headers = signDelivery({ url: URL, body: EVENT_BODY, token: TOKEN, now: () => 1_000_999 })
    expect(headers['Signature-Input']).toContain(';created=1000;')
  })

  it('normalizes the URL the way a receiver sees it, and signs the method it is given', () => {
    expect(
      signDelivery({ ...base, url: 'https://RECEIVER.example.com:443/webhooks/idaas' }),
    ).toEqual(signDelivery(base))
    expect(signDelivery({ ...base, url: new globalThis.URL(URL) })).toEqual(signDelivery(base))
    expect(signDelivery({ ...base, method: 'PUT' }).Signature).not.toBe(
      signDelivery(base).Signature,
    )
  })

  it('throws a KitError naming the option for bad options', () => {
    const cases: [Partial<SignDeliveryOptions>, string][] = [
      [{ url: '/webhooks/idaas' }, 'option "url" must be an absolute URL, got "/webhooks/idaas".'],
      [{ token: '' }, 'option "token" must be a non-empty string.'],
      [
        { keyEncoding: 'hex' as 'utf8' },
        'option "keyEncoding" must be "utf8" or "base64", got "hex".',
      ],
      [
        { token: 'whsec_', keyEncoding: 'base64' },
        'option "token" decodes to no bytes with option "keyEncoding" "base64". Is the token base64?',
      ],
      [
        { digestAlgorithm: 'md5' as 'sha-256' },
        'option "digestAlgorithm" must be "sha-256" or "sha-512", got "md5".',
      ],
      [{ created: 1.5 }, 'option "created" must be whole Unix seconds, got "1.5".'],
      [{ expires: -1 }, 'option "expires" must be whole Unix seconds, got "-1".'],
    ]
    for (const [options, text] of cases) {
      let error: unknown
      try {
        signDelivery({ ...base, ...options })
      } catch (caught) {
        error = caught
      }
      expect(isKitError(error)).toBe(true)
      expect((error as Error).message).toBe(`[idaas-webhook-kit] Failed to sign delivery: ${text}`)
    }
  })

  it('never puts the token in an error message', () => {
    expect(() => signDelivery({ ...base, url: 'nope' })).toThrow(/^(?!.*whsec_3f8a).*$/s)
  })
})

describe('createSignedDelivery', () => {
  it('returns the request to send: POST, the URL, the signed headers and the same body', () => {
    expect(createSignedDelivery(base)).toEqual({
      method: 'POST',
      url: URL,
      headers: signDelivery(base),
      body: EVENT_BODY,
    })
  })

  it('copies a bytes body so later changes to the caller buffer do not alter it', () => {
    const bytes = new TextEncoder().encode(EVENT_BODY)
    const delivery = createSignedDelivery({ ...base, body: bytes })
    bytes[0] = 0x20
    expect(new TextDecoder().decode(delivery.body as Uint8Array)).toBe(EVENT_BODY)
  })
})
