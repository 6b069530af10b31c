import { createHash } from 'node:crypto'

/** The `format` of every capture line. */
export const CAPTURE_FORMAT = 'idaas-webhook-kit.capture'

/** The version of the capture line this kit writes and reads. */
export const CAPTURE_VERSION = 1

/** Where the JSON Schema of a capture line is published (also `idaas-webhook-kit/schemas/capture-record.schema.json`). */
export const CAPTURE_SCHEMA_ID =
  'https://unpkg.com/idaas-webhook-kit/schemas/capture-record.schema.json'

/**
 * The raw body of a captured request. `utf8` when the bytes are valid UTF-8 and their
 * JSON-escaped text is no longer than base64 (the JSON stays readable), else `base64`, so a
 * line is never longer than about 4/3 of the body; either way `Buffer.from(data, encoding)` gives back the exact bytes.
 */
export interface CapturedBody {
  encoding: 'utf8' | 'base64'
  data: string
  /** Length in bytes. */
  bytes: number
  /** Base64 SHA-256 of the bytes, to detect a damaged capture file. */
  sha256: string
}

/** The result of checking the signature while capturing (only with a token). Never holds the token or signature values. */
export type CapturedSignature =
  | { checked: false }
  | { checked: true; ok: true }
  | { checked: true; ok: false; reason: string; message: string }

/**
 * One captured request: one line of a capture file (JSON lines, version 1). Headers and body are
 * kept exactly as received, so that `check` can look at the signature profile and `replay` can
 * resend the same bytes.
 */
export interface CaptureRecord {
  format: typeof CAPTURE_FORMAT
  version: typeof CAPTURE_VERSION
  /** 1 for the first request of a capture run. */
  seq: number
  /** ISO 8601 time the request arrived. */
  receivedAt: string
  method: string
  /** The URL the capture server saw (scheme, `Host` header, path and query). */
  url: string
  /** The URL registered in IDaaS, when `publicUrl` was set: what IDaaS signed as `@target-uri` (A5). */
  publicUrl?: string
  httpVersion: string
  remoteAddress: string | null
  /** The negotiated TLS version for HTTPS captures, e.g. `TLSv1.3`; `null` for plain HTTP. */
  tls: { protocol: string | null } | null
  /** `[name, value]` pairs in the order and case they arrived; repeated headers stay repeated. */
  headers: [string, string][]
  /** The raw body, or `null` when it was not stored (above the size limit). */
  body: CapturedBody | null
  /** Set when the body was above the limit and answered with 413 (A14). */
  tooLarge?: { limit: number; receivedBytes: number }
  signature: CapturedSignature
  /** What the capture server answered. */
  response: { status: number }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Stores bytes as UTF-8 text when that is lossless, else as base64. @internal */
export function encodeBody(bytes: Uint8Array): CapturedBody {
  const sha256 = createHash('sha256').update(bytes).digest('base64')
  let text: string | undefined
  try {
    text = strictUtf8.decode(bytes)
  } catch {
    text = undefined
  }
  // Escaping can make text up to 6× longer (`\u0000`); base64 is 4/3: the line stays bounded.
  const base64Bytes = 4 * Math.ceil(bytes.byteLength / 3)
  if (
    text !== undefined &&
    Buffer.from(text, 'utf8').equals(bytes) &&
    Buffer.byteLength(JSON.stringify(text)) - 2 <= base64Bytes
  ) {
    return { encoding: 'utf8', data: text, bytes: bytes.byteLength, sha256 }
  }
  return {
    encoding: 'base64',
    data: Buffer.from(bytes).toString('base64'),
    bytes: bytes.byteLength,
    sha256,
  }
}

/**
 * True when `bytes` (the decoded body) have the stored length and SHA-256: false means the
 * capture file was edited or damaged. Older writers may omit the hash; the length still counts.
 * @internal
 */
export function bodyMatchesRecord(body: CapturedBody, bytes: Uint8Array): boolean {
  if (bytes.byteLength !== body.bytes) return false
  if (typeof body.sha256 !== 'string') return true
  return createHash('sha256').update(bytes).digest('base64') === body.sha256
}

/** The value of a captured header (case-insensitive); repeated headers joined with `, `. @internal */
export function headerOf(record: Pick<CaptureRecord, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase()
  const values = record.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v)
  return values.length === 0 ? undefined : values.join(', ')
}

/** Why a line is not a usable capture record, naming the field; `undefined` when it is one. @internal */
export function describeRecordProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'is not a JSON object'
  }
  const record = value as Record<string, unknown>
  if (record.format !== CAPTURE_FORMAT) {
    return `is not a capture record ("format" is not "${CAPTURE_FORMAT}")`
  }
  if (record.version !== CAPTURE_VERSION) {
    return `has capture format version ${JSON.stringify(record.version)}; this kit reads version ${CAPTURE_VERSION}`
  }
  if (!Number.isSafeInteger(record.seq)) return 'has no whole number "seq"'
  for (const key of ['receivedAt', 'method', 'url', 'httpVersion'] as const) {
    if (typeof record[key] !== 'string') return `has no string "${key}"`
  }
  if (
    !Array.isArray(record.headers) ||
    !record.headers.every(
      (pair) =>
        Array.isArray(pair) &&
        pair.length === 2 &&
        typeof pair[0] === 'string' &&
        typeof pair[1] === 'string',
    )
  ) {
    return 'has "headers" that are not [name, value] string pairs'
  }
  const body = record.body as Record<string, unknown> | null | undefined
  if (body !== null) {
    if (
      body === undefined ||
      typeof body !== 'object' ||
      (body.encoding !== 'utf8' && body.encoding !== 'base64') ||
      typeof body.data !== 'string' ||
      !Number.isSafeInteger(body.bytes)
    ) {
      return 'has a "body" that is neither null nor { encoding: "utf8" | "base64", data, bytes, sha256 }'
    }
  }
  const signature = record.signature as Record<string, unknown> | undefined
  if (
    signature === null ||
    typeof signature !== 'object' ||
    typeof signature.checked !== 'boolean'
  ) {
    return 'has no "signature" object with a boolean "checked"'
  }
  const response = record.response as Record<string, unknown> | undefined
  if (response === null || typeof response !== 'object' || !Number.isSafeInteger(response.status)) {
    return 'has no "response" with a numeric "status"'
  }
  return undefined
}
