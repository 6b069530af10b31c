import { describe, expect, it } from 'vitest'
import { isKitError, VERIFY_FAILURE_REASONS, verifyDelivery } from '../../src/index.js'
import { createSignedDelivery } from '../../src/signing/signed-delivery.js'
import { createNegativeVectors } from '../../src/testing.js'
import { CREATED, EVENT_BODY, NOW, signatureValues, signedEvent, TOKEN, URL } from './helpers.js'

describe('createNegativeVectors', () => {
  const vectors = createNegativeVectors(signedEvent(), { token: TOKEN })

  it('produces the documented variants with stable, unique ids', () => {
    expect(vectors.map((v) => [v.id, v.reason])).toEqual([
      ['no-signature-headers', 'missing-header'],
      ['no-content-digest', 'missing-header'],
      ['wrong-token', 'signature-mismatch'],
      ['body-changed-old-digest', 'digest-mismatch'],
      ['body-changed-fresh-digest', 'signature-mismatch'],
      ['wrong-target-uri', 'signature-mismatch'],
      ['alg-not-hmac-sha256', 'unsupported-algorithm'],
      ['alg-missing', 'profile-mismatch'],
      ['extra-component', 'profile-mismatch'],
      ['label-not-sig', 'label-not-found'],
      ['created-one-hour-old', 'expired'],
      ['created-in-the-future', 'not-yet-valid'],
      ['unsupported-digest-algorithm', 'unsupported-digest'],
      ['content-digest-not-covered', 'missing-component'],
      ['malformed-signature-input', 'malformed-header'],
      ['created-decimal', 'malformed-header'],
      ['body-not-json', 'invalid-json'],
      ['only-x-sha2-signature', 'scheme-not-accepted'],
    ])
  })

  it('covers every reason the verifier can give', () => {
    expect(new Set(vectors.map((v) => v.reason))).toEqual(new Set(VERIFY_FAILURE_REASONS))
  })

  it.each(vectors.map((v) => [v.id, v] as const))(
    'rejects "%s" with exactly its stated reason',
    async (_id, vector) => {
      const result = await verifyDelivery(vector.delivery, { token: TOKEN, now: NOW })
      expect(result).toMatchObject({ ok: false, reason: vector.reason })
      // The vector changes only what it says: same method and URL as the original.
      expect(vector.delivery.method).toBe('POST')
      expect(vector.delivery.url).toBe(URL)
    },
  )

  it('keeps the original delivery valid and untouched', async () => {
    const original = signedEvent()
    const copy = structuredClone(original)
    createNegativeVectors(original, { token: TOKEN })
    expect(original).toEqual(copy)
    expect(await verifyDelivery(original, { token: TOKEN, now: NOW })).toMatchObject({ ok: true })
  })

  it('changes the body only where the vector says so, keeping it valid JSON', () => {
    const byId = Object.fromEntries(vectors.map((v) => [v.id, v.delivery]))
    expect(JSON.parse(String(byId['body-changed-old-digest']?.body))).toEqual({
      tampered: true,
      ...JSON.parse(EVENT_BODY),
    })
    expect(byId['body-changed-fresh-digest']?.body).toBe(byId['body-changed-old-digest']?.body)
    expect(byId['wrong-token']?.body).toBe(EVENT_BODY)
  })

  it('works for a bytes body, a sha-512 digest, extra parameters and the base64 key encoding', async () => {
    const delivery = createSignedDelivery({
      url: URL,
      body: new TextEncoder().encode(EVENT_BODY),
      token: TOKEN,
      created: CREATED,
      keyEncoding: 'base64',
      digestAlgorithm: 'sha-512',
      keyid: 'wh_1',
      nonce: 'n',
    })
    const options = { token: TOKEN, keyEncoding: 'base64' as const, now: NOW }
    for (const vector of createNegativeVectors(delivery, options)) {
      expect(vector.delivery.body).toBeInstanceOf(Uint8Array)
      expect(await verifyDelivery(vector.delivery, options), vector.id).toMatchObject({
        reason: vector.reason,
      })
    }
  })

  it('signs wrong-target-uri for another address when the receiver already is at the proxy rewrite', async () => {
    const url = 'http://127.0.0.1:8080/webhooks/idaas?tenant=1'
    const delivery = createSignedDelivery({ url, body: EVENT_BODY, token: TOKEN, created: CREATED })
    const vector = createNegativeVectors(delivery, { token: TOKEN }).find(
      (v) => v.id === 'wrong-target-uri',
    )
    expect(vector?.description).toContain('"http://127.0.0.1:8081/webhooks/idaas?tenant=1"')
    expect(
      await verifyDelivery(vector?.delivery ?? delivery, { token: TOKEN, now: NOW }),
    ).toMatchObject({ ok: false, reason: 'signature-mismatch' })
  })

  it('uses the injected clock when the original has no created', async () => {
    const delivery = signedEvent({ created: false })
    const vectors = createNegativeVectors(delivery, { token: TOKEN, now: NOW })
    const old = vectors.find((v) => v.id === 'created-one-hour-old')
    expect(old?.delivery.headers['Signature-Input']).toContain(`;created=${CREATED - 3600};`)
  })

  it('refuses a delivery that does not verify with the token', () => {
    let error: unknown
    try {
      createNegativeVectors(signedEvent(), { token: 'whsec_other' })
    } catch (caught) {
      error = caught
    }
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toBe(
      '[idaas-webhook-kit] Failed to create negative vectors: the delivery does not verify with option "token" (reason "signature-mismatch"). Pass a delivery signed with that token.',
    )
  })

  it('never puts the token or a signature in a verifier message', async () => {
    for (const vector of vectors) {
      const result = await verifyDelivery(vector.delivery, { token: TOKEN, now: NOW })
      if (result.ok) throw new Error(`${vector.id} verified`)
      expect(result.message).not.toContain(TOKEN)
      for (const signature of signatureValues(vector.delivery.headers)) {
        expect(result.message).not.toContain(signature)
      }
    }
  })
})
