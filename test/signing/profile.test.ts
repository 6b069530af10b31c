import { type InnerList, parseDictionary } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import { isKitError, verifyDelivery } from '../../src/index.js'
import { memberParameterText } from '../../src/signing/raw-parameters.js'
import { signDeliveryWith } from '../../src/signing/sign.js'
import { profileDifferences, signDelivery } from '../../src/testing.js'
import { CREATED, EVENT_BODY, NOW, signedEvent, TOKEN, URL } from './helpers.js'

const member = (signatureInput: string) => parseDictionary(signatureInput).get('sig') as InnerList
const kinds = (signatureInput: string) =>
  profileDifferences(member(signatureInput)).map((d) => d.kind)

const signWith = (overrides: Parameters<typeof signDeliveryWith>[1]) =>
  signDeliveryWith({ url: URL, body: EVENT_BODY, token: TOKEN, created: CREATED }, overrides)

describe('the IDaaS signing profile (Entrust step 4)', () => {
  it('finds no difference in what the kit signs', () => {
    expect(profileDifferences(member(signedEvent().headers['Signature-Input']))).toEqual([])
  })

  it('lists a missing alg, another alg, extra and missing components and another order', () => {
    expect(kinds('sig=("@method" "@target-uri" "content-digest");created=1')).toEqual([
      'missing-alg',
    ])
    expect(
      profileDifferences(
        member('sig=("@method" "@target-uri" "content-digest");alg="rsa-v1_5-sha256"'),
      ),
    ).toEqual([
      {
        kind: 'other-alg',
        found: '"rsa-v1_5-sha256"',
        description: 'alg="rsa-v1_5-sha256"; the profile sends alg="hmac-sha256"',
      },
    ])
    expect(
      kinds('sig=("@method" "@target-uri" "content-digest" "date");alg="hmac-sha256"'),
    ).toEqual(['extra-component'])
    expect(kinds('sig=("@method" "content-digest");alg="hmac-sha256"')).toEqual([
      'missing-component',
    ])
    expect(kinds('sig=("@method" "content-digest";sf "@target-uri");alg="hmac-sha256"')).toEqual([
      'extra-component',
      'missing-component',
    ])
    expect(kinds('sig=("content-digest" "@method" "@target-uri");alg="hmac-sha256"')).toEqual([
      'component-order',
    ])
    expect(
      kinds('sig=("@method" "@method" "@target-uri" "content-digest");alg=hmac-sha256'),
    ).toEqual(['other-alg', 'extra-component'])
  })

  it('accepts the three components in another order (A3)', async () => {
    const headers = signWith({ components: ['content-digest', '@target-uri', '@method'] })
    expect(
      await verifyDelivery({ ...signedEvent(), headers }, { token: TOKEN, now: NOW }),
    ).toMatchObject({
      ok: true,
    })
  })

  it('refuses another alg as unsupported-algorithm in both profiles', async () => {
    const headers = signWith({ alg: 'hmac-sha512' })
    for (const profile of ['idaas', 'rfc9421'] as const) {
      expect(
        await verifyDelivery({ ...signedEvent(), headers }, { token: TOKEN, now: NOW, profile }),
      ).toMatchObject({ ok: false, reason: 'unsupported-algorithm' })
    }
  })

  it('requires the three components in the rfc9421 profile too', async () => {
    const headers = signWith({ components: ['@method', '@target-uri', 'content-type'] })
    expect(
      await verifyDelivery(
        { ...signedEvent(), headers },
        { token: TOKEN, now: NOW, profile: 'rfc9421' },
      ),
    ).toMatchObject({ ok: false, reason: 'missing-component', missing: ['content-digest'] })
  })

  it('refuses an unknown profile option', async () => {
    await expect(
      verifyDelivery(signedEvent(), { token: TOKEN, profile: 'loose' as 'idaas' }),
    ).rejects.toThrow('option "profile" must be "idaas" or "rfc9421", got "loose"')
  })
})

describe('created and expires are Integers (RFC 9421 §2.3)', () => {
  it.each(['created', 'expires'])('refuses a Decimal %s, which verified before', async (name) => {
    const signed = signedEvent({ expires: CREATED + 60 })
    const value = name === 'created' ? CREATED : CREATED + 60
    const headers = {
      ...signed.headers,
      'Signature-Input': signed.headers['Signature-Input'].replace(
        `;${name}=${value}`,
        `;${name}=${value}.0`,
      ),
    }
    expect(headers['Signature-Input']).toContain(`${name}=${value}.0`)
    expect(await verifyDelivery({ ...signed, headers }, { token: TOKEN, now: NOW })).toEqual({
      ok: false,
      reason: 'malformed-header',
      message: `[idaas-webhook-kit] Failed to verify signature: signature parameter "${name}" is not an integer (RFC 9421 §2.3).`,
    })
  })

  it('reads the raw parameter text of the right member, past strings, byte sequences and tokens', () => {
    const field =
      'a=("x;created=1.5" "y");created=2.5, sig=("@method" "z");created=17;nonce="a, sig=;b";t=tok:en/1;b=:AAA=:;f, c=?1'
    expect(memberParameterText(field, 'sig')).toEqual(
      new Map([
        ['created', '17'],
        ['nonce', '"a, sig=;b"'],
        ['t', 'tok:en/1'],
        ['b', ':AAA=:'],
        ['f', '?1'],
      ]),
    )
    expect(memberParameterText(field, 'a')?.get('created')).toBe('2.5')
    expect(memberParameterText('sig=1, sig=("a");created=3.0', 'sig')?.get('created')).toBe('3.0')
    expect(memberParameterText(field, 'missing')).toBeUndefined()
  })
})

describe('signature parameters that cannot be serialized', () => {
  it.each([
    ['nonce', 'caf\u00e9', 'U+00E9'],
    ['keyid', 'key\r\nX-Injected: 1', 'U+000D'],
    ['tag', 'tab\there', 'U+0009'],
  ] as const)(
    'refuses a %s that is not printable ASCII with a KitError naming it',
    (option, value, code) => {
      let error: unknown
      try {
        signDelivery({ url: URL, body: EVENT_BODY, token: TOKEN, [option]: value })
      } catch (caught) {
        error = caught
      }
      expect(isKitError(error)).toBe(true)
      const message = (error as Error).message
      expect(message).toBe(
        `[idaas-webhook-kit] Failed to sign delivery: option "${option}" must be printable ASCII (an RFC 8941 String); it holds ${code}.`,
      )
      expect(message).not.toContain(value)
    },
  )
})
