/** Largest JSON document (or JSON line) the CLI parses; IDaaS events are a few hundred bytes. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

/** One item read from an input: a parsed JSON value, or why nothing could be parsed there. */
export type InputRecord =
  | { kind: 'value'; line: number; value: unknown }
  /** `line` is absent when the problem is the whole input (it is empty). */
  | { kind: 'error'; line?: number; reason: 'json' | 'size' | 'empty'; message: string }

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  /** Read one JSON value per line (`.jsonl`, `.ndjson`); otherwise the layout is detected. */
  lines: boolean
  /** Cap on one document or line, in bytes. @default MAX_DOCUMENT_BYTES */
  maxBytes?: number
}

type Line =
  | { line: number; text: string; tooLong: false; invalidUtf8?: false }
  /** The line's bytes are not UTF-8; JSON must be (RFC 8259 §8.1), as the receivers require. */
  | { line: number; text: ''; tooLong: false; invalidUtf8: true }
  | { line: number; tooLong: true }

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The message for a line or document whose bytes are not UTF-8. */
const INVALID_UTF8 = 'invalid JSON: the bytes are not valid UTF-8'

/**
 * Reads JSON events from a byte stream: one document (possibly pretty-printed) or one event per
 * line. Streams line by line, so a huge JSON-lines input needs memory for one line at a time.
 *
 * Without `lines`, the layout is detected: when the first non-blank line is a complete JSON value
 * the input is JSON lines, otherwise it is one document (at most `maxBytes`); a document that
 * does not parse but has a later line that is a JSON object on its own is read as JSON lines too.
 */
export async function* readEvents(
  chunks: AsyncIterable<string | Uint8Array>,
  options: ReadEventsOptions,
): AsyncGenerator<InputRecord> {
  const maxBytes = options.maxBytes ?? MAX_DOCUMENT_BYTES
  let layout: 'lines' | 'document' | undefined = options.lines ? 'lines' : undefined
  let sawContent = false
  const document: { line: number; text: string }[] = []
  let documentBytes = 0

  for await (const item of splitLines(chunks, maxBytes)) {
    if (!item.tooLong && item.invalidUtf8 === true) {
      sawContent = true
      if (layout === 'document') {
        yield {
          kind: 'error',
          line: document[0]?.line ?? item.line,
          reason: 'json',
          message: INVALID_UTF8,
        }
        return
      }
      layout = 'lines'
      yield { kind: 'error', line: item.line, reason: 'json', message: INVALID_UTF8 }
      continue
    }
    if (layout === 'document') {
      documentBytes += item.tooLong ? maxBytes : Buffer.byteLength(item.text) + 1
      if (item.tooLong || documentBytes > maxBytes) {
        yield tooLarge(document[0]?.line ?? item.line, 'document', maxBytes)
        return
      }
      document.push(item)
      continue
    }
    if (item.tooLong) {
      sawContent = true
      layout = 'lines'
      yield tooLarge(item.line, 'line', maxBytes)
      continue
    }
    if (item.text.trim() === '') continue
    sawContent = true
    if (layout === 'lines') {
      yield parseLine(item.line, item.text)
      continue
    }
    const first = parseLine(item.line, item.text)
    if (first.kind === 'value') {
      layout = 'lines'
      yield first
    } else {
      layout = 'document'
      document.push(item)
      documentBytes = Buffer.byteLength(item.text) + 1
    }
  }

  if (layout === 'document') yield* parseDocument(document)
  else if (!sawContent) {
    yield {
      kind: 'error',
      reason: 'empty',
      message: 'empty input: expected a JSON event, or one JSON event per line',
    }
  }
}

function parseLine(line: number, text: string): InputRecord {
  try {
    return { kind: 'value', line, value: JSON.parse(text) }
  } catch (error) {
    return { kind: 'error', line, reason: 'json', message: invalidJson(error) }
  }
}

function* parseDocument(lines: readonly { line: number; text: string }[]): Generator<InputRecord> {
  const start = lines[0]?.line ?? 1
  const text = lines.map((l) => l.text).join('\n')
  try {
    yield { kind: 'value', line: start, value: JSON.parse(text) }
    return
  } catch (error) {
    // Not one document: JSON lines whose first line is broken?
    const laterObject = lines.slice(1).some((l) => /^\s*\{.*\}\s*$/.test(l.text) && isJson(l.text))
    if (laterObject) {
      for (const l of lines) if (l.text.trim() !== '') yield parseLine(l.line, l.text)
      return
    }
    yield {
      kind: 'error',
      line: start + lineOffset(text, error),
      reason: 'json',
      message: invalidJson(error),
    }
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

// V8 names a position in some messages ("... in JSON at position 42"): turn it into a line.
function lineOffset(text: string, error: unknown): number {
  const match = /at position (\d+)/.exec(error instanceof Error ? error.message : '')
  if (!match) return 0
  const position = Number(match[1])
  let offset = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) offset++
  return offset
}

function invalidJson(error: unknown): string {
  // V8 quotes the input in some messages; keep the message on one line.
  const message = error instanceof Error ? error.message : String(error)
  return `invalid JSON: ${message.replace(/\s*[\r\n]+\s*/g, ' ')}`
}

function tooLarge(line: number, what: 'document' | 'line', maxBytes: number): InputRecord {
  const MiB = 1024 * 1024
  const cap = maxBytes % MiB === 0 ? `${maxBytes / MiB} MiB` : `${maxBytes} bytes`
  return {
    kind: 'error',
    line,
    reason: 'size',
    message: `${what} too large: more than ${cap}, far more than any IDaaS event (skipped)`,
  }
}

/**
 * Splits a byte stream into lines (LF or CRLF), decoding each line as UTF-8 on its own, so a
 * multi-byte character split across chunks stays intact; a line that is not UTF-8 is marked
 * `invalidUtf8` instead of being decoded with replacement characters. A line longer than `maxBytes` is
 * reported as too long and skipped without being held in memory.
 */
export async function* splitLines(
  chunks: AsyncIterable<string | Uint8Array>,
  maxBytes: number,
): AsyncGenerator<Line> {
  let parts: Buffer[] = []
  let size = 0
  let skipping = false
  let line = 1
  const take = (): Line => {
    let text: string
    try {
      text = strictUtf8.decode(Buffer.concat(parts, size))
    } catch {
      return { line, text: '', tooLong: false, invalidUtf8: true }
    }
    if (text.endsWith('\r')) text = text.slice(0, -1)
    if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1)
    return { line, text, tooLong: false }
  }
  for await (const chunk of chunks) {
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let start = 0
    for (;;) {
      const newline = buffer.indexOf(10, start)
      const end = newline === -1 ? buffer.length : newline
      if (!skipping && end > start) {
        if (size + (end - start) > maxBytes) {
          skipping = true
          parts = []
          size = 0
          yield { line, tooLong: true }
        } else {
          parts.push(buffer.subarray(start, end))
          size += end - start
        }
      }
      if (newline === -1) break
      if (!skipping) yield take()
      parts = []
      size = 0
      skipping = false
      line++
      start = newline + 1
    }
  }
  if (!skipping && size > 0) yield take()
}
