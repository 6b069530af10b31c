import { createSecretKey } from 'node:crypto'
// http-message-signatures is a dev dependency used only here, as an independent RFC 9421
// implementation to cross-check the kit's signer and verifier (see src/signing/signature-base.ts).
import { createSigner, createVerifier, httpbis } from 'http-message-signatures'
import { describe, expect, it } from 'vitest'
import { verifyDelivery } from '../../src/index.js'
import { createContentDigest, signDelivery } from '../../src/testing.js'
import { EVENT_BODY, TOKEN, URL } from './helpers.js'

const key = createSecretKey(Buffer.from(TOKEN, 'utf8'))

describe('interoperability with http-message-signatures 1.0.6', () => {
  // That library reads Date.now() itself and rejects a created in the future, so use real time.
  const created = Math.floor(Date.now() / 1000) - 5

  it('verifies the kit signature', async () => {
    const headers = signDelivery({ url: URL, body: EVENT_BODY, token: TOKEN, created })
    const verified = await httpbis.verifyMessage(
      {
        keyLookup: async () => ({
          id: 'idaas',
          algs: ['hmac-sha256'],
          verify: createVerifier(key, 'hmac-sha256'),
        }),
        requiredFields: ['@method', '@target-uri', 'content-digest'],
      },
      { method: 'POST', url: URL, headers },
    )
    expect(verified).toBe(true)
  })

  it('rejects the kit signature for another target URI', async () => {
    const headers = signDelivery({ url: URL, body: EVENT_BODY, token: TOKEN, created })
    const verified = await httpbis.verifyMessage(
      { keyLookup: async () => ({ verify: createVerifier(key, 'hmac-sha256') }) },
      { method: 'POST', url: `${URL}/other`, headers },
    )
    expect(verified).toBe(false)
  })

  it('produces a signature the kit verifies', async () => {
    const signed = await httpbis.signMessage(
      {
        key: createSigner(key, 'hmac-sha256'),
        fields: ['@method', '@target-uri', 'content-digest'],
        params: ['created', 'alg'],
        paramValues: { created: new Date(created * 1000), alg: 'hmac-sha256' },
      },
      {
        method: 'POST',
        url: URL,
        headers: {
          'content-type': 'application/json',
          'content-digest': createContentDigest(EVENT_BODY),
        },
      },
    )
    expect((signed.headers as Record<string, string>)['Signature-Input']).toBe(
      `sig=("@method" "@target-uri" "content-digest");created=${created};alg="hmac-sha256"`,
    )
    const result = await verifyDelivery(
      {
        method: 'POST',
        url: URL,
        headers: signed.headers as Record<string, string>,
        body: EVENT_BODY,
      },
      { token: TOKEN, now: () => created * 1000 },
    )
    expect(result).toMatchObject({ ok: true })
  })
})
