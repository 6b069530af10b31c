import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { captureLineBytesFor } from '../../src/capture/capture-receiver.js'
import { checkDeliveries, formatDriftReport } from '../../src/capture/check.js'
import type { CaptureRecord } from '../../src/capture/format.js'
import { CAPTURE_MAX_LINE_BYTES, collectCaptureLines } from '../../src/capture/read-captures.js'
import type { CaptureEntry } from '../../src/index.js'
import { signDeliveryWith } from '../../src/signing/sign.js'
import { createEvent, ENTRUST_EXAMPLES, signDelivery } from '../../src/testing.js'
import { CAPTURED_TOKEN, CAPTURED_URL, captureRecord, RECEIVED_AT } from './records.js'

const URL_SEEN = CAPTURED_URL
const TOKEN = CAPTURED_TOKEN
const CREATED = Math.floor(Date.parse(RECEIVED_AT) / 1000) - 1

const entries = (records: CaptureRecord[]): CaptureEntry[] =>
  records.map((record, i) => ({ line: i + 1, record }))

const gridCreated = JSON.stringify(ENTRUST_EXAMPLES['grid.created'])
const userCreated = JSON.stringify(ENTRUST_EXAMPLES['user.created'])

describe('checkDeliveries', () => {
  it('reports deliveries that match the schemas and the signing profile as clean', () => {
    const report = checkDeliveries(
      entries([captureRecord(gridCreated), captureRecord(userCreated)]),
    )
    expect(report).toMatchObject({
      deliveries: 2,
      clean: 2,
      withErrors: 0,
      withDriftOnly: 0,
      errors: [],
      drift: [],
      ok: true,
      eventTypes: { 'grid.created': 1, 'user.created': 1 },
    })
  })

  it('makes schema violations errors, grouped by field path with how many deliveries showed them', () => {
    const bad = (n: number) => {
      const event = structuredClone(ENTRUST_EXAMPLES['grid.created']) as {
        data: { entityAttributes: Record<string, unknown> }
      }
      event.data.entityAttributes.serialNumber = String(n)
      return captureRecord(JSON.stringify(event))
    }
    const report = checkDeliveries(entries([bad(1), captureRecord(gridCreated), bad(2)]))
    expect(report.ok).toBe(false)
    expect(report.withErrors).toBe(2)
    expect(report.errors).toEqual([
      {
        severity: 'error',
        kind: 'schema-violation',
        path: '/data/entityAttributes/serialNumber',
        message: 'must be number',
        count: 2,
        eventTypes: ['grid.created'],
        lines: [1, 3],
      },
    ])
  })

  it('reports unknown event types, unknown fields and new const values as drift, not errors', () => {
    const unknownType = { ...ENTRUST_EXAMPLES['user.created'], type: 'sso.login.completed' }
    const unknownField = { ...ENTRUST_EXAMPLES['user.created'], region: 'eu-west' }
    const password = createEvent('password.updated', undefined, { seed: 1 }) as unknown as {
      data: Record<string, unknown>
    }
    password.data.entityType = 'PASSWORDS'
    const report = checkDeliveries(
      entries([
        captureRecord(JSON.stringify(unknownType)),
        captureRecord(JSON.stringify(unknownField)),
        captureRecord(JSON.stringify(unknownField)),
        captureRecord(JSON.stringify(password)),
      ]),
    )
    expect(report.errors).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.drift.map((f) => [f.kind, f.path, f.message, f.count])).toEqual([
      ['unknown-field', '/region', 'unknown field "region"', 2],
      [
        'new-value',
        '/data/entityType',
        'new value "PASSWORDS" (the schema has "USERPASSWORDS")',
        1,
      ],
      ['unknown-event-type', '/type', 'unknown event type "sso.login.completed"', 1],
    ])
    expect(report.eventTypes).toEqual({
      'sso.login.completed': 1,
      'user.created': 2,
      'password.updated': 1,
    })
  })

  it('reports strict mode notes as drift: unknown fields of unpublished types and unusual eventTimes', () => {
    const print = createEvent('credential.print', undefined, { seed: 1 }) as unknown as {
      data: Record<string, unknown>
      eventTime: string
    }
    print.data.printJobId = 'PJ-1'
    print.eventTime = '2026-01-01T00:00:00+00:00'
    const report = checkDeliveries(entries([captureRecord(JSON.stringify(print))]))
    expect(report.errors).toEqual([])
    expect(report.drift.map((f) => [f.kind, f.path, f.message, f.count])).toEqual([
      ['unknown-field', '/data/printJobId', 'unknown field "printJobId"', 1],
      [
        'unusual-timestamp',
        '/eventTime',
        'eventTime has the offset "+00:00"; every published example uses "Z"',
        1,
      ],
    ])
  })

  it('reports signature-profile surprises: extra parameters, another digest, missing headers', () => {
    const withKeyid = signDelivery({
      url: URL_SEEN,
      body: gridCreated,
      token: TOKEN,
      created: CREATED,
      keyid: 'k1',
    })
    const sha512 = signDelivery({
      url: URL_SEEN,
      body: gridCreated,
      token: TOKEN,
      created: CREATED,
      digestAlgorithm: 'sha-512',
    })
    const extraComponent = signDeliveryWith(
      { url: URL_SEEN, body: gridCreated, token: TOKEN, created: CREATED },
      { components: ['@method', '@target-uri', 'content-digest', 'content-type'] },
    )
    const unsigned = { 'Content-Type': 'application/json; charset=utf-8' }
    const report = checkDeliveries(
      entries([
        captureRecord(gridCreated, 1, withKeyid),
        captureRecord(gridCreated, 1, withKeyid),
        captureRecord(gridCreated, 1, sha512),
        captureRecord(gridCreated, 1, extraComponent),
        captureRecord(gridCreated, 1, unsigned),
      ]),
    )
    expect(report.ok).toBe(true)
    expect(report.drift.map((f) => [f.path, f.message, f.count])).toEqual([
      ['Signature-Input', 'parameter "keyid" is not sent by the kit (A3)', 2],
      [
        'Content-Digest',
        'Content-Digest uses algorithm "sha-512"; the kit sends only "sha-256" (A2)',
        1,
      ],
      [
        'Content-Digest',
        'header "Content-Digest" is missing; IDaaS documents it on every delivery',
        1,
      ],
      [
        'Content-Type',
        'Content-Type is "application/json; charset=utf-8"; the kit sends "application/json"',
        1,
      ],
      ['Signature', 'header "Signature" is missing; IDaaS documents it on every delivery', 1],
      [
        'Signature-Input',
        'header "Signature-Input" is missing; IDaaS documents it on every delivery',
        1,
      ],
      [
        'Signature-Input',
        'signature "sig" covers "content-type", which the profile does not cover',
        1,
      ],
    ])
  })

  it('re-verifies signatures with a token at arrival time and says when the other key encoding works (A1)', () => {
    const base64Token = `whsec_${Buffer.from('a 32 byte secret for the tests!!').toString('base64')}`
    const utf8Signed = captureRecord(gridCreated)
    const base64Signed = captureRecord(
      gridCreated,
      1,
      signDelivery({
        url: URL_SEEN,
        body: gridCreated,
        token: base64Token,
        created: CREATED,
        keyEncoding: 'base64',
      }),
    )
    const valid = checkDeliveries(entries([utf8Signed]), { token: TOKEN })
    expect(valid.signatures).toEqual({ source: 'token', checked: 1, valid: 1, invalid: 0 })
    const hinted = checkDeliveries(entries([base64Signed]), { token: base64Token })
    expect(hinted.signatures.invalid).toBe(1)
    expect(hinted.drift.map((f) => f.message)).toEqual([
      'signature verifies only with key encoding "base64" (A1), not "utf8"',
    ])
  })

  it('reports a record whose URL is not absolute as a signature finding, with a token, instead of throwing', () => {
    const relative = { ...captureRecord(gridCreated, 2), url: '/webhooks/idaas' }
    const report = checkDeliveries(entries([captureRecord(userCreated), relative]), {
      token: TOKEN,
    })
    expect(report.signatures).toEqual({ source: 'token', checked: 1, valid: 1, invalid: 0 })
    expect(report.drift.map((f) => [f.kind, f.path, f.message, f.lines])).toEqual([
      [
        'signature',
        'Signature',
        'signature not checked: the recorded "url" is not an absolute URL; pass "publicUrl", the URL registered in IDaaS (A5)',
        [2],
      ],
    ])
    expect(report.ok).toBe(true)
  })

  it('refuses a publicUrl option that is not an absolute URL', () => {
    expect(() =>
      checkDeliveries(entries([captureRecord(gridCreated)]), { token: TOKEN, publicUrl: '/hooks' }),
    ).toThrow(
      '[idaas-webhook-kit] Invalid option "publicUrl": expected the absolute callback URL registered in IDaaS, got "/hooks".',
    )
  })

  it('flags a stored body that no longer matches its hash as a damaged record', () => {
    const record = captureRecord(userCreated)
    if (record.body) record.body.data = record.body.data.replace('adminuser', 'adminuzer')
    const report = checkDeliveries(entries([record]))
    expect(report.errors.map((f) => f.kind)).toEqual(['corrupt-record'])
  })
})

describe('reading a capture file for check', () => {
  it('reports a truncated last line without failing the check', async () => {
    const lines = [captureRecord(userCreated), captureRecord(gridCreated, 2)].map((r) =>
      JSON.stringify(r),
    )
    const text = `${lines[0]}\n${lines[1]}\n${(lines[1] as string).slice(0, 80)}`
    const { entries: read, problems } = await collectCaptureLines(Readable.from([text]))
    expect(read).toHaveLength(2)
    expect(problems).toEqual([
      {
        line: 3,
        kind: 'truncated',
        fatal: false,
        message:
          'line 3 is truncated (no newline at the end, incomplete JSON): the capture was interrupted while writing it, so it is skipped',
      },
    ])
    const report = checkDeliveries(read, {}, problems)
    expect(report.ok).toBe(true)
    expect(formatDriftReport(report)).toContain('⚠ line 3 is truncated')
  })

  it('fails the check on a damaged line in the middle and on a line that is not a capture record', async () => {
    const good = JSON.stringify(captureRecord(userCreated))
    const text = `${good}\n{"not json\n${JSON.stringify({ id: 'x', type: 'user.created' })}\n${good}\n`
    const { entries: read, problems } = await collectCaptureLines(Readable.from([text]))
    expect(read.map((e) => e.line)).toEqual([1, 4])
    expect(problems.map((p) => [p.line, p.kind, p.fatal])).toEqual([
      [2, 'invalid-json', true],
      [3, 'not-a-record', true],
    ])
    expect(problems[1]?.message).toBe(
      'line 3 is not a capture record ("format" is not "idaas-webhook-kit.capture")',
    )
    expect(checkDeliveries(read, {}, problems).ok).toBe(false)
  })

  it('fails on a damaged middle line that starts like a capture record: only the last line is crash residue', async () => {
    const good = JSON.stringify(captureRecord(userCreated))
    const text = `${good}\n${good.slice(0, 50)}\n${good}\n{"format`
    const { entries: read, problems } = await collectCaptureLines(Readable.from([text]))
    expect(read.map((e) => e.line)).toEqual([1, 3])
    expect(problems.map((p) => [p.line, p.kind, p.fatal])).toEqual([
      [2, 'invalid-json', true],
      [4, 'truncated', false],
    ])
    expect(problems[0]?.message).toBe(
      'line 2 is not valid JSON (it starts like a capture record): the capture file is damaged',
    )
    expect(checkDeliveries(read, {}, problems).ok).toBe(false)
  })

  it('reads a 64 MB line in linear time and reports it as not a record without holding it', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    async function* chunks() {
      yield `${JSON.stringify(captureRecord(userCreated))}\n`
      for (let i = 0; i < 1024; i++) yield chunk
      yield `\n${JSON.stringify(captureRecord(gridCreated))}\n`
    }
    const started = performance.now()
    const { entries: read, problems } = await collectCaptureLines(chunks())
    expect(performance.now() - started).toBeLessThan(3000)
    expect(read.map((e) => e.line)).toEqual([1, 3])
    expect(problems).toEqual([
      {
        line: 2,
        kind: 'not-a-record',
        fatal: true,
        message:
          'line 2 is longer than 8388608 bytes, the longest line read ("maxLineBytes", CLI "--max-line-bytes"), so it is not read',
      },
    ])
  }, 10_000)

  it('writes a 1 MiB body of control characters as base64, so its line stays within the default cap', async () => {
    // Valid UTF-8, but JSON would escape each byte as \u0001 (six bytes): base64 is shorter.
    const body = '\u0001'.repeat(1024 * 1024)
    const record = captureRecord(body)
    expect(record.body?.encoding).toBe('base64')
    const line = `${JSON.stringify(record)}\n`
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(captureLineBytesFor(1024 * 1024))
    expect(captureLineBytesFor(1024 * 1024)).toBeLessThan(CAPTURE_MAX_LINE_BYTES)
    const { entries: read, problems } = await collectCaptureLines(Readable.from([line]))
    expect(problems).toEqual([])
    expect(read[0]?.record.body?.bytes).toBe(1024 * 1024)
  })

  it('keeps ordinary JSON bodies readable as UTF-8 text', () => {
    expect(captureRecord(JSON.stringify(userCreated)).body?.encoding).toBe('utf8')
  })

  it('refuses a maxLineBytes that is not a whole number of bytes', async () => {
    await expect(collectCaptureLines(Readable.from(['']), { maxLineBytes: 0 })).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "maxLineBytes": expected a whole number of bytes (at least 1), got number 0.',
    )
  })

  it('reads lines split across chunks at any byte, multi-byte characters included', async () => {
    const body = JSON.stringify({ ...ENTRUST_EXAMPLES['user.created'], note: 'café ✓' })
    const text = `${JSON.stringify(captureRecord(body))}\n`
    const bytes = Buffer.from(text)
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
      bytes.subarray(i * 7, i * 7 + 7),
    )
    const { entries: read, problems } = await collectCaptureLines(Readable.from(chunks))
    expect(problems).toEqual([])
    expect(read[0]?.record.body?.data).toBe(body)
  })
})
