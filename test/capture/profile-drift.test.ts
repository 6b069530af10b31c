import { parseDictionary } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import { signingProfileDifferences } from '../../src/capture/check.js'

const ARRIVED = Date.parse('2026-03-16T17:53:40.000Z')
const CREATED = Math.floor(ARRIVED / 1000) - 1
const COMPONENTS = '"@method" "@target-uri" "content-digest"'
const differences = (input: string) =>
  signingProfileDifferences(input, parseDictionary(input), ARRIVED)

describe('the differences of a Signature-Input from the IDaaS signing profile', () => {
  it('finds none in the profile itself', () => {
    expect(differences(`sig=(${COMPONENTS});created=${CREATED};alg="hmac-sha256"`)).toEqual([])
  })

  it.each([
    [
      '"@target-uri" "@method" "content-digest"',
      'signature "sig" covers "@target-uri" "@method" "content-digest"; Entrust lists "@method" "@target-uri" "content-digest" (the order is A3)',
    ],
    ['"@method" "@target-uri"', 'signature "sig" does not cover "content-digest"'],
    [
      '"@method" "@target-uri" "content-digest" "content-type"',
      'signature "sig" covers "content-type", which the profile does not cover',
    ],
    [
      '"@method" "@path" "content-digest"',
      'signature "sig" covers "@path", which the profile does not cover',
      'signature "sig" does not cover "@target-uri"',
    ],
  ])('reports covered components (%s) as drift', (components, ...messages) => {
    expect(differences(`sig=(${components});created=${CREATED};alg="hmac-sha256"`)).toEqual(
      messages,
    )
  })

  it('reports each of the three components an empty list leaves out', () => {
    expect(differences(`sig=();created=${CREATED};alg="hmac-sha256"`)).toEqual([
      'signature "sig" does not cover "@method"',
      'signature "sig" does not cover "@target-uri"',
      'signature "sig" does not cover "content-digest"',
    ])
  })

  it.each([
    ['', 'signature "sig" no "alg" parameter; the profile sends alg="hmac-sha256"'],
    [
      ';alg="hmac-sha512"',
      'signature "sig" alg="hmac-sha512"; the profile sends alg="hmac-sha256"',
    ],
    [';alg=hmac', 'signature "sig" alg=hmac; the profile sends alg="hmac-sha256"'],
    [';alg=1', 'signature "sig" alg=1; the profile sends alg="hmac-sha256"'],
  ])('reports alg%s as drift', (alg, message) => {
    expect(differences(`sig=(${COMPONENTS});created=${CREATED}${alg}`)).toEqual([message])
  })

  it.each(['1.5', `${CREATED}.0`, '"1773683619"', '?1'])(
    'reports a created of %s as not an integer',
    (value) => {
      expect(differences(`sig=(${COMPONENTS});created=${value};alg="hmac-sha256"`)).toContain(
        '"created" is not an integer (RFC 9421 §2.3)',
      )
    },
  )

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
