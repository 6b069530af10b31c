import { createHmac } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { beforeAll, describe, expect, it } from 'vitest'
import type { VerifyReport } from '../../src/index.js'
import {
  createPrettyReporter,
  formatGithubAnnotations,
  formatJsonReport,
  formatJunitReport,
  formatPrettyReport,
  VERIFY_CHECK_IDS,
  VERIFY_REPORT_SCHEMA_ID,
  verifyReceiver,
} from '../../src/testing.js'
import { goodReceiver, reserializing, TOKEN, verifyHandler } from '../verify/support.js'
import { parseXml, type XmlElement } from './xml.js'

const schema = JSON.parse(
  await readFile(new URL('../../schemas/verify-report.schema.json', import.meta.url), 'utf8'),
) as { $id: string }
const validate = new Ajv2020({ allErrors: true }).compile(schema)

let passing: VerifyReport
let failing: VerifyReport
let unreachable: VerifyReport

beforeAll(async () => {
  passing = await verifyHandler(goodReceiver(), { burst: 5 })
  failing = await verifyHandler(reserializing(), { burst: 5, skip: ['handles-burst'] })
  unreachable = await verifyReceiver({ url: 'http://127.0.0.1:9/webhooks/idaas' }, { token: TOKEN })
})

/** A report with everything hard to print: control characters, markup, quotes, a warning. */
function awkwardReport(): VerifyReport {
  return {
    ok: false,
    schemes: ['rfc9421'],
    target: 'http://127.0.0.1:1/a?b=1&c=<2>',
    durationMs: 12.3,
    checks: [
      {
        id: 'verifies-raw-body',
        status: 'failed',
        ok: false,
        severity: 'error',
        message: 'Body "x" had \u001b[31mESC\u001b[0m & <tags>, 100% odd:\nsecond line',
        details: {
          durationMs: 4.2,
          failures: [
            {
              case: 'escaped-unicode',
              outcome: 'http-4xx',
              status: 401,
              durationMs: 1,
              body: 'NUL \u0000 and ]]> and \uD800 alone',
            },
          ],
        },
      },
      {
        id: 'uses-https',
        status: 'failed',
        ok: false,
        severity: 'warning',
        message: 'http: plain, fine locally',
        details: { durationMs: 0 },
      },
      {
        id: 'accepts-every-event-type',
        status: 'passed',
        ok: true,
        severity: 'error',
        message: 'All 25 event types got a 2xx; 1 warning.',
        details: { durationMs: 3, warnings: ['retry, then 2xx: 50%'] },
      },
      {
        id: 'handles-burst',
        status: 'skipped',
        ok: false,
        severity: 'error',
        message: 'Not run: excluded by "skip".',
        details: { durationMs: 0, skipped: 'excluded by "skip"' },
      },
    ],
  }
}

describe('the json reporter', () => {
  it('ships a JSON Schema with the kit $id convention', () => {
    expect(schema.$id).toBe(VERIFY_REPORT_SCHEMA_ID)
    expect(VERIFY_REPORT_SCHEMA_ID).toBe(
      'https://unpkg.com/idaas-webhook-kit/schemas/verify-report.schema.json',
    )
  })

  it('writes exactly { ok, schemes, target, durationMs, checks: [{ id, status, ok, severity, message, details }] }', () => {
    const document = JSON.parse(formatJsonReport(failing)) as VerifyReport
    expect(Object.keys(document)).toEqual(['ok', 'schemes', 'target', 'durationMs', 'checks'])
    for (const check of document.checks) {
      expect(Object.keys(check)).toEqual(['id', 'status', 'ok', 'severity', 'message', 'details'])
    }
    expect(document).toEqual(failing)
    expect(formatJsonReport(failing).endsWith('}\n')).toBe(true)
  })

  it.each([
    ['passing', () => passing],
    ['failing', () => failing],
    ['unreachable', () => unreachable],
    ['awkward', awkwardReport],
  ])('produces a document valid against the shipped schema (%s report)', (_name, report) => {
    const document = JSON.parse(formatJsonReport(report())) as unknown
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true)
  })

  it('is rejected by the schema when a field is added or a check id is unknown', () => {
    const extra = { ...JSON.parse(formatJsonReport(passing)), version: 1 }
    expect(validate(extra)).toBe(false)
    const unknownId = JSON.parse(formatJsonReport(passing)) as VerifyReport
    ;(unknownId.checks[0] as { id: string }).id = 'accepts-everything'
    expect(validate(unknownId)).toBe(false)
  })
})

describe('the junit reporter', () => {
  const suiteOf = (report: VerifyReport): XmlElement => {
    const root = parseXml(formatJunitReport(report, new Date('2026-03-16T17:33:05.123Z')))
    expect(root.name).toBe('testsuites')
    expect(root.children).toHaveLength(1)
    return root.children[0] as XmlElement
  }
  const cases = (suite: XmlElement) => suite.children.filter((c) => c.name === 'testcase')

  it('writes one testcase per check, with counts and times CI viewers read', () => {
    const suite = suiteOf(failing)
    expect(suite.name).toBe('testsuite')
    expect(suite.attributes).toMatchObject({
      name: `idaas-webhook-kit verify ${failing.target}`,
      tests: '13',
      failures: '1',
      errors: '0',
      skipped: '2',
      timestamp: '2026-03-16T17:33:05',
    })
    expect(cases(suite).map((c) => c.attributes.name)).toEqual([...VERIFY_CHECK_IDS])
    for (const testcase of cases(suite)) {
      expect(testcase.attributes.classname).toBe('idaas-webhook-kit.verify')
      expect(testcase.attributes.time).toMatch(/^\d+\.\d{3}$/)
    }
    const properties = suite.children.find((c) => c.name === 'properties')
    expect(properties?.children.map((p) => p.attributes)).toEqual([
      { name: 'target', value: failing.target },
      { name: 'ok', value: 'false' },
    ])
  })

  it('puts the message and the evidence of a failed check in <failure>, typed by severity', () => {
    const raw = cases(suiteOf(failing)).find((c) => c.attributes.name === 'verifies-raw-body')
    const failure = raw?.children[0]
    expect(failure?.name).toBe('failure')
    expect(failure?.attributes.type).toBe('error')
    expect(failure?.attributes.message).toMatch(/^9 of 9 byte-tricky bodies did not get a 2xx/)
    expect(failure?.text).toContain('- escaped-unicode: 401, ')
    expect(failure?.text).toContain('body {"error":"digest-mismatch"}')
    const skipped = cases(suiteOf(failing)).find((c) => c.attributes.name === 'handles-burst')
    expect(skipped?.children.map((c) => [c.name, c.attributes.message])).toEqual([
      ['skipped', 'Not run: excluded by "skip".'],
    ])
  })

  it('stays well-formed with control characters, markup and lone surrogates, and marks warnings', () => {
    const suite = suiteOf(awkwardReport())
    const [raw, https, accepts, burst] = cases(suite)
    expect(raw?.children[0]?.attributes.message).toBe(
      'Body "x" had \uFFFD[31mESC\uFFFD[0m & <tags>, 100% odd:\nsecond line',
    )
    expect(raw?.children[0]?.text).toContain('NUL \uFFFD and ]]> and \uFFFD alone')
    // A failed warning-severity check does not fail the run (exit 0), so it is no <failure>.
    expect(https?.children).toEqual([
      expect.objectContaining({ name: 'system-out', text: 'warning: http: plain, fine locally' }),
    ])
    expect(accepts?.children[0]).toMatchObject({
      name: 'system-out',
      text: 'warning: retry, then 2xx: 50%',
    })
    expect(burst?.children[0]?.name).toBe('skipped')
    expect(suite.attributes).toMatchObject({ tests: '4', failures: '1', skipped: '1' })
  })

  it('reports the unreachable receiver as one failure and 12 skipped testcases', () => {
    const suite = suiteOf(unreachable)
    expect(suite.attributes).toMatchObject({ tests: '13', failures: '1', skipped: '12' })
  })
})

describe('the pretty reporter', () => {
  it('prints a line per check with its timing, the failing evidence and a verdict, without colours', () => {
    const text = formatPrettyReport(failing)
    expect(text).not.toContain('\u001b[')
    const lines = text.split('\n')
    expect(lines[0]).toBe(`idaas-webhook-kit verify POST ${failing.target}`)
    expect(text).toMatch(
      /^ {2}✔ accepts-every-event-type +\d+ ms {2}All 25 event types got a 2xx\.$/m,
    )
    expect(text).toMatch(
      /^ {2}✖ verifies-raw-body +\d+ ms {2}9 of 9 byte-tricky bodies did not get a 2xx: /m,
    )
    expect(text).toMatch(
      /^ {6}✖ escaped-unicode: 401, [\d.]+ ms, body \{"error":"digest-mismatch"\}$/m,
    )
    expect(text).toContain('      … 4 more in the JSON report\n')
    expect(text).toMatch(
      /^ {2}○ uses-https +Not checked: an in-process handler has no transport\./m,
    )
    expect(text).toMatch(/^ {2}○ handles-burst +Not run: excluded by "skip"\.$/m)
    expect(text).toMatch(/^ {2}10 passed · 1 failed · 0 warnings · 2 not run · [\d.]+ s$/m)
    expect(lines.at(-2)).toBe('✖ FAIL: 1 error-severity check failed: verifies-raw-body.')
  })

  it('groups the checks not run after an unreachable receiver into one line', () => {
    const text = formatPrettyReport(unreachable)
    expect(text).toContain(
      '  ○ 12 checks not run: receiver unreachable (see accepts-every-event-type): uses-https, verifies-raw-body,',
    )
    expect(text.match(/✖/g)).toHaveLength(3) // the check, its evidence and the verdict
  })

  it('marks warnings and passes with a PASS verdict naming them', () => {
    const text = formatPrettyReport({
      ...awkwardReport(),
      ok: true,
      checks: awkwardReport().checks.slice(1),
    })
    expect(text).toMatch(/^ {2}⚠ uses-https +0 ms {2}http: plain, fine locally$/m)
    expect(text).toContain('      ⚠ retry, then 2xx: 50%\n')
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '✔ PASS: no error-severity check failed (uses-https: warning).',
    )
  })

  it('streams: the header first, then each check line as the check ends', async () => {
    const writes: string[] = []
    const pretty = createPrettyReporter({ write: (text) => writes.push(text) })
    const report = await verifyHandler(goodReceiver(), {
      only: ['accepts-redelivery', 'no-redirect'],
      onProgress: (event) => {
        pretty.onProgress(event)
        if (event.type === 'check-start') writes.push(`<start ${event.id}>`)
      },
    })
    pretty.end(report)
    const joined = writes.join('')
    expect(writes[0]).toMatch(
      /^idaas-webhook-kit verify POST https:\/\/receiver\.idaas-webhook-kit\.test\/webhooks\/idaas\n {2}in-process handler · 2 checks · deadline 3000 ms · burst 50 · IDaaS policy \(retries 5xx only\)\n\n$/,
    )
    expect(joined.indexOf('<start accepts-redelivery>')).toBeLessThan(
      joined.indexOf('✔ accepts-redelivery'),
    )
    expect(joined.indexOf('✔ accepts-redelivery')).toBeLessThan(
      joined.indexOf('<start no-redirect>'),
    )
  })

  it('colours only through the style it is given', () => {
    const style = {
      bold: (t: string) => `*${t}*`,
      dim: (t: string) => `~${t}~`,
      red: (t: string) => `R(${t})`,
      green: (t: string) => `G(${t})`,
      yellow: (t: string) => `Y(${t})`,
    }
    const text = formatPrettyReport(failing, style)
    expect(text).toContain('  R(✖) verifies-raw-body')
    expect(text).toContain('  G(✔) accepts-every-event-type')
    expect(text).toContain('*idaas-webhook-kit verify*')
  })
})

describe('GitHub Actions annotations', () => {
  it('writes ::error for failed errors, ::warning for failed warnings and warnings, ::notice for skipped checks, escaped', () => {
    expect(formatGithubAnnotations(awkwardReport()).split('\n')).toEqual([
      '::error title=idaas-webhook-kit verify%3A verifies-raw-body::Body "x" had \u001b[31mESC\u001b[0m & <tags>, 100%25 odd:%0Asecond line',
      '::warning title=idaas-webhook-kit verify%3A uses-https::http: plain, fine locally',
      '::warning title=idaas-webhook-kit verify%3A accepts-every-event-type::retry, then 2xx: 50%25',
      '::notice title=idaas-webhook-kit verify%3A handles-burst (skipped)::Not run: excluded by "skip".',
      '',
    ])
  })

  it('writes only the skipped checks, as notices with the reason, for a report without failures or warnings', () => {
    expect(formatGithubAnnotations(passing)).toBe(
      '::notice title=idaas-webhook-kit verify%3A uses-https (skipped)::Not checked: an in-process handler has no transport. Run verify against the deployed https URL to check TLS.\n',
    )
  })
})

describe('every reporter explains a receiver that checks only the older x-sha2-signature header', () => {
  // Written from IDaaS's in-product help: the hex HMAC-SHA256 of the raw body, nothing else.
  const olderOnly = async (request: Request): Promise<Response> => {
    const body = Buffer.from(await request.arrayBuffer())
    const received = (request.headers.get('x-sha2-signature') ?? '').trim().toLowerCase()
    const expected = createHmac('sha256', TOKEN).update(body).digest('hex')
    return new Response(null, { status: received === expected ? 204 : 401 })
  }
  let report: VerifyReport
  beforeAll(async () => {
    report = await verifyHandler(olderOnly, { only: ['accepts-every-event-type'] })
  })
  const why = 'The receiver checks only the older x-sha2-signature header'

  it('json: the failing check carries the diagnosis', () => {
    const document = JSON.parse(formatJsonReport(report)) as VerifyReport
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true)
    const accepts = document.checks.find((c) => c.id === 'accepts-every-event-type')
    expect(accepts?.status).toBe('failed')
    expect(accepts?.details.diagnosis).toContain(why)
    expect(accepts?.details.diagnosis).toContain('100 consecutive failures')
    expect(accepts?.details.diagnosis).toContain("schemes: ['rfc9421', 'x-sha2']")
  })

  it('junit: the <failure> text carries the diagnosis', () => {
    const xml = parseXml(formatJunitReport(report))
    const suite = xml.children[0] as XmlElement
    const accepts = suite.children.find((c) => c.attributes.name === 'accepts-every-event-type')
    expect(accepts?.children[0]?.name).toBe('failure')
    expect(accepts?.children[0]?.text).toContain(why)
  })

  it('pretty and GitHub: the diagnosis is printed under the check and in its annotation', () => {
    expect(formatPrettyReport(report)).toContain(`      → ${why}`)
    expect(formatGithubAnnotations(report)).toMatch(
      /::error title=idaas-webhook-kit verify%3A accepts-every-event-type::.*%0AThe receiver checks only the older x-sha2-signature header/,
    )
  })
})
