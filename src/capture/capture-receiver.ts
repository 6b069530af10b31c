import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { resolve } from 'node:path'
import { createSecureContext, type TLSSocket } from 'node:tls'
import type { PemInput } from '../delivery/pem.js'
import { toTlsPem } from '../delivery/pem-buffers.js'
import { formatMessage, KitError, MESSAGE_PREFIX } from '../errors.js'
import { describeValue } from '../internal/describe-value.js'
import {
  checkHost,
  checkMaxBodyBytes,
  checkPort,
  checkServerTimeouts,
  closeServer,
  DEFAULT_HOST,
  listen,
  originOf,
} from '../internal/http/listen.js'
import type { KeyEncoding } from '../signing/profile.js'
import type { PublicUrlOption } from '../signing/target-uri.js'
import { createDeliveryVerifier, type VerifyDeliveryResult } from '../signing/verify.js'
import type { SignatureScheme } from '../signing/x-sha2.js'
import { createSelfSignedCertificate } from './certificate.js'
import {
  CAPTURE_FORMAT,
  CAPTURE_VERSION,
  type CapturedSignature,
  type CaptureRecord,
  encodeBody,
} from './format.js'
import { CAPTURE_MAX_LINE_BYTES, isRecordOpening } from './read-captures.js'

/** The largest body the capture receiver stores: 1 MiB (assumption A14). */
export const CAPTURE_MAX_BODY_BYTES = 1024 * 1024

/** The path the capture receiver suggests registering; it records a POST to any path. */
export const CAPTURE_SUGGESTED_PATH = '/webhooks/idaas'

/** Options of {@link startCaptureReceiver}. */
export interface CaptureReceiverOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to bind. @default '127.0.0.1' (loopback: put a tunnel in front for a staging tenant) */
  host?: string
  /** JSON lines file to append one record per request to; created if missing. @default none (records kept in memory only) */
  out?: string
  /**
   * Webhook token(s): verify each delivery's signature and record the result (never the token).
   * @default not verified
   */
  token?: string | readonly string[]
  /** How the token becomes the HMAC key (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /** Which signature schemes the verification accepts (A17). @default ['rfc9421'] */
  schemes?: readonly SignatureScheme[]
  /**
   * The callback URL registered in IDaaS (a tunnel's URL): what IDaaS signed as `@target-uri` (A5).
   * Recorded in each line. @default the URL the request arrived at
   */
  publicUrl?: string
  /** Bodies above this many bytes get a 413 and are recorded without their body (A14). @default 1048576 */
  maxBodyBytes?: number
  /**
   * Serve HTTPS (TLS 1.2 minimum): `true` generates a self-signed certificate for localhost,
   * 127.0.0.1 and ::1 (see `certificate`); or give your own PEM `{ key, cert }`. @default false
   */
  tls?: boolean | { key: PemInput; cert: PemInput }
  /** A sender gets this many milliseconds to send the request headers; then 408 and the socket closed. @default 10000 */
  headersTimeoutMs?: number
  /** A sender gets this many milliseconds to send the whole request; then 408 and the socket closed. @default 30000 */
  requestTimeoutMs?: number
  /** `fdatasync` after each line: survives a power cut, not only a crash, at a cost of milliseconds. @default false */
  fsync?: boolean
  /**
   * Without `out`, the most recent records stay in memory up to this many body bytes in total
   * (and 10,000 records); with `out` no record is kept in memory. @default 67108864 (64 MiB)
   */
  keepBodyBytes?: number
  /** Called after each request is recorded and answered; an exception is printed to stderr, not thrown. */
  onCapture?: (record: CaptureRecord) => void
}

/** A running capture receiver. */
export interface CaptureReceiver {
  /** A callback URL to register (any path is recorded): `http(s)://127.0.0.1:<port>/webhooks/idaas`. */
  readonly url: string
  /** `http(s)://127.0.0.1:<port>`. */
  readonly origin: string
  /** The absolute path of the capture file, when `out` was given. */
  readonly out: string | undefined
  /** The certificate (PEM) clients must trust, with `tls`. */
  readonly certificate: string | undefined
  /** The certificate's SHA-256 fingerprint, with `tls`. */
  readonly fingerprint256: string | undefined
  /**
   * Without `out`: the most recent records, oldest first (up to 10,000 and `keepBodyBytes` of
   * bodies). With `out`: empty, the file holds them (read it with `readCaptureFile`).
   */
  readonly records: readonly CaptureRecord[]
  /**
   * Bytes removed from the end of `out` at start: the incomplete last line an interrupted
   * capture left (crash residue, never an acknowledged record). 0 when there was none.
   */
  readonly discardedBytes: number
  /** How many requests were recorded since start. */
  readonly count: number
  /** Stops listening, closes every socket and the file; resolves when done. Safe to call twice. */
  close(): Promise<void>
}

const RECORD_LIMIT = 10_000

/** Bodies kept in memory without `out`: 64 MiB in total. */
export const CAPTURE_KEEP_BODY_BYTES = 64 * 1024 * 1024

/**
 * The longest capture line a body of `maxBodyBytes` can produce: the body as base64 at worst
 * (see `encodeBody`), plus 128 KiB for the headers (Node caps them at 16 KiB, 6× when every byte
 * is JSON-escaped) and the other fields. `check` and `replay` read lines up to
 * `maxLineBytes` (8 MiB by default): above it, pass them this number.
 */
export function captureLineBytesFor(maxBodyBytes: number): number {
  return 4 * Math.ceil(maxBodyBytes / 3) + 128 * 1024
}

/**
 * Starts a recording receiver for real IDaaS deliveries (through a tunnel from a staging tenant):
 * every POST is appended to `out` as one JSON line with its raw headers and raw body, written
 * before the answer so that nothing acknowledged is lost if the process dies, then answered 204
 * at once. Signatures are verified when a token is given; the result is recorded, never the
 * token. Bodies above 1 MiB get 413 (A14). Other methods get 405 and are not recorded.
 * @example
 * const capture = await startCaptureReceiver({ out: 'deliveries.jsonl', tls: true })
 * // register capture.url (through a tunnel) in IDaaS, then: idaas-webhook-kit check deliveries.jsonl
 */
export async function startCaptureReceiver(
  options: CaptureReceiverOptions = {},
): Promise<CaptureReceiver> {
  if (options === null || typeof options !== 'object') {
    throw new KitError('Invalid options: expected an object.')
  }
  const port = checkPort(options.port ?? 0)
  const host = checkHost(options.host ?? DEFAULT_HOST)
  const maxBodyBytes = checkMaxBodyBytes(options.maxBodyBytes ?? CAPTURE_MAX_BODY_BYTES)
  const timeouts = checkServerTimeouts(options)
  const publicUrl = checkPublicUrl(options.publicUrl)
  const verify =
    options.token === undefined
      ? undefined
      : createDeliveryVerifier({
          token: options.token,
          ...(options.keyEncoding === undefined ? {} : { keyEncoding: options.keyEncoding }),
          ...(options.schemes === undefined ? {} : { schemes: options.schemes }),
          ...(publicUrl === undefined ? {} : { publicUrl: publicUrl as PublicUrlOption }),
        })

  let tls: { key: PemInput; cert: PemInput } | undefined
  let fingerprint256: string | undefined
  if (options.tls === true) {
    const generated = await createSelfSignedCertificate([host])
    tls = generated
    fingerprint256 = generated.fingerprint256
  } else if (options.tls && typeof options.tls === 'object') {
    tls = options.tls
    fingerprint256 = await checkTls(options.tls)
  }

  const out = options.out === undefined ? undefined : resolve(options.out)
  const keepBodyBytes = checkKeepBodyBytes(options.keepBodyBytes ?? CAPTURE_KEEP_BODY_BYTES)
  let fd: number | undefined
  // True while the file ends in the middle of a line that could not be removed: the next record
  // then starts with a newline, and the fragment stays visible as damage to `check`.
  let midLine = false
  let discardedBytes = 0
  if (out !== undefined) {
    try {
      fd = openSync(out, 'a+')
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error'
      throw new KitError(`Failed to open the capture file "${out}" for appending (${code}).`, {
        cause: error,
      })
    }
    try {
      const tail = inspectTail(fd, out)
      if (tail.kind === 'fragment') {
        // Crash residue: never an acknowledged record (the answer follows the write). Removing it
        // keeps the file readable: only its last line may be incomplete (see readCaptureLines).
        ftruncateSync(fd, tail.start)
        discardedBytes = tail.bytes
      } else midLine = tail.kind === 'unterminated'
    } catch (error) {
      closeSync(fd)
      throw error
    }
  }

  const records: CaptureRecord[] = []
  let keptBytes = 0
  let seq = 0
  const append = (record: CaptureRecord) => {
    if (fd !== undefined) {
      // One write per line with O_APPEND, before the answer: a record IDaaS saw acknowledged is
      // in the file even if this process dies right after.
      const bytes = Buffer.from(`${midLine ? '\n' : ''}${JSON.stringify(record)}\n`, 'utf8')
      const sizeBefore = fstatSync(fd).size
      let written = 0
      try {
        while (written < bytes.byteLength) {
          written += writeSync(fd, bytes, written, bytes.byteLength - written)
        }
      } catch (error) {
        if (written > 0) {
          // Take the partial line back, so that no fragment ends up in the middle of the file.
          try {
            ftruncateSync(fd, sizeBefore)
          } catch {
            midLine = true
          }
        }
        throw error
      }
      midLine = false
      if (options.fsync === true) fdatasyncSync(fd)
      // On disk now: nothing of it is kept in memory.
      return
    }
    records.push(record)
    keptBytes += record.body?.data.length ?? 0
    while (records.length > RECORD_LIMIT || (keptBytes > keepBodyBytes && records.length > 1)) {
      keptBytes -= (records.shift() as CaptureRecord).body?.data.length ?? 0
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      req.resume()
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' })
      res.end(`${formatMessage('The capture receiver records POST requests only.')}\n`)
      return
    }
    const receivedAt = new Date().toISOString()
    const body = await readBody(req, maxBodyBytes)
    if (body.kind === 'aborted') return
    seq += 1
    const socket = req.socket as Partial<TLSSocket>
    const scheme = tls ? 'https' : 'http'
    const url = `${scheme}://${req.headers.host ?? originOf(server, scheme).replace(/^https?:\/\//, '')}${req.url ?? '/'}`
    const headers: [string, string][] = []
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string])
    }
    const status = body.kind === 'too-large' ? 413 : 204
    let signature: CapturedSignature = { checked: false }
    if (verify !== undefined && body.kind === 'complete') {
      try {
        signature = toCapturedSignature(
          verify({ method: req.method, url, headers: req.headers, body: body.bytes }),
        )
      } catch (error) {
        // A Host header or request target that forms no URL: a bad request, still recorded.
        signature = {
          checked: true,
          ok: false,
          reason: 'malformed-header',
          message: withoutPrefix(error),
        }
      }
    }
    const record: CaptureRecord = {
      format: CAPTURE_FORMAT,
      version: CAPTURE_VERSION,
      seq,
      receivedAt,
      method: req.method,
      url,
      ...(publicUrl === undefined ? {} : { publicUrl }),
      httpVersion: req.httpVersion,
      remoteAddress: req.socket.remoteAddress ?? null,
      tls: tls ? { protocol: socket.getProtocol?.() ?? null } : null,
      headers,
      body: body.kind === 'complete' ? encodeBody(body.bytes) : null,
      ...(body.kind === 'too-large'
        ? { tooLarge: { limit: maxBodyBytes, receivedBytes: body.receivedBytes } }
        : {}),
      signature,
      response: { status },
    }
    append(record)
    if (status === 413) {
      res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
      res.end(
        `${formatMessage(`The body is larger than ${maxBodyBytes} bytes, the capture limit (A14).`)}\n`,
      )
    } else {
      res.writeHead(204)
      res.end()
    }
    if (options.onCapture !== undefined) {
      try {
        options.onCapture(record)
      } catch (error) {
        console.error(formatMessage(`The "onCapture" callback threw: ${withoutPrefix(error)}`))
      }
    }
  }

  const requestListener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      // The file could not be written: say so with a 500, so the sender retries later.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(`${formatMessage(`Failed to record the request: ${withoutPrefix(error)}`)}\n`)
      } else res.destroy()
    })
  }
  let server: ReturnType<typeof createHttpServer>
  let origin: string
  try {
    server = tls
      ? createHttpsServer(
          { ...timeouts, key: toTlsPem(tls.key), cert: toTlsPem(tls.cert), minVersion: 'TLSv1.2' },
          requestListener,
        )
      : createHttpServer(timeouts, requestListener)
    await listen(server, port, host, 'the capture receiver')
    origin = originOf(server, tls ? 'https' : 'http')
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    throw error
  }
  let closing: Promise<void> | undefined
  return {
    url: `${origin}${CAPTURE_SUGGESTED_PATH}`,
    origin,
    out,
    certificate: tls ? String(tls.cert) : undefined,
    fingerprint256,
    records,
    discardedBytes,
    get count() {
      return seq
    },
    close() {
      closing ??= closeServer(server).then(() => {
        if (fd !== undefined) closeSync(fd)
        fd = undefined
      })
      return closing
    },
  }
}

function checkPublicUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined
  try {
    return new URL(String(value)).href
  } catch {
    throw new KitError(
      `Invalid option "publicUrl": expected the absolute callback URL registered in IDaaS, got ${JSON.stringify(String(value))}.`,
    )
  }
}

/** Checks a given PEM `{ key, cert }` before anything is opened; resolves the certificate's fingerprint. */
async function checkTls(value: { key?: unknown; cert?: unknown }): Promise<string> {
  let fingerprint256: string
  try {
    const { X509Certificate } = await import('node:crypto')
    fingerprint256 = new X509Certificate(toTlsPem(value.cert as PemInput)).fingerprint256
  } catch {
    throw new KitError('Invalid option "tls": "cert" is not a PEM certificate.')
  }
  if (typeof value.key !== 'string' && !(value.key instanceof Uint8Array)) {
    throw new KitError('Invalid option "tls": "key" is missing; expected a PEM private key.')
  }
  try {
    createSecureContext({ key: toTlsPem(value.key), cert: toTlsPem(value.cert as PemInput) })
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    throw new KitError(
      code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
        ? 'Invalid option "tls": "key" is not the private key of "cert".'
        : `Invalid option "tls": "key" is not a usable PEM private key${typeof code === 'string' ? ` (${code})` : ''}.`,
      { cause: error },
    )
  }
  return fingerprint256
}

type Tail =
  | { kind: 'complete' }
  | { kind: 'unterminated' }
  | { kind: 'fragment'; start: number; bytes: number }

/**
 * How the file ends: after a newline (or empty), with a complete JSON line that lacks its
 * newline, or with the incomplete start of a capture record (crash residue). Anything else is
 * not a capture file, and is refused rather than appended to. Reads backwards in 64 KiB steps.
 */
function inspectTail(fd: number, path: string): Tail {
  const { size } = fstatSync(fd)
  if (size === 0) return { kind: 'complete' }
  const step = Buffer.alloc(64 * 1024)
  let end = size
  let start = 0
  search: while (end > 0) {
    const from = Math.max(0, end - step.byteLength)
    const read = readSync(fd, step, 0, end - from, from)
    for (let i = read - 1; i >= 0; i--) {
      if (step[i] === 0x0a) {
        if (from + i === size - 1) return { kind: 'complete' }
        start = from + i + 1
        break search
      }
    }
    end = from
  }
  const bytes = size - start
  const head = Buffer.alloc(Math.min(bytes, 64))
  readSync(fd, head, 0, head.byteLength, start)
  const opening = head.toString('utf8').replace(/^\s+/, '')
  if (!isRecordOpening(opening)) {
    throw new KitError(
      `Failed to open the capture file "${path}": its last line is not a capture record. Is it a capture file? Pass another "out" (CLI "--out").`,
    )
  }
  if (bytes > CAPTURE_MAX_LINE_BYTES) return { kind: 'fragment', start, bytes }
  const line = Buffer.alloc(bytes)
  readSync(fd, line, 0, bytes, start)
  try {
    JSON.parse(line.toString('utf8'))
    return { kind: 'unterminated' }
  } catch {
    return { kind: 'fragment', start, bytes }
  }
}

function checkKeepBodyBytes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new KitError(
      `Invalid option "keepBodyBytes": expected a whole number of bytes (0 or more), got ${describeValue(value)}.`,
    )
  }
  return value
}

/** An error's message without the kit's prefix, to put inside another kit message. */
function withoutPrefix(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.startsWith(`${MESSAGE_PREFIX} `)
    ? message.slice(MESSAGE_PREFIX.length + 1)
    : message
}

function toCapturedSignature(result: VerifyDeliveryResult): CapturedSignature {
  if (result.ok) return { checked: true, ok: true }
  // The verifier's messages name headers, parameters and the @target-uri, never the token or a signature.
  return { checked: true, ok: false, reason: result.reason, message: result.message }
}

type Body =
  | { kind: 'complete'; bytes: Buffer }
  | { kind: 'too-large'; receivedBytes: number }
  | { kind: 'aborted' }

function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  return new Promise<Body>((resolveBody) => {
    const chunks: Buffer[] = []
    let total = 0
    let settled = false
    const settle = (body: Body) => {
      if (settled) return
      settled = true
      resolveBody(body)
    }
    // Past the limit, answer at once and keep draining without storing, so the 413 arrives.
    if (declared > limit) settle({ kind: 'too-large', receivedBytes: declared })
    req.on('data', (chunk: Buffer) => {
      total += chunk.byteLength
      if (settled) return
      if (total > limit) settle({ kind: 'too-large', receivedBytes: total })
      else chunks.push(chunk)
    })
    req.on('end', () => settle({ kind: 'complete', bytes: Buffer.concat(chunks, total) }))
    req.on('error', () => settle({ kind: 'aborted' }))
    req.on('close', () =>
      settle(
        req.complete
          ? { kind: 'complete', bytes: Buffer.concat(chunks, total) }
          : { kind: 'aborted' },
      ),
    )
  })
}
