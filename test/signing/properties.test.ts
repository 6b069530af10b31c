import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { verifyDelivery } from '../../src/index.js'
import { signDeliveryWith } from '../../src/signing/sign.js'
import {
  createContentDigest,
  createSignedDelivery,
  type SignedDelivery,
} from '../../src/testing.js'
import { CREATED, EVENT_BODY, NOW, TOKEN, URL } from './helpers.js'

const verify = (delivery: SignedDelivery) => verifyDelivery(delivery, { token: TOKEN, now: NOW })
const original = () =>
  createSignedDelivery({ url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED })
const bytes = (body: string | Uint8Array) =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body
const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i])

// HTTP method tokens (RFC 9110 §9.1: tchar).
const method = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,10}$/)
const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{0,12}$/)
const targetUrl = fc
  .record({
    scheme: fc.constantFrom('https', 'http'),
    host: fc.constantFrom('receiver.example.com', 'example.org', '127.0.0.1', 'hooks.example.net'),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    path: fc.array(segment, { maxLength: 4 }),
    query: fc.option(fc.stringMatching(/^[a-z0-9=&]{0,12}$/), { nil: undefined }),
  })
  .map(({ scheme, host, port, path, query }) => {
    const authority = port === undefined ? host : `${host}:${port}`
    return `${scheme}://${authority}/${path.join('/')}${query === undefined ? '' : `?${query}`}`
  })

describe('verification properties', () => {
  it('verifies every body it signed, whatever its bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (body) => {
        const result = await verify(
          createSignedDelivery({ url: URL, body, token: TOKEN, created: CREATED }),
        )
        // Only the JSON step may fail: the signature and the digest always hold.
        expect(result.ok || result.reason === 'invalid-json').toBe(true)
      }),
    )
  })

  it('any other method breaks the signature', async () => {
    await fc.assert(
      fc.asyncProperty(
        method.filter((m) => m !== 'POST'),
        async (changed) => {
          expect(await verify({ ...original(), method: changed })).toMatchObject({
            ok: false,
            reason: 'signature-mismatch',
          })
        },
      ),
    )
  })

  it('any other target URI breaks the signature', async () => {
    await fc.assert(
      fc.asyncProperty(targetUrl, async (url) => {
        fc.pre(new globalThis.URL(url).href !== URL)
        expect(await verify({ ...original(), url })).toMatchObject({
          ok: false,
          reason: 'signature-mismatch',
        })
      }),
    )
  })

  it('any change to the body breaks the digest, and a fresh digest then breaks the signature', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (body) => {
        fc.pre(!sameBytes(body, bytes(EVENT_BODY)))
        const delivery = original()
        expect(await verify({ ...delivery, body })).toMatchObject({ reason: 'digest-mismatch' })
        const headers = { ...delivery.headers, 'Content-Digest': createContentDigest(body) }
        expect(await verify({ ...delivery, body, headers })).toMatchObject({
          reason: 'signature-mismatch',
        })
      }),
    )
  })

  it('any change to the Content-Digest value breaks verification, even one that still fits the body', async () => {
    const sha256 = createContentDigest(EVENT_BODY)
    const sha512 = createContentDigest(EVENT_BODY, 'sha-512')
    const member = fc.oneof(
      fc.constant(sha512),
      fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((b) => `unixsum=:${Buffer.from(b).toString('base64')}:`),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(member, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        async (extra, at) => {
          const members = [...extra]
          members.splice(at % (members.length + 1), 0, sha256)
          const delivery = original()
          const headers = { ...delivery.headers, 'Content-Digest': members.join(', ') }
          expect(await verify({ ...delivery, headers })).toMatchObject({
            ok: false,
            reason: 'signature-mismatch',
          })
        },
      ),
    )
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (digest) => {
        const value = `sha-256=:${Buffer.from(digest).toString('base64')}:`
        fc.pre(value !== sha256)
        const delivery = original()
        const headers = { ...delivery.headers, 'Content-Digest': value }
        expect(await verify({ ...delivery, headers })).toMatchObject({
          ok: false,
          reason: 'digest-mismatch',
        })
      }),
    )
  })

  it('the order of signature parameters does not matter, and unknown ones are ignored', async () => {
    const names = ['created', 'expires', 'nonce', 'alg', 'keyid', 'tag']
    const unknown = fc.array(
      fc.tuple(
        fc.stringMatching(/^x-[a-z]{1,6}$/),
        fc.oneof(
          fc.integer({ min: 0, max: 1e9 }),
          fc.stringMatching(/^[ -~]{0,10}$/),
          fc.boolean(),
        ),
      ),
      { maxLength: 3 },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(names, { minLength: names.length }),
        unknown,
        async (order, extra) => {
          const headers = signDeliveryWith(
            {
              url: URL,
              body: EVENT_BODY,
              token: TOKEN,
              created: CREATED,
              expires: CREATED + 600,
              nonce: 'n',
              keyid: 'k',
              tag: 't',
            },
            { parameterOrder: order, extraParameters: extra },
          )
          const result = await verify({ ...original(), headers })
          expect(result).toMatchObject({
            ok: true,
            signature: { created: CREATED, nonce: 'n', keyid: 'k', tag: 't' },
          })
        },
      ),
    )
  })

  it('the order of labels in Signature-Input and Signature does not matter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), async (inputFirst, signatureFirst) => {
        const delivery = original()
        const other = { input: 'other=("@method");created=1', signature: 'other=:AAAA:' }
        const join = (first: boolean, ours: string, theirs: string) =>
          first ? `${ours}, ${theirs}` : `${theirs}, ${ours}`
        const headers = {
          ...delivery.headers,
          'Signature-Input': join(inputFirst, delivery.headers['Signature-Input'], other.input),
          Signature: join(signatureFirst, delivery.headers.Signature, other.signature),
        }
        expect(await verify({ ...delivery, headers })).toMatchObject({ ok: true })
      }),
    )
  })
})

describe('serializeSignatureParams', () => {
  it('serializes every inner list exactly as structured-headers does', async () => {
    const { serializeSignatureParams } = await import('../../src/signing/signature-base.js')
    const { serializeInnerList, Token } = await import('structured-headers')
    const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,8}$/)
    const bare = fc.oneof(
      fc.stringMatching(/^[ -~]{0,12}$/),
      fc.integer({ min: -999_999_999, max: 999_999_999 }),
      fc.boolean(),
      fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]{0,8}$/).map((t) => new Token(t)),
      fc.uint8Array({ maxLength: 8 }),
      fc.integer({ min: -99_999, max: 99_999 }).map((n) => n / 8 + 0.125),
    )
    const parameters = fc
      .array(fc.tuple(key, bare), { maxLength: 4 })
      .map((entries) => new Map(entries))
    const item = fc.tuple(fc.oneof(fc.stringMatching(/^[ -~]{0,12}$/), bare), parameters)
    await fc.assert(
      fc.property(fc.array(item, { maxLength: 4 }), parameters, (items, params) => {
        expect(serializeSignatureParams([items, params])).toBe(serializeInnerList([items, params]))
      }),
    )
  })
})
