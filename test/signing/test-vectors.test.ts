import { createHmac } from 'node:crypto'
import { type InnerList, parseDictionary, serializeDictionary } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import { verifyDelivery } from '../../src/index.js'
import { createContentDigest } from '../../src/signing/content-digest.js'
import { deriveHmacKey } from '../../src/signing/key.js'
import { createSignatureBase } from '../../src/signing/signature-base.js'
import { signDelivery } from '../../src/testing.js'

// The RFC 9421 §7.2.8 example body, also the kit worked example's. Every body below is exactly
// these bytes: 18 bytes, no trailing newline, unless the test says otherwise.
const HELLO = '{"hello": "world"}'

describe('RFC 9530 and RFC 9421 Content-Digest examples', () => {
  it('reproduces the RFC 9421 §7.2.8 sha-256 digest of {"hello": "world"} without a newline', () => {
    expect(Buffer.byteLength(HELLO)).toBe(18)
    expect(createContentDigest(HELLO)).toBe(
      'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
    )
  })

  it('reproduces the RFC 9421 Appendix B.2 sha-512 digest of the 18-byte test request body', () => {
    expect(createContentDigest(HELLO, 'sha-512')).toBe(
      'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    )
  })

  it('reproduces the RFC 9530 §2 sha-512 example only when the body ends with a newline', () => {
    const rfc9530 =
      'sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:'
    expect(createContentDigest(`${HELLO}\n`, 'sha-512')).toBe(rfc9530)
    expect(createContentDigest(HELLO, 'sha-512')).not.toBe(rfc9530)
  })

  it('hashes bytes and the equivalent UTF-8 string to the same digest', () => {
    expect(createContentDigest(new TextEncoder().encode(HELLO))).toBe(createContentDigest(HELLO))
  })
})

describe('RFC 9421 Appendix B.2.5 hmac-sha256 test vector', () => {
  // Appendix B.1.5: the 64-byte key "test-shared-secret", given in base64.
  const TEST_SHARED_SECRET =
    'uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ=='
  const SIGNATURE_INPUT =
    'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"'
  const EXPECTED_BASE = [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@authority": example.com',
    '"content-type": application/json',
    '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
  ].join('\n')
  // The Appendix B.2 test request.
  const headers: Record<string, string> = {
    host: 'example.com',
    date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'content-type': 'application/json',
  }

  const base = () => {
    const member = parseDictionary(SIGNATURE_INPUT).get('sig-b25') as InnerList
    return createSignatureBase(member, {
      method: 'POST',
      targetUri: 'https://example.com/foo?param=Value&Pet=dog',
      field: (name) => headers[name],
    })
  }

  it('builds the signature base byte for byte, with no trailing newline', () => {
    expect(base()).toBe(EXPECTED_BASE)
    expect(String(base()).endsWith('\n')).toBe(false)
  })

  it('produces the published signature with the base64-decoded key', () => {
    const key = deriveHmacKey(TEST_SHARED_SECRET, 'base64')
    const signature = createHmac('sha256', key).update(String(base())).digest()
    expect(serializeDictionary(new Map([['sig-b25', [signature, new Map()]]]))).toBe(
      'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:',
    )
  })

  it('does not produce it when the base has a trailing newline', () => {
    const key = deriveHmacKey(TEST_SHARED_SECRET, 'base64')
    const signature = createHmac('sha256', key)
      .update(`${String(base())}\n`)
      .digest('base64')
    expect(signature).not.toBe('pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=')
  })
})

describe('the kit worked example (the OpenAPI example token)', () => {
  const TOKEN = 'whsec_3f8a9b2c1d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6'
  const URL = 'https://receiver.example.com/webhooks/idaas'
  const CREATED = 1773682385
  const sign = (keyEncoding: 'utf8' | 'base64') =>
    signDelivery({ url: URL, body: HELLO, token: TOKEN, created: CREATED, keyEncoding })

  it('produces exactly the four documented headers with the default utf8 key encoding (A1)', () => {
    expect(sign('utf8')).toEqual({
      'Content-Type': 'application/json',
      'Content-Digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
      'Signature-Input':
        'sig=("@method" "@target-uri" "content-digest");created=1773682385;alg="hmac-sha256"',
      Signature: 'sig=:UF7WQQBH/47X0K3Ar2+MD4QwHgIBDrREtdeXX0f0rp4=:',
    })
  })

  it('produces the documented signature with the base64 key encoding (A1)', () => {
    expect(sign('base64').Signature).toBe('sig=:yk68Ix2bru7EgzVr1bt3mFPb7i7eukTYkGTfjf81rsU=:')
  })

  it('signs a default created from the injected clock, in whole seconds', () => {
    const headers = signDelivery({ url: URL, body: HELLO, token: TOKEN, now: () => 1773682385_999 })
    expect(headers).toEqual(sign('utf8'))
  })

  it('verifies the documented headers and returns the parsed body', async () => {
    const result = await verifyDelivery(
      { method: 'POST', url: URL, headers: sign('utf8'), body: HELLO },
      { token: TOKEN, now: () => CREATED * 1000 },
    )
    expect(result).toMatchObject({
      ok: true,
      event: { hello: 'world' },
      signature: { created: CREATED },
    })
  })

  it('verifies the base64 variant only with keyEncoding "base64"', async () => {
    const delivery = { method: 'POST', url: URL, headers: sign('base64'), body: HELLO }
    const now = () => CREATED * 1000
    expect(
      await verifyDelivery(delivery, { token: TOKEN, now, keyEncoding: 'base64' }),
    ).toMatchObject({
      ok: true,
    })
    expect(await verifyDelivery(delivery, { token: TOKEN, now })).toMatchObject({
      ok: false,
      reason: 'signature-mismatch',
    })
  })
})
