import fc from 'fast-check'
import { isInnerList, parseDictionary } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_MAX_FIELD_LENGTH,
  MAX_COVERED_COMPONENTS,
  MAX_HEADER_FIELDS,
  MAX_SIGNATURE_MEMBERS,
  type VerifyDeliveryOptions,
  type VerifyDeliveryResult,
  verifyDelivery,
} from '../../src/index.js'
import { memberParameterText } from '../../src/signing/raw-parameters.js'
import { createDeliveryVerifier } from '../../src/signing/verify.js'
import { EVENT_BODY, NOW, signedEvent, TOKEN, URL } from '../signing/helpers.js'

const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'propertyIsEnumerable',
]
/** Every prototype name in lower, upper and its own case. */
const PROTOTYPE_KEYS = [
  ...new Set(PROTOTYPE_NAMES.flatMap((name) => [name, name.toLowerCase(), name.toUpperCase()])),
]

const verifier = (options: Partial<VerifyDeliveryOptions> = {}) =>
  createDeliveryVerifier({ token: TOKEN, now: NOW, ...options })

const raw = (headers: Record<string, unknown>, body: string = EVENT_BODY) => ({
  method: 'POST',
  url: URL,
  headers: headers as Record<string, string>,
  body: Buffer.from(body),
})

/** The signed headers with `Signature-Input` covering `extra` components after the three. */
function coveringAlso(...extra: string[]): Record<string, string> {
  const headers = { ...signedEvent().headers }
  const quoted = extra.map((name) => ` ${JSON.stringify(name)}`).join('')
  headers['Signature-Input'] = headers['Signature-Input'].replace(
    '"content-digest")',
    `"content-digest"${quoted})`,
  )
  return headers
}

/** A record with an own key of any name, `__proto__` included. */
function withOwnKey(
  headers: Record<string, string>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const record: Record<string, unknown> = { ...headers }
  Object.defineProperty(record, key, { value, enumerable: true, configurable: true })
  return record
}

describe('header lookup that no object key can fool', () => {
  it.each(PROTOTYPE_KEYS)(
    'treats a forged Signature-Input covering "%s" as an ordinary rejection, never a throw',
    (name) => {
      const headers = coveringAlso(name)
      const idaas = verifier()(raw(headers))
      const rfc = verifier({ profile: 'rfc9421' })(raw(headers))
      expect(idaas.ok).toBe(false)
      expect(rfc.ok).toBe(false)
      // A component name that is not lowercase is malformed (RFC 9421 §2.1); else the IDaaS
      // profile refuses any fourth component, and RFC 9421 looks the header up and finds none.
      const lowercase = name === name.toLowerCase()
      expect(idaas).toMatchObject({ reason: lowercase ? 'profile-mismatch' : 'malformed-header' })
      expect(rfc).toMatchObject({ reason: lowercase ? 'missing-header' : 'malformed-header' })
    },
  )

  it.each(PROTOTYPE_NAMES)(
    'verifies a delivery whose headers also carry a key named "%s", in every case',
    (name) => {
      for (const key of [name, name.toUpperCase()]) {
        const headers = withOwnKey(signedEvent().headers, key, 'ordinary value')
        expect(verifier()(raw(headers))).toMatchObject({ ok: true })
      }
    },
  )

  it('reads a header named like a prototype property as its own value when it is covered', () => {
    // Signed over "constructor" too: the receiver must read the request's own "constructor" header.
    const headers = withOwnKey(coveringAlso('constructor'), 'Constructor', 'x')
    const result = verifier({ profile: 'rfc9421' })(raw(headers))
    // The signature itself does not cover the forged component, so it cannot match; what matters
    // is that the header was found (not "missing-header") and nothing threw.
    expect(result).toMatchObject({ ok: false, reason: 'signature-mismatch' })
  })

  it('never takes a required header from the prototype chain', () => {
    const signed = signedEvent().headers
    const inherited = Object.create({ 'content-digest': signed['Content-Digest'] })
    inherited['signature-input'] = signed['Signature-Input']
    inherited.signature = signed.Signature
    expect(verifier()(raw(inherited))).toMatchObject({
      ok: false,
      reason: 'missing-header',
      missing: ['Content-Digest'],
    })
  })

  it('answers a header value that is neither a string nor strings as absent', () => {
    for (const value of [{}, null, true, [1, 2], () => 'x', Symbol('x')]) {
      const headers = withOwnKey(signedEvent().headers, 'Signature', value)
      expect(verifier()(raw(headers))).toMatchObject({ ok: false, reason: 'missing-header' })
    }
  })

  it('treats a component name that Fetch Headers refuses as a malformed header, never a throw', async () => {
    const forged = coveringAlso('a b', 'x\u00e9')
    const request = new Request(URL, { method: 'POST', headers: forged, body: EVENT_BODY })
    const result = await verifyDelivery(request, { token: TOKEN, now: NOW, profile: 'rfc9421' })
    expect(result).toMatchObject({ ok: false, reason: 'malformed-header' })
  })
})

describe('limits on what the verifier reads', () => {
  it('refuses a Signature-Input longer than maxFieldLength without parsing it, naming the option', () => {
    const headers = { ...signedEvent().headers }
    headers['Signature-Input'] = `${headers['Signature-Input']}, ${'a=1, '.repeat(70_000)}b=1`
    expect(headers['Signature-Input'].length).toBeGreaterThan(350_000)
    const result = verifier()(raw(headers))
    expect(result).toMatchObject({ ok: false, reason: 'malformed-header' })
    expect(!result.ok && result.message).toContain(
      `"Signature-Input" is longer than ${DEFAULT_MAX_FIELD_LENGTH} characters (option "maxFieldLength")`,
    )
  })

  it('refuses more than MAX_COVERED_COMPONENTS components and more than MAX_SIGNATURE_MEMBERS members', () => {
    const many = Array.from({ length: MAX_COVERED_COMPONENTS }, (_, i) => `x-h${i}`)
    const components = verifier({ profile: 'rfc9421' })(raw(coveringAlso(...many)))
    expect(!components.ok && components.message).toContain(
      `covers ${MAX_COVERED_COMPONENTS + 3} components; the kit checks at most ${MAX_COVERED_COMPONENTS}`,
    )
    const headers = { ...signedEvent().headers }
    const members = Array.from({ length: MAX_SIGNATURE_MEMBERS }, (_, i) => `m${i}=1`).join(', ')
    headers['Signature-Input'] = `${members}, ${headers['Signature-Input']}`
    const result = verifier()(raw(headers))
    expect(!result.ok && result.message).toContain(
      `"Signature-Input" has ${MAX_SIGNATURE_MEMBERS + 1} members; the kit reads at most ${MAX_SIGNATURE_MEMBERS}`,
    )
  })

  it('accepts a larger field with a larger maxFieldLength, and refuses a bad maxFieldLength', () => {
    const headers = { ...signedEvent().headers }
    headers['Signature-Input'] = `${headers['Signature-Input']}, pad="${'p'.repeat(9000)}"`
    expect(verifier()(raw(headers))).toMatchObject({ reason: 'malformed-header' })
    expect(verifier({ maxFieldLength: 20_000 })(raw(headers))).toMatchObject({ ok: true })
    for (const bad of [0, -1, 1.5, Number.NaN, '100' as unknown as number]) {
      expect(() => verifier({ maxFieldLength: bad })).toThrow(/option "maxFieldLength"/)
    }
  })

  it('reads a record with many header keys in another case in one pass over its keys', () => {
    // Counts every key access through a Proxy: the reader folds the keys once, so the count grows
    // linearly with the number of keys, never with keys times lookups.
    const touches = (count: number) => {
      const record: Record<string, string> = {}
      for (let i = 0; i < count; i++) record[`X-Padding-${i}`] = 'v'
      // Upper case: neither the exact nor the usual spelling, so the reader must scan the keys.
      Object.assign(record, {
        'CONTENT-DIGEST': signedEvent().headers['Content-Digest'],
        'SIGNATURE-INPUT': signedEvent().headers['Signature-Input'],
        SIGNATURE: signedEvent().headers.Signature,
      })
      let touched = 0
      const counted = new Proxy(record, {
        get(target, key, receiver) {
          touched++
          return Reflect.get(target, key, receiver)
        },
        getOwnPropertyDescriptor(target, key) {
          touched++
          return Reflect.getOwnPropertyDescriptor(target, key)
        },
      })
      const result = verifier()(raw(counted))
      return { touched, result }
    }
    const small = touches(5_000)
    const large = touches(50_000)
    expect(large.touched).toBeLessThanOrEqual(50_000 * 1.5)
    expect(large.touched).toBeLessThanOrEqual(small.touched * 10 * 1.5)
    // Past MAX_HEADER_FIELDS keys the signature headers count as absent: an honest rejection.
    expect(large.result).toMatchObject({ ok: false, reason: 'missing-header' })
  })

  it('finds upper-case headers within the first MAX_HEADER_FIELDS keys, and usual spellings anywhere', () => {
    const upper: Record<string, string> = {}
    for (let i = 0; i < MAX_HEADER_FIELDS - 10; i++) upper[`X-Padding-${i}`] = 'v'
    for (const [name, value] of Object.entries(signedEvent().headers))
      upper[name.toUpperCase()] = value
    expect(verifier()(raw(upper))).toMatchObject({ ok: true })
    const usual: Record<string, string> = {}
    for (let i = 0; i < 3 * MAX_HEADER_FIELDS; i++) usual[`X-Padding-${i}`] = 'v'
    Object.assign(usual, signedEvent().headers)
    expect(verifier()(raw(usual))).toMatchObject({ ok: true })
  })

  it('stops joining 100k repeated header lines once the value is past maxFieldLength', () => {
    const lines = Array.from({ length: 100_000 }, () => 'sha-256=:AAAA:')
    let touched = 0
    const counted = new Proxy(lines, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) touched++
        return Reflect.get(target, key, receiver)
      },
    })
    const headers = withOwnKey(signedEvent().headers, 'content-digest', counted)
    const result = verifier()(raw(headers))
    expect(result).toMatchObject({ ok: false, reason: 'malformed-header' })
    expect(!result.ok && result.message).toContain('"Content-Digest" is longer than')
    // Each line is 16 characters with its separator: about maxFieldLength / 16 lines are read.
    expect(touched).toBeGreaterThan(DEFAULT_MAX_FIELD_LENGTH / 20)
    expect(touched).toBeLessThan(DEFAULT_MAX_FIELD_LENGTH / 10)
  })
})

// Header names: tokens, prototype names, and anything at all.
const headerName = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, 'content-digest', 'Signature', 'SIGNATURE-INPUT'),
  fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/),
  fc.string({ maxLength: 20 }),
)
const headerValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
  fc.constantFrom('sig=("@method" "@target-uri" "content-digest" "constructor")', 'sig=:AAAA:'),
)
// Structured-field-like text, to get past the first parsing step now and then.
const fieldText = fc
  .array(
    fc.constantFrom(
      'sig',
      '=',
      '(',
      ')',
      '"@method"',
      '"@target-uri"',
      '"content-digest"',
      '"constructor"',
      '"__proto__"',
      ';created=1773682385',
      ';created=1773682385.0',
      ';alg="hmac-sha256"',
      ';alg=hmac-sha256',
      ':AAAA:',
      ', ',
      ' ',
      '?1',
      '%"x"',
      '@1',
      'tok:en/x',
      '"a\\"b"',
      '-1.5',
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''))

const expectResult = (result: VerifyDeliveryResult) => {
  expect(typeof result.ok).toBe('boolean')
  if (!result.ok) expect(result.message).toMatch(/^\[idaas-webhook-kit\] /)
}

describe('verifier properties over hostile input', () => {
  it('returns a result and never throws for arbitrary extra headers, prototype names included', () => {
    const verify = verifier()
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue, { maxKeys: 12 }), (extra) => {
        let headers: Record<string, unknown> = { ...signedEvent().headers }
        for (const [key, value] of Object.entries(extra))
          headers = withOwnKey(headers as Record<string, string>, key, value)
        expectResult(verify(raw(headers)))
      }),
      { numRuns: 300 },
    )
  })

  it('returns a result and never throws for arbitrary Signature-Input, Signature and Content-Digest values', () => {
    const verifyIdaas = verifier()
    const verifyRfc = verifier({ profile: 'rfc9421', targetUriForm: 'exact' })
    fc.assert(
      fc.property(
        fc.oneof(fieldText, fc.string({ maxLength: 100 })),
        fc.oneof(fieldText, fc.string({ maxLength: 60 })),
        fc.option(fc.oneof(fieldText, fc.string({ maxLength: 60 })), { nil: undefined }),
        (signatureInput, signature, contentDigest) => {
          const headers: Record<string, string> = {
            ...signedEvent().headers,
            'Signature-Input': signatureInput,
            Signature: signature,
          }
          if (contentDigest !== undefined) headers['Content-Digest'] = contentDigest
          expectResult(verifyIdaas(raw(headers)))
          expectResult(verifyRfc(raw(headers)))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('returns a result and never throws through a Fetch Request with arbitrary token header names', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/),
          fc.stringMatching(/^[\x21-\x7e]{0,40}$/),
          { maxKeys: 8 },
        ),
        fieldText,
        async (extra, signatureInput) => {
          const headers = new Headers({ ...extra, ...signedEvent().headers })
          headers.set('Signature-Input', signatureInput || 'sig=()')
          const request = new Request(URL, { method: 'POST', headers, body: EVENT_BODY })
          expectResult(
            await verifyDelivery(request, { token: TOKEN, now: NOW, profile: 'rfc9421' }),
          )
        },
      ),
      { numRuns: 100 },
    )
  })

  it('returns a result for huge values, bounded in count', () => {
    const verify = verifier()
    fc.assert(
      fc.property(
        fc.constantFrom('Signature-Input', 'Signature', 'Content-Digest', 'X-Other'),
        fc.constantFrom(' ', 'a', '"', '(', 'sig=', ':', ',', '\n'),
        fc.integer({ min: 100_000, max: 400_000 }),
        (name, unit, count) => {
          const headers = { ...signedEvent().headers, [name]: unit.repeat(count) }
          expectResult(verify(raw(headers)))
        },
      ),
      { numRuns: 12 },
    )
  })
})

describe('the raw parameter reader', () => {
  it('agrees with the structured-field parser on every member it accepts', () => {
    fc.assert(
      fc.property(fieldText, (field) => {
        let parsed: ReturnType<typeof parseDictionary>
        try {
          parsed = parseDictionary(field)
        } catch {
          return
        }
        for (const [key, member] of parsed) {
          const text = memberParameterText(field, key)
          expect([...(text?.keys() ?? [])]).toEqual([...member[1].keys()])
          for (const [name, value] of member[1]) {
            if (typeof value === 'number') expect(Number(text?.get(name))).toBe(value)
          }
          if (isInnerList(member)) expect(text).toBeDefined()
        }
      }),
      { numRuns: 500 },
    )
  })

  it('returns for any text at all, valid or not', () => {
    fc.assert(
      fc.property(
        fc.oneof(fieldText, fc.string({ maxLength: 200 })),
        fc.constantFrom('sig', 'a'),
        (field, key) => {
          const text = memberParameterText(field, key)
          expect(text === undefined || text instanceof Map).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('answers headers that are not an object at all as missing', () => {
    for (const headers of [null, undefined, 'x', 1]) {
      const delivery = { ...raw({}), headers: headers as unknown as Record<string, string> }
      expect(verifier()(delivery)).toMatchObject({ ok: false, reason: 'missing-header' })
    }
  })
})
