import { timingSafeEqual } from 'node:crypto'
import { type Dictionary, isInnerList, parseDictionary } from 'structured-headers'
import { formatMessage, KitError } from '../errors.js'
import { PLAIN_STYLE, type ReporterStyle } from '../reporters/style.js'
import type { ValidationIssue } from '../schema/issues.js'
import { validateEvent } from '../schema/validate.js'
import { digestBody, isDigestAlgorithm } from '../signing/content-digest.js'
import {
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_MAX_SKEW_SECONDS,
  type DigestAlgorithm,
  IDAAS_CONTENT_TYPE,
  IDAAS_METHOD,
  IDAAS_SIGNATURE_LABEL,
  type KeyEncoding,
} from '../signing/profile.js'
import { profileDifferences } from '../signing/profile-check.js'
import { isIntegerText, memberParameterText } from '../signing/raw-parameters.js'
import { toTargetUri } from '../signing/target-uri.js'
import { createDeliveryVerifier } from '../signing/verify.js'
import type { SignatureScheme } from '../signing/x-sha2.js'
import { decodeBody } from './decode-body.js'
import { type CapturedBody, type CaptureRecord, headerOf } from './format.js'
import {
  type CaptureEntry,
  type CaptureReadProblem,
  type ReadCaptureOptions,
  readCaptureLines,
} from './read-captures.js'

/** `error`: the delivery breaks the schemas. `drift`: the schemas or the kit's assumptions are out of date. */
export type FindingSeverity = 'error' | 'drift'

/**
 * What a finding is about. Errors: `schema-violation`, `invalid-body` (not UTF-8 JSON),
 * `corrupt-record` (the stored body does not match its length or hash). Drift: `unknown-event-type`,
 * `unknown-field`, `new-value` (a `const`/`enum` the schema does not list), `unusual-timestamp`
 * (an `eventTime` offset or precision no published example has), `header` (missing or
 * different header), `digest` (`Content-Digest` algorithm or mismatch), `signature-input` (label,
 * components, parameters, `alg`, `created`), `signature` (did not verify, or could not be checked:
 * no absolute URL to rebuild `@target-uri` from), `body-too-large` (A14),
 * `method`.
 */
export type FindingKind =
  | 'schema-violation'
  | 'invalid-body'
  | 'corrupt-record'
  | 'unknown-event-type'
  | 'unknown-field'
  | 'new-value'
  | 'unusual-timestamp'
  | 'header'
  | 'digest'
  | 'signature-input'
  | 'signature'
  | 'body-too-large'
  | 'method'

/** One problem and how many deliveries showed it. */
export interface DriftFinding {
  severity: FindingSeverity
  kind: FindingKind
  /** A JSON pointer into the payload (`/data/entityAttributes/region`), or a header name (`Signature-Input`). */
  path: string
  /** One sentence fragment, e.g. `unknown field "region"`. */
  message: string
  /** How many deliveries showed it. */
  count: number
  /** The event types of those deliveries (`(unknown)` when the body had none). */
  eventTypes: string[]
  /** Line numbers in the capture file of the first deliveries that showed it (at most 10). */
  lines: number[]
}

/** The result of {@link checkDeliveries}: plain data, `--reporter json` prints it as it is. */
export interface DriftReport {
  format: 'idaas-webhook-kit.drift-report'
  version: 1
  /** Capture records checked. */
  deliveries: number
  /** Deliveries that pass strict validation with no finding at all. */
  clean: number
  /** Deliveries with at least one error finding. */
  withErrors: number
  /** Deliveries with drift findings but no error. */
  withDriftOnly: number
  /** Event type → deliveries, in order of first appearance. */
  eventTypes: Record<string, number>
  /** Schema violations and unreadable bodies: the check fails on these. */
  errors: DriftFinding[]
  /** What the schemas or the kit's assumptions (A1–A5, A14, A15) did not expect. */
  drift: DriftFinding[]
  /** Lines that could not be read (the first 1,000); `fatal: false` for a truncated last line. */
  problems: CaptureReadProblem[]
  /** Unreadable lines beyond the first 1,000, counted but not listed. */
  problemsOmitted?: number
  /** Signature checks: with a token (`token`), from the capture run (`capture`), or none. */
  signatures: {
    source: 'token' | 'capture' | 'none'
    checked: number
    valid: number
    invalid: number
  }
  /** No errors and no fatal read problems. */
  ok: boolean
}

/** Options of {@link checkDeliveries}. */
export interface CheckDeliveriesOptions {
  /** Re-verify every signature with this token (at each delivery's arrival time). @default use the capture's result */
  token?: string | readonly string[]
  /** How the token becomes the HMAC key (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /** The callback URL registered in IDaaS, if not recorded in the capture (A5). @default each record's `publicUrl` or `url` */
  publicUrl?: string
  /** Which signature schemes are accepted; `x-sha2-signature` is verified when present and listed (A17). @default ['rfc9421'] */
  schemes?: readonly SignatureScheme[]
}

interface RawFinding {
  severity: FindingSeverity
  kind: FindingKind
  path: string
  message: string
}

const MAX_LINES = 10
const KIT_PARAMETERS = ['created', 'alg']
const UNKNOWN_TYPE = '(unknown)'
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export function checkDeliveries(
  entries: Iterable<CaptureEntry>,
  options: CheckDeliveriesOptions = {},
  problems: readonly CaptureReadProblem[] = [],
): DriftReport {
  const checker = createDeliveryChecker(options)
  for (const entry of entries) checker.add(entry)
  for (const problem of problems) checker.addProblem(problem)
  return checker.report()
}

/**
 * The drift report of a capture file read in one streaming pass: memory stays flat in the
 * file's size (one line at a time, findings grouped as they come). Rejects only when the file
 * cannot be read.
 * @example const report = await checkCaptureStream(createReadStream('deliveries.jsonl'))
 */
export async function checkCaptureStream(
  chunks: AsyncIterable<string | Uint8Array>,
  options: CheckDeliveriesOptions & ReadCaptureOptions = {},
): Promise<DriftReport> {
  const { maxLineBytes, ...checkOptions } = options
  const checker = createDeliveryChecker(checkOptions)
  const lines = readCaptureLines(chunks, maxLineBytes === undefined ? {} : { maxLineBytes })
  for await (const item of lines) {
    if (item.type === 'record') checker.add(item.entry)
    else checker.addProblem(item.problem)
  }
  return checker.report()
}

/** Reports at most this many unreadable lines one by one; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 1000

/** A drift check fed one delivery at a time: see {@link checkDeliveries}. */
export interface DeliveryChecker {
  /** Checks one capture record and adds its findings to the groups. */
  add(entry: CaptureEntry): void
  /** Adds a line that could not be read. */
  addProblem(problem: CaptureReadProblem): void
  /** The report of everything added so far. */
  report(): DriftReport
}

/**
 * Creates a drift check fed one delivery at a time, keeping only the grouped findings (and at
 * most {@link MAX_REPORTED_PROBLEMS} unreadable lines), so memory does not grow with the input.
 * @example
 * const checker = createDeliveryChecker({ token })
 * for await (const item of readCaptureLines(stream)) item.type === 'record' ? checker.add(item.entry) : checker.addProblem(item.problem)
 */
export function createDeliveryChecker(options: CheckDeliveriesOptions = {}): DeliveryChecker {
  if (options.publicUrl !== undefined && toTargetUri(options.publicUrl) === undefined) {
    throw new KitError(
      `Invalid option "publicUrl": expected the absolute callback URL registered in IDaaS, got ${JSON.stringify(String(options.publicUrl))}.`,
    )
  }
  const groups = new Map<string, DriftFinding>()
  const eventTypes = new Map<string, number>()
  const signatures: DriftReport['signatures'] = {
    source: options.token === undefined ? 'none' : 'token',
    checked: 0,
    valid: 0,
    invalid: 0,
  }
  const problems: CaptureReadProblem[] = []
  let problemCount = 0
  let fatalProblems = 0
  let deliveries = 0
  let clean = 0
  let withErrors = 0
  let withDriftOnly = 0
  const verifiers = new Map<KeyEncoding, Map<string, ReturnType<typeof createDeliveryVerifier>>>()
  const context: AnalysisContext = { options, verifiers }
  return {
    add({ line, record }) {
      deliveries++
      const analysis = analyse(record, context)
      const type = analysis.type ?? UNKNOWN_TYPE
      eventTypes.set(type, (eventTypes.get(type) ?? 0) + 1)
      if (analysis.signature !== undefined) {
        if (options.token === undefined) signatures.source = 'capture'
        signatures.checked++
        if (analysis.signature) signatures.valid++
        else signatures.invalid++
      }
      const seen = new Set<string>()
      for (const finding of analysis.findings) {
        const key = `${finding.severity}\u0000${finding.kind}\u0000${finding.path}\u0000${finding.message}`
        if (seen.has(key)) continue
        seen.add(key)
        let group = groups.get(key)
        if (group === undefined) {
          group = { ...finding, count: 0, eventTypes: [], lines: [] }
          groups.set(key, group)
        }
        group.count++
        if (!group.eventTypes.includes(type)) group.eventTypes.push(type)
        if (group.lines.length < MAX_LINES) group.lines.push(line)
      }
      const hasError = analysis.findings.some((f) => f.severity === 'error')
      if (hasError) withErrors++
      else if (analysis.findings.length > 0) withDriftOnly++
      else clean++
    },
    addProblem(problem) {
      problemCount++
      if (problem.fatal) fatalProblems++
      if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(problem)
    },
    report() {
      const byCount = (a: DriftFinding, b: DriftFinding) =>
        b.count - a.count || a.path.localeCompare(b.path) || a.message.localeCompare(b.message)
      const all = [...groups.values()].map((f) => ({
        ...f,
        eventTypes: [...f.eventTypes],
        lines: [...f.lines],
      }))
      const errors = all.filter((f) => f.severity === 'error').sort(byCount)
      return {
        format: 'idaas-webhook-kit.drift-report',
        version: 1,
        deliveries,
        clean,
        withErrors,
        withDriftOnly,
        eventTypes: Object.fromEntries(eventTypes),
        errors,
        drift: all.filter((f) => f.severity === 'drift').sort(byCount),
        problems: [...problems],
        ...(problemCount > problems.length
          ? { problemsOmitted: problemCount - problems.length }
          : {}),
        signatures: { ...signatures },
        ok: errors.length === 0 && fatalProblems === 0,
      }
    },
  }
}

interface AnalysisContext {
  options: CheckDeliveriesOptions
  /** One verifier per key encoding and public URL: created once, used for every record. */
  verifiers: Map<KeyEncoding, Map<string, ReturnType<typeof createDeliveryVerifier>>>
  /** The arrival time of the record being verified, in epoch ms. */
  arrivedAt?: number | undefined
}

interface Analysis {
  type: string | undefined
  findings: RawFinding[]
  /** `true`/`false` when a signature was checked (now or at capture time), else `undefined`. */
  signature: boolean | undefined
}

function analyse(record: CaptureRecord, context: AnalysisContext): Analysis {
  const findings: RawFinding[] = []
  const add = (severity: FindingSeverity, kind: FindingKind, path: string, message: string) =>
    findings.push({ severity, kind, path, message })
  let type: string | undefined
  let bytes: Buffer | undefined
  // Each digest of the body is computed once, for the record's hash and for Content-Digest.
  const digests = new BodyDigests()

  if (record.method !== IDAAS_METHOD) {
    add('drift', 'method', '', `method is "${record.method}"; IDaaS sends "${IDAAS_METHOD}"`)
  }
  if (record.body === null) {
    const size = record.tooLarge
      ? `${record.tooLarge.receivedBytes} bytes, above the capture limit of ${record.tooLarge.limit}`
      : 'not stored'
    add(
      'drift',
      'body-too-large',
      '',
      `body of ${size} (A14): it was refused with 413 and not stored`,
    )
  } else {
    bytes = decodeBody(record.body)
    if (!matchesRecord(record.body, bytes, digests)) {
      add(
        'error',
        'corrupt-record',
        '',
        'the stored body does not match its recorded length or SHA-256: the capture file was edited or damaged',
      )
      bytes = undefined
    }
  }
  if (bytes !== undefined && record.body !== null) {
    type = checkBody(record.body, bytes, add)
  }
  checkHeaders(record, bytes, digests, add)
  const signature = checkSignature(record, bytes, context, add)
  return { type, findings, signature }
}

type Add = (severity: FindingSeverity, kind: FindingKind, path: string, message: string) => void

/** Validates the payload in strict mode; returns its `type` when it has one. */
function checkBody(body: CapturedBody, bytes: Buffer, add: Add): string | undefined {
  let text: string
  if (body.encoding === 'utf8') {
    // The stored text is the body (its bytes matched the record's hash): no second decode.
    text = body.data.charCodeAt(0) === 0xfeff ? body.data.slice(1) : body.data
  } else {
    try {
      text = strictUtf8.decode(bytes)
    } catch {
      add('error', 'invalid-body', '', 'body is not valid UTF-8')
      return undefined
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    add('error', 'invalid-body', '', 'body is not valid JSON')
    return undefined
  }
  const rawType =
    value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined
  const type = typeof rawType === 'string' ? rawType : undefined
  const result = validateEvent(value, { mode: 'strict' })
  for (const issue of result.issues) classifyIssue(issue, add)
  // Strict mode's notes are drift too: unknown data fields of a type whose payload Entrust never
  // published, and eventTime forms no published example has.
  for (const note of result.notes) {
    if (note.kind === 'unknown-field') {
      const name = note.message.slice('unknown field '.length).replace(/ \(Entrust .*$/, '')
      add('drift', 'unknown-field', note.path, `unknown field ${name}`)
    } else if (note.kind === 'unusual-timestamp') {
      add('drift', 'unusual-timestamp', note.path, `eventTime ${note.message}`)
    }
  }
  return type
}

function classifyIssue(issue: ValidationIssue, add: Add): void {
  const path = issue.path
  if (issue.keyword === 'discriminator' && path === '/type') {
    add('drift', 'unknown-event-type', path, `unknown event type ${JSON.stringify(issue.actual)}`)
    return
  }
  if (issue.keyword === 'unevaluatedProperties') {
    const name = path
      .slice(path.lastIndexOf('/') + 1)
      .replace(/~1/g, '/')
      .replace(/~0/g, '~')
    add('drift', 'unknown-field', path, `unknown field "${name}"`)
    return
  }
  if (issue.keyword === 'const' || issue.keyword === 'enum') {
    add(
      'drift',
      'new-value',
      path,
      `new value ${JSON.stringify(issue.actual)} (the schema has ${issue.expected})`,
    )
    return
  }
  // Group by what was expected, not by each delivery's value: "must be number", "is required".
  add('error', 'schema-violation', path, issue.message.replace(/, got .*$/s, ''))
}

function parseField(value: string): Dictionary | undefined {
  try {
    return parseDictionary(value)
  } catch {
    return undefined
  }
}

function checkHeaders(
  record: CaptureRecord,
  bytes: Buffer | undefined,
  digests: BodyDigests,
  add: Add,
): void {
  const contentType = headerOf(record, 'content-type')
  if (contentType === undefined) {
    add(
      'drift',
      'header',
      'Content-Type',
      `header "Content-Type" is missing; IDaaS documents "${IDAAS_CONTENT_TYPE}"`,
    )
  } else if (contentType !== IDAAS_CONTENT_TYPE) {
    add(
      'drift',
      'header',
      'Content-Type',
      `Content-Type is ${JSON.stringify(contentType)}; the kit sends "${IDAAS_CONTENT_TYPE}"`,
    )
  }
  for (const name of ['Content-Digest', 'Signature-Input', 'Signature']) {
    if (headerOf(record, name) === undefined) {
      add(
        'drift',
        'header',
        name,
        `header "${name}" is missing; IDaaS documents it on every delivery`,
      )
    }
  }

  const digest = headerOf(record, 'content-digest')
  if (digest !== undefined) {
    const parsed = parseField(digest)
    if (parsed === undefined || parsed.size === 0) {
      add(
        'drift',
        'digest',
        'Content-Digest',
        'Content-Digest is not a structured field dictionary (RFC 9530)',
      )
    } else {
      for (const algorithm of parsed.keys()) {
        if (algorithm !== 'sha-256') {
          add(
            'drift',
            'digest',
            'Content-Digest',
            `Content-Digest uses algorithm "${algorithm}"; the kit sends only "sha-256" (A2)`,
          )
        }
      }
      if (bytes !== undefined) {
        const problem = contentDigestProblem(parsed, bytes, digests)
        if (problem?.problem === 'mismatch') {
          add(
            'drift',
            'digest',
            'Content-Digest',
            `Content-Digest (${problem.algorithm}) does not match the captured body bytes`,
          )
        } else if (problem?.problem === 'unsupported') {
          add(
            'drift',
            'digest',
            'Content-Digest',
            'Content-Digest has no algorithm the kit can check ("sha-256" or "sha-512")',
          )
        }
      }
    }
  }

  const input = headerOf(record, 'signature-input')
  const inputs = input === undefined ? undefined : parseField(input)
  if (input !== undefined && inputs === undefined) {
    add(
      'drift',
      'signature-input',
      'Signature-Input',
      'Signature-Input is not a structured field dictionary (RFC 8941)',
    )
  }
  if (inputs !== undefined) {
    for (const message of signingProfileDifferences(
      input as string,
      inputs,
      Date.parse(record.receivedAt),
    )) {
      add('drift', 'signature-input', 'Signature-Input', message)
    }
  }

  const signature = headerOf(record, 'signature')
  const signatures = signature === undefined ? undefined : parseField(signature)
  if (signature !== undefined && signatures === undefined) {
    add(
      'drift',
      'signature-input',
      'Signature',
      'Signature is not a structured field dictionary (RFC 8941)',
    )
  }
  if (signatures !== undefined && inputs !== undefined) {
    const inputLabels = [...inputs.keys()].sort().join(',')
    const signatureLabels = [...signatures.keys()].sort().join(',')
    if (inputLabels !== signatureLabels) {
      add(
        'drift',
        'signature-input',
        'Signature',
        'Signature and Signature-Input have different labels',
      )
    }
  }
}

/**
 * Every difference of a `Signature-Input` (its raw text and its parse) from the IDaaS signing
 * profile (A3): a label other than "sig", the components and `alg` as {@link profileDifferences}
 * finds them, `created`/`expires` that are not Integers, parameters the kit does not send, and a
 * `created` outside the replay window (A4) at `arrivedAt` (epoch ms; NaN skips that).
 * @internal
 */
export function signingProfileDifferences(
  input: string,
  inputs: Dictionary,
  arrivedAt: number,
): string[] {
  const found: string[] = []
  for (const label of inputs.keys()) {
    if (label !== IDAAS_SIGNATURE_LABEL) {
      found.push(`signature label "${label}"; the kit uses "${IDAAS_SIGNATURE_LABEL}"`)
    }
  }
  const member = inputs.get(IDAAS_SIGNATURE_LABEL)
  if (member === undefined) {
    found.push(`no signature labelled "${IDAAS_SIGNATURE_LABEL}"`)
    return found
  }
  if (!isInnerList(member)) {
    found.push(`member "${IDAAS_SIGNATURE_LABEL}" is not an inner list of components`)
    return found
  }
  for (const difference of profileDifferences(member)) {
    found.push(`signature "${IDAAS_SIGNATURE_LABEL}" ${difference.description}`)
  }
  const parameters = member[1]
  for (const name of parameters.keys()) {
    if (!KIT_PARAMETERS.includes(name))
      found.push(`parameter "${name}" is not sent by the kit (A3)`)
  }
  const created = parameters.get('created')
  if (created === undefined) found.push('parameter "created" is missing; the kit sends it (A3)')
  const rawText = memberParameterText(input, IDAAS_SIGNATURE_LABEL)
  let integerCreated = false
  for (const name of ['created', 'expires']) {
    if (parameters.get(name) === undefined) continue
    const integer = typeof parameters.get(name) === 'number' && isIntegerText(rawText?.get(name))
    if (!integer) found.push(`"${name}" is not an integer (RFC 9421 §2.3)`)
    else if (name === 'created') integerCreated = true
  }
  if (integerCreated && Number.isFinite(arrivedAt)) {
    const age = Math.round(arrivedAt / 1000 - (created as number))
    if (age > DEFAULT_MAX_AGE_SECONDS || -age > DEFAULT_MAX_SKEW_SECONDS) {
      found.push(
        `"created" is outside the kit's replay window on arrival (A4: ${DEFAULT_MAX_AGE_SECONDS} s old, ${DEFAULT_MAX_SKEW_SECONDS} s ahead)`,
      )
    }
  }
  return found
}

function checkSignature(
  record: CaptureRecord,
  bytes: Buffer | undefined,
  context: AnalysisContext,
  add: Add,
): boolean | undefined {
  const { options } = context
  if (options.token === undefined) {
    if (!record.signature.checked) return undefined
    if (!record.signature.ok) {
      add(
        'drift',
        'signature',
        'Signature',
        `signature did not verify at capture time (${record.signature.reason})`,
      )
    }
    return record.signature.ok
  }
  if (record.body === null) return undefined
  const body = bytes ?? decodeBody(record.body)
  // No prototype: a captured header named "__proto__" or "constructor" is an ordinary key.
  const headers: Record<string, string[]> = Object.create(null)
  for (const [name, value] of record.headers) {
    const key = name.toLowerCase()
    const list = headers[key]
    if (list === undefined) headers[key] = [value]
    else list.push(value)
  }
  const publicUrl = options.publicUrl ?? record.publicUrl
  if (toTargetUri(publicUrl ?? record.url) === undefined) {
    // A hand-edited record, or a Host header that formed no URL: nothing to rebuild @target-uri from.
    const field = publicUrl === undefined ? 'url' : 'publicUrl'
    add(
      'drift',
      'signature',
      'Signature',
      `signature not checked: the recorded "${field}" is not an absolute URL; pass "publicUrl", the URL registered in IDaaS (A5)`,
    )
    return undefined
  }
  const arrivedAt = Date.parse(record.receivedAt)
  context.arrivedAt = Number.isFinite(arrivedAt) ? arrivedAt : undefined
  const verifyWith = (keyEncoding: KeyEncoding) =>
    verifierFor(
      context,
      keyEncoding,
      publicUrl,
    )({
      method: record.method,
      url: record.url,
      headers,
      body,
    })
  const keyEncoding = options.keyEncoding ?? 'utf8'
  const result = verifyWith(keyEncoding)
  if (result.ok) return true
  if (result.reason === 'signature-mismatch') {
    const other: KeyEncoding = keyEncoding === 'utf8' ? 'base64' : 'utf8'
    let otherOk = false
    try {
      otherOk = verifyWith(other).ok
    } catch {
      // A token that is not base64 cannot be decoded: the other encoding is not it.
    }
    add(
      'drift',
      'signature',
      'Signature',
      otherOk
        ? `signature verifies only with key encoding "${other}" (A1), not "${keyEncoding}"`
        : 'signature does not match (signature-mismatch): wrong token, or a different @target-uri (A5: is "publicUrl" the URL registered in IDaaS?)',
    )
    return false
  }
  add('drift', 'signature', 'Signature', `signature did not verify (${result.reason})`)
  return false
}

/** The verifier for a key encoding and public URL, created once (deriving the key once). */
function verifierFor(
  context: AnalysisContext,
  keyEncoding: KeyEncoding,
  publicUrl: string | undefined,
): ReturnType<typeof createDeliveryVerifier> {
  let byUrl = context.verifiers.get(keyEncoding)
  if (byUrl === undefined) {
    byUrl = new Map()
    context.verifiers.set(keyEncoding, byUrl)
  }
  const key = publicUrl ?? ''
  let verifier = byUrl.get(key)
  if (verifier === undefined) {
    verifier = createDeliveryVerifier({
      token: context.options.token as string | readonly string[],
      keyEncoding,
      ...(publicUrl === undefined ? {} : { publicUrl }),
      ...(context.options.schemes === undefined ? {} : { schemes: context.options.schemes }),
      // Each delivery is verified at its own arrival time.
      now: () => context.arrivedAt ?? Date.now(),
    })
    byUrl.set(key, verifier)
  }
  return verifier
}

/** The body's digests, each computed at most once per record. */
class BodyDigests {
  readonly #values = new Map<DigestAlgorithm, Buffer>()
  of(bytes: Uint8Array, algorithm: DigestAlgorithm): Buffer {
    let value = this.#values.get(algorithm)
    if (value === undefined) {
      value = digestBody(bytes, algorithm)
      this.#values.set(algorithm, value)
    }
    return value
  }
}

/** As `bodyMatchesRecord`, with the SHA-256 from `digests`. */
function matchesRecord(body: CapturedBody, bytes: Buffer, digests: BodyDigests): boolean {
  if (bytes.byteLength !== body.bytes) return false
  if (typeof body.sha256 !== 'string') return true
  return digests.of(bytes, 'sha-256').toString('base64') === body.sha256
}

/**
 * As `checkContentDigest` (RFC 9530: every sha-256 and sha-512 member must match, at least one
 * must be checkable), on the dictionary already parsed and with the digests computed once.
 */
function contentDigestProblem(
  dictionary: Dictionary,
  bytes: Buffer,
  digests: BodyDigests,
): { problem: 'mismatch'; algorithm: DigestAlgorithm } | { problem: 'unsupported' } | undefined {
  let checked = 0
  for (const [algorithm, member] of dictionary) {
    if (!isDigestAlgorithm(algorithm)) continue
    const received = member[0]
    const expected = digests.of(bytes, algorithm)
    if (
      !(received instanceof ArrayBuffer) ||
      received.byteLength !== expected.byteLength ||
      !timingSafeEqual(new Uint8Array(received), expected)
    ) {
      return { problem: 'mismatch', algorithm }
    }
    checked++
  }
  return checked === 0 ? { problem: 'unsupported' } : undefined
}

/** Colour helpers for {@link formatDriftReport}: the reporters' style, each may return its input unchanged. */
export type DriftReportStyle = ReporterStyle

/**
 * The report as readable text: a summary, then errors (`✖`), drift (`⚠`) and unreadable lines.
 * @example console.log(formatDriftReport(checkDeliveries(entries), { source: 'deliveries.jsonl' }))
 */
export function formatDriftReport(
  report: DriftReport,
  options: { source?: string; style?: DriftReportStyle } = {},
): string {
  const style = options.style ?? PLAIN_STYLE
  const lines: string[] = []
  const from = options.source ? ` from ${options.source}` : ''
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
  lines.push(
    style.bold(
      `Checked ${plural(report.deliveries, 'delivery', 'deliveries')}${from}: ${report.clean} clean, ${report.withDriftOnly} with drift only, ${report.withErrors} with errors.`,
    ),
  )
  const types = Object.entries(report.eventTypes)
    .map(([type, count]) => `${type} ×${count}`)
    .join(', ')
  if (types) lines.push(`Event types: ${types}.`)
  const sig = report.signatures
  if (sig.source !== 'none') {
    const how = sig.source === 'token' ? 'verified with the token' : 'as verified while capturing'
    lines.push(`Signatures ${how}: ${sig.valid} valid, ${sig.invalid} invalid.`)
  }
  const describe = (f: DriftFinding) => {
    const where = f.path === '' ? '' : `\n  → at ${f.path}`
    const seen = `${f.count} of ${report.deliveries}; ${f.eventTypes.join(', ')}; line${f.lines.length === 1 ? '' : 's'} ${f.lines.join(', ')}${f.count > f.lines.length ? ', …' : ''}`
    return `${f.message}${where} ${style.dim(`(${seen})`)}`
  }
  if (report.errors.length > 0) {
    lines.push('', style.bold('Errors: the deliveries break the schemas'))
    for (const f of report.errors) lines.push(`${style.red('✖')} ${describe(f)}`)
  }
  if (report.drift.length > 0) {
    lines.push('', style.bold('Drift: the schemas or the kit’s assumptions did not expect this'))
    for (const f of report.drift) lines.push(`${style.yellow('⚠')} ${describe(f)}`)
  }
  if (report.problems.length > 0) {
    lines.push('', style.bold('Unreadable lines'))
    for (const p of report.problems) {
      lines.push(`${p.fatal ? style.red('✖') : style.yellow('⚠')} ${p.message}`)
    }
  }
  lines.push('')
  const fatal = report.problems.filter((p) => p.fatal).length
  if (report.ok) {
    lines.push(
      report.drift.length === 0
        ? `${style.green('✔')} No errors and no drift.`
        : `${style.green('✔')} No errors; ${plural(report.drift.length, 'drift finding')} to review.`,
    )
  } else {
    const parts = [plural(report.errors.length, 'error finding')]
    if (fatal > 0) parts.push(plural(fatal, 'unreadable line'))
    lines.push(
      `${style.red('✖')} ${parts.join(', ')}; ${plural(report.drift.length, 'drift finding')}.`,
    )
  }
  return lines.join('\n')
}

/** A one-line message for the report, e.g. for an assertion. */
export function describeDriftReport(report: DriftReport): string {
  return formatMessage(
    `Checked ${report.deliveries} deliveries: ${report.errors.length} error findings, ${report.drift.length} drift findings.`,
  )
}
