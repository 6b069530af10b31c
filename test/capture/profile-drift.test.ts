import { parseDictionary } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import { signingProfileDifferences } from '../../src/capture/check.js'

const ARRIVED = Date.parse('2026-03-16T17:53:40.000Z')
const CREATED = Math.floor(ARRIVED / 1000) - 1
const COMPONENTS = '"@method" "@target-uri" "content-digest"'
const differences = (input: string) => signingProfileDifferences(parseDictionary(input), ARRIVED)

describe('the differences of a Signature-Input from the IDaaS signing profile', () => {
  it('finds none in the profile itself', () => {
    expect(differences(`sig=(${COMPONENTS});created=${CREATED};alg="hmac-sha256"`)).toEqual([])
  })

  const orders = [
    '"@target-uri" "@method" "content-digest"',
    '"@method" "@target-uri"',
    '"@method" "@target-uri" "content-digest" "content-type"',
    '"@method" "@path" "content-digest"',
    '',
  ]
  it.each(orders)('reports covered components (%s) as drift', (components) => {
    expect(differences(`sig=(${components});created=${CREATED};alg="hmac-sha256"`)).toEqual([
      `covered components are (${components}); the kit covers (${COMPONENTS})`,
    ])
  })

  it.each([
    ['', '"alg" is missing; the profile says "hmac-sha256" (A3)'],
    [';alg="hmac-sha512"', 'alg is "hmac-sha512"; the profile says "hmac-sha256"'],
    [';alg=hmac', 'alg is "hmac"; the profile says "hmac-sha256"'],
    [';alg=1', 'alg is "1"; the profile says "hmac-sha256"'],
  ])('reports alg%s as drift', (alg, message) => {
    expect(differences(`sig=(${COMPONENTS});created=${CREATED}${alg}`)).toEqual([message])
  })

  it.each(['1.5', '"1773683619"', '?1'])('reports a created of %s as not an integer', (value) => {
    expect(differences(`sig=(${COMPONENTS});created=${value};alg="hmac-sha256"`)).toContain(
      '"created" is not an integer (RFC 9421 §2.3)',
    )
  })

  it.each(['1.5', '"x"'])(
    'reports an expires of %s as not an integer and not sent by the kit',
    (value) => {
      expect(
        differences(`sig=(${COMPONENTS});created=${CREATED};expires=${value};alg="hmac-sha256"`),
      ).toEqual([
        'parameter "expires" is not sent by the kit (A3)',
        '"expires" is not an integer (RFC 9421 §2.3)',
      ])
    },
  )

  it.each(['sig1', 'signature', '*sig'])(
    'reports the label %s, and that "sig" is missing',
    (label) => {
      expect(differences(`${label}=(${COMPONENTS});created=${CREATED};alg="hmac-sha256"`)).toEqual([
        `signature label "${label}"; the kit uses "sig"`,
        'no signature labelled "sig"',
      ])
    },
  )

  it('reports a created outside the replay window on arrival (A4)', () => {
    expect(differences(`sig=(${COMPONENTS});created=${CREATED - 3600};alg="hmac-sha256"`)).toEqual([
      `"created" is outside the kit's replay window on arrival (A4: 300 s old, 60 s ahead)`,
    ])
  })
})
