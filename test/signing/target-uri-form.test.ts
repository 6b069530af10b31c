import { describe, expect, it } from 'vitest'
import { isKitError, verifyDelivery } from '../../src/index.js'
import { createSignedDelivery } from '../../src/signing/signed-delivery.js'
import { toTargetUri } from '../../src/signing/target-uri.js'
import { signDelivery } from '../../src/testing.js'
import { CREATED, EVENT_BODY, NOW, TOKEN } from './helpers.js'

/** Registered URLs the WHATWG serialization changes, with what it changes them to. */
const SHAPES = [
  [
    'an upper-case host',
    'https://Receiver.Example.COM/webhooks/idaas',
    'https://receiver.example.com/webhooks/idaas',
  ],
  [
    'an explicit :443',
    'https://receiver.example.com:443/webhooks/idaas',
    'https://receiver.example.com/webhooks/idaas',
  ],
  [
    'a non-ASCII path',
    'https://receiver.example.com/webhooks/caf\u00e9',
    'https://receiver.example.com/webhooks/caf%C3%A9',
  ],
] as const

const sign = (url: string, targetUriForm: 'normalized' | 'exact') =>
  createSignedDelivery({ url, body: EVENT_BODY, token: TOKEN, created: CREATED, targetUriForm })

const verify = (
  delivery: ReturnType<typeof sign>,
  options: { publicUrl?: string; targetUriForm?: 'normalized' | 'exact' },
) => verifyDelivery(delivery, { token: TOKEN, now: NOW, ...options })

describe('@target-uri forms (A5)', () => {
  it.each(SHAPES)('normalizes %s by default, the WHATWG way', (_shape, registered, normalized) => {
    expect(toTargetUri(registered)).toBe(normalized)
    expect(toTargetUri(registered, 'exact')).toBe(registered)
  })

  it.each(SHAPES)(
    'signs and verifies %s byte for byte with targetUriForm "exact"',
    async (_shape, registered) => {
      const delivery = sign(registered, 'exact')
      // The receiver is told the registered URL, whatever it was reached at.
      expect(
        await verify(delivery, { publicUrl: registered, targetUriForm: 'exact' }),
      ).toMatchObject({ ok: true })
      // The received URL itself, as given, verifies too.
      expect(await verify(delivery, { targetUriForm: 'exact' })).toMatchObject({ ok: true })
    },
  )

  it.each(SHAPES)(
    'does not mix the forms for %s: exact against normalized fails both ways',
    async (_shape, registered) => {
      const exact = sign(registered, 'exact')
      const normalized = sign(registered, 'normalized')
      expect(await verify(exact, { publicUrl: registered })).toMatchObject({
        ok: false,
        reason: 'signature-mismatch',
      })
      expect(
        await verify(normalized, { publicUrl: registered, targetUriForm: 'exact' }),
      ).toMatchObject({ ok: false, reason: 'signature-mismatch' })
      // Each form verifies what it signed.
      expect(await verify(normalized, { publicUrl: registered })).toMatchObject({ ok: true })
    },
  )

  it('drops a fragment in both forms, and keeps the query exactly in the exact form', async () => {
    expect(toTargetUri('https://Example.com/a?B=%7e#frag', 'exact')).toBe(
      'https://Example.com/a?B=%7e',
    )
    expect(toTargetUri('https://Example.com/a?B=%7e#frag')).toBe('https://example.com/a?B=%7e')
  })

  it('refuses, naming the option, a URL the exact form cannot take as given', () => {
    for (const url of ['https://example.com/a b', 'https://example.com/a\nb', 'relative/path']) {
      let error: unknown
      try {
        signDelivery({ url, body: EVENT_BODY, token: TOKEN, targetUriForm: 'exact' })
      } catch (caught) {
        error = caught
      }
      expect(isKitError(error)).toBe(true)
      expect((error as Error).message).toContain('option "url" must be an absolute URL')
    }
  })

  it('refuses an unknown targetUriForm when signing and when verifying', async () => {
    const form = 'verbatim' as 'exact'
    expect(() =>
      signDelivery({ url: SHAPES[0][1], body: EVENT_BODY, token: TOKEN, targetUriForm: form }),
    ).toThrow('option "targetUriForm" must be "normalized" or "exact", got "verbatim"')
    await expect(verify(sign(SHAPES[0][1], 'exact'), { targetUriForm: form })).rejects.toThrow(
      'option "targetUriForm" must be "normalized" or "exact", got "verbatim"',
    )
  })

  it('keeps URL credentials out of its messages', async () => {
    const url = 'https://user:s3cret-pass@receiver.example.com/webhooks/idaas'
    const signed = sign('https://receiver.example.com/webhooks/idaas', 'normalized')
    const result = await verify({ ...signed, url }, {})
    expect(result).toMatchObject({ ok: false, reason: 'signature-mismatch' })
    expect(!result.ok && result.message).toContain('https://[redacted]@receiver.example.com/')
    expect(!result.ok && result.message).not.toContain('s3cret-pass')
    expect(() =>
      signDelivery({
        url: 'https://user:s3cret-pass@ bad',
        body: '',
        token: TOKEN,
        targetUriForm: 'exact',
      }),
    ).toThrow(/^(?!.*s3cret-pass).*\[redacted\]@/)
  })
})
