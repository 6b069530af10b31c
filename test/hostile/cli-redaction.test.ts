import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REDACTED, redactSecrets } from '../../src/internal/redact.js'

/** The forms a receiver may echo a secret in. */
const ECHOES: Record<string, (secret: string) => string> = {
  verbatim: (s) => s,
  'JSON-escaped with \\/': (s) => JSON.stringify(s).slice(1, -1).replaceAll('/', '\\/'),
  'JSON \\u escapes for every character': (s) =>
    [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  'percent-encoded (encodeURIComponent)': (s) => encodeURIComponent(s),
  'percent-encoded, lower-case hex, every byte': (s) =>
    [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
  'form-encoded (+ for space)': (s) => encodeURIComponent(s).replaceAll('%20', '+'),
}

const tokenChars = fc.constantFrom(...'abcXYZ019+/=_-.~ "\\:é'.split(''))
const tokens = fc.string({ unit: tokenChars, minLength: 6, maxLength: 40 })
const base64 = fc
  .uint8Array({ minLength: 8, maxLength: 64 })
  .map((b) => Buffer.from(b).toString('base64'))
const around = fc.string({ unit: fc.constantFrom(...'<>{}[],;! \n'.split('')), maxLength: 10 })

describe('redaction of tokens and signatures in the forms receivers echo them', () => {
  for (const [name, echo] of Object.entries(ECHOES)) {
    it(`removes a token echoed ${name}, keeping the text around it`, () => {
      fc.assert(
        fc.property(tokens, around, around, (token, before, after) => {
          const text = `${before}${echo(token)}${after}`
          expect(redactSecrets(text, [token])).toBe(`${before}${REDACTED}${after}`)
        }),
        { numRuns: 200 },
      )
    })
  }

  it('removes a signature echoed whole, bare, as base64url, or without padding', () => {
    fc.assert(
      fc.property(base64, around, (sig, before) => {
        const field = `sig=:${sig}:`
        const url = sig.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')
        for (const echoed of [field, sig, sig.replace(/=+$/, ''), url, encodeURIComponent(sig)]) {
          const out = redactSecrets(`${before}${echoed}!`, [field])
          expect(out).toContain(REDACTED)
          expect(out).not.toContain(sig.replace(/=+$/, '').slice(0, 8) + sig.slice(8, 12))
        }
      }),
      { numRuns: 200 },
    )
  })

  it('removes a secret echoed in mixed forms within one string', () => {
    const token = 'a/b c+d"e'
    const mixed = 'a\\/b%20c%2Bd\\"e'
    expect(redactSecrets(`x${mixed}y`, [token])).toBe(`x${REDACTED}y`)
  })

  it('leaves text alone that only resembles a secret, and secrets under 4 characters', () => {
    expect(redactSecrets('abcdefg', ['abcdefh'])).toBe('abcdefg')
    expect(redactSecrets('the abc', ['abc'])).toBe('the abc')
  })
})
