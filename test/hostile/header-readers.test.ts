import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkDeliveries } from '../../src/capture/check.js'
import { createFieldReader, MAX_HEADER_FIELDS } from '../../src/signing/headers.js'
import { captureRecord } from '../capture/records.js'
import { cli, hasStackTrace, tempDir } from '../cli/helpers.js'
import { CREATED, EVENT_BODY, signedEvent, TOKEN, URL } from '../signing/helpers.js'

const PROTOTYPE_LINES = ['constructor: a', '__proto__: b', 'toString: c', 'HasOwnProperty: d']

function forgedHeaders(): Record<string, string> {
  const headers = { ...signedEvent().headers }
  headers['Signature-Input'] = headers['Signature-Input'].replace(
    '"content-digest")',
    '"content-digest" "constructor")',
  )
  return headers
}

const lines = (headers: Record<string, string>) =>
  Object.entries(headers).map(([name, value]) => `${name}: ${value}`)

async function files(content: Record<string, string>): Promise<string> {
  const dir = await tempDir()
  for (const [name, text] of Object.entries(content)) await writeFile(join(dir, name), text)
  return dir
}

const verifyArgs = (headersFile: string) => [
  'verify-signature',
  '--url',
  URL,
  '--token',
  TOKEN,
  '--headers',
  headersFile,
  '--now',
  String(CREATED + 10),
  'body.json',
]

describe('header readers', () => {
  it('returns a string or undefined for any name and any record, never throwing', () => {
    const value = fc.oneof(
      fc.string(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constant(undefined),
      fc.integer(),
      fc.object(),
    )
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 16 }), value, { maxKeys: 8 }),
        fc.oneof(
          fc.string({ maxLength: 16 }),
          fc.constantFrom('constructor', '__proto__', 'tostring'),
        ),
        (record, name) => {
          const read = createFieldReader(record as Record<string, string>)
          const result = read(name)
          expect(result === undefined || typeof result === 'string').toBe(true)
          const fetchRead = createFieldReader(new Headers())
          expect(fetchRead(name)).toBeUndefined()
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never answers from Object.prototype, and matches own keys in any case', () => {
    const read = createFieldReader({ Signature: 'sig=:AA==:', 'x-list': ['a', 'b'] })
    for (const name of ['constructor', '__proto__', 'tostring', 'hasownproperty', 'valueof']) {
      expect(read(name)).toBeUndefined()
    }
    expect(read('signature')).toBe('sig=:AA==:')
    expect(read('x-list')).toBe('a, b')
    const own = JSON.parse('{"__proto__":"p","Constructor":["c1","c2"]}') as Record<string, string>
    const readOwn = createFieldReader(own)
    expect(readOwn('__proto__')).toBe('p')
    expect(readOwn('constructor')).toBe('c1, c2')
    const bare = Object.assign(Object.create(null), { 'Content-Digest': 'x' })
    expect(createFieldReader(bare)('content-digest')).toBe('x')
  })

  it(`considers the first ${MAX_HEADER_FIELDS} keys of a record for a lookup in another case`, () => {
    const record: Record<string, string> = {}
    for (let i = 0; i < MAX_HEADER_FIELDS; i++) record[`X-${i}`] = String(i)
    record['X-LATE'] = 'late'
    record['X-Titled'] = 'titled'
    const read = createFieldReader(record)
    expect(read(`x-${MAX_HEADER_FIELDS - 1}`)).toBe(String(MAX_HEADER_FIELDS - 1))
    expect(read('x-late')).toBeUndefined()
    // An exact key and the usual spelling are always found.
    expect(read('X-LATE')).toBe('late')
    expect(read('x-titled')).toBe('titled')
  })
})

describe('CLI and check with prototype-named captured headers', () => {
  it('verify-signature checks a raw header file with prototype-named lines without crashing', async () => {
    const cwd = await files({
      'ok.txt': [...PROTOTYPE_LINES, ...lines(signedEvent().headers)].join('\r\n'),
      'forged.txt': [...PROTOTYPE_LINES, ...lines(forgedHeaders())].join('\r\n'),
      'forged.json': JSON.stringify({ ...forgedHeaders(), __proto__x: 'x' }).replace(
        '"__proto__x"',
        '"__proto__"',
      ),
      'body.json': EVENT_BODY,
    })
    const ok = await cli(verifyArgs('ok.txt'), { cwd })
    expect(ok).toMatchObject({ code: 0, stderr: '' })
    for (const file of ['forged.txt', 'forged.json']) {
      const forged = await cli(verifyArgs(file), { cwd })
      expect(forged.code, file).toBe(1)
      expect(hasStackTrace(forged.stdout + forged.stderr), file).toBe(false)
      expect(forged.stdout + forged.stderr).toContain('profile-mismatch')
      expect(forged.stdout + forged.stderr).not.toContain(TOKEN)
    }
  })

  it('check --token re-verifies captured deliveries with prototype-named headers instead of throwing', () => {
    const record = captureRecord(EVENT_BODY)
    record.headers.push(['constructor', 'a'], ['__proto__', 'b'], ['toString', 'c'])
    const forged = captureRecord(EVENT_BODY, 2, forgedHeaders())
    forged.headers.push(['Constructor', 'a'])
    const report = checkDeliveries(
      [record, forged].map((r, i) => ({ line: i + 1, record: r })),
      { token: 'whsec_captured-tenant' },
    )
    expect(report.signatures).toMatchObject({ source: 'token', checked: 2, valid: 1, invalid: 1 })
  })
})
