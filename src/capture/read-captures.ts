import { createReadStream } from 'node:fs'
import { KitError } from '../errors.js'
import { describeValue } from '../internal/describe-value.js'
import { CAPTURE_FORMAT, type CaptureRecord, describeRecordProblem } from './format.js'

/** A capture line that could be read. */
export interface CaptureEntry {
  /** 1-based line number in the capture file. */
  line: number
  record: CaptureRecord
}

/**
 * A line that could not be used. `truncated`: the last line has no newline and is not complete
 * JSON (the capture was interrupted mid-write): reported, not fatal. Any other unreadable line
 * is fatal: `invalid-json` and `not-a-record` (also a line longer than `maxLineBytes`) mean the
 * file is damaged or is not a capture file.
 */
export interface CaptureReadProblem {
  line: number
  kind: 'truncated' | 'invalid-json' | 'not-a-record'
  /** True for problems that should fail a check (everything but `truncated`). */
  fatal: boolean
  /** One sentence, e.g. `line 13 is truncated (…)`. */
  message: string
}

/** One item read from a capture file, in file order. */
export type CaptureLine =
  | { type: 'record'; entry: CaptureEntry }
  | { type: 'problem'; problem: CaptureReadProblem }

/** Options of {@link readCaptureLines}. */
export interface ReadCaptureOptions {
  /**
   * Longer lines are reported as `not-a-record` without being held in memory. The default fits a
   * record of a body up to 1 MiB, the capture receiver's default limit, even if every byte is
   * JSON-escaped. @default 8388608 (8 MiB)
   */
  maxLineBytes?: number
}

/** The longest line read by default: 8 MiB (a 1 MiB body escaped as `\u0000` is 6 MiB). */
export const CAPTURE_MAX_LINE_BYTES = 8 * 1024 * 1024

const NEWLINE = 0x0a
const decoder = new TextDecoder('utf-8')
// Every line the capture receiver writes starts like this (JSON.stringify keeps key order).
const RECORD_OPENING = `{"format":${JSON.stringify(CAPTURE_FORMAT)},`

/** True when `text` starts like a line the capture receiver writes (or is a prefix of that start). @internal */
export function isRecordOpening(text: string): boolean {
  return text.startsWith(RECORD_OPENING) || RECORD_OPENING.startsWith(text)
}

/**
 * Reads capture lines (JSON lines, format version 1) from a stream of chunks, one item per
 * non-blank line; never throws for bad content (see {@link CaptureReadProblem}). Each byte is
 * copied once, so a long line costs no more than its length.
 * @example
 * for await (const item of readCaptureLines(createReadStream('deliveries.jsonl'))) …
 */
export async function* readCaptureLines(
  chunks: AsyncIterable<string | Uint8Array>,
  options: ReadCaptureOptions = {},
): AsyncGenerator<CaptureLine> {
  const maxLineBytes = options.maxLineBytes ?? CAPTURE_MAX_LINE_BYTES
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new KitError(
      `Invalid option "maxLineBytes": expected a whole number of bytes (at least 1), got ${describeValue(maxLineBytes)}.`,
    )
  }
  // The current line so far, as the chunks it came in; joined once, at its newline.
  let parts: Uint8Array[] = []
  let length = 0
  let tooLong = false
  let line = 0
  const take = (piece: Uint8Array) => {
    length += piece.byteLength
    if (tooLong) return
    if (length > maxLineBytes) {
      tooLong = true
      parts = []
    } else if (piece.byteLength > 0) parts.push(piece)
  }
  const finish = (last: boolean): CaptureLine | undefined => {
    line++
    const item = tooLong
      ? problem(
          line,
          'not-a-record',
          `line ${line} is longer than ${maxLineBytes} bytes, the longest line read ("maxLineBytes", CLI "--max-line-bytes"), so it is not read`,
        )
      : parseLine(
          parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, length),
          line,
          last,
        )
    parts = []
    length = 0
    tooLong = false
    return item
  }
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)
    let start = 0
    for (let index = bytes.indexOf(NEWLINE); index !== -1; index = bytes.indexOf(NEWLINE, start)) {
      take(bytes.subarray(start, index))
      const item = finish(false)
      if (item) yield item
      start = index + 1
    }
    take(bytes.subarray(start))
  }
  if (length > 0) {
    const item = finish(true)
    if (item) yield item
  }
}

function parseLine(bytes: Uint8Array, line: number, last: boolean): CaptureLine | undefined {
  const text = decoder.decode(bytes).replace(/\r$/, '')
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    if (last) {
      return problem(
        line,
        'truncated',
        `line ${line} is truncated (no newline at the end, incomplete JSON): the capture was interrupted while writing it, so it is skipped`,
      )
    }
    // Only the last line can be crash residue: the capture receiver never appends after a
    // fragment (it removes one first), so an unreadable line elsewhere is damage.
    const opening = isRecordOpening(text) ? ' (it starts like a capture record)' : ''
    return problem(
      line,
      'invalid-json',
      `line ${line} is not valid JSON${opening}: the capture file is damaged`,
    )
  }
  const why = describeRecordProblem(value)
  if (why !== undefined) return problem(line, 'not-a-record', `line ${line} ${why}`)
  return { type: 'record', entry: { line, record: value as CaptureRecord } }
}

function problem(line: number, kind: CaptureReadProblem['kind'], message: string): CaptureLine {
  return { type: 'problem', problem: { line, kind, fatal: kind !== 'truncated', message } }
}

/**
 * Reads a whole capture file into records and problems. Rejects only when the file cannot be read.
 * @example const { entries, problems } = await readCaptureFile('deliveries.jsonl')
 */
export async function readCaptureFile(
  path: string,
  options: ReadCaptureOptions = {},
): Promise<{ entries: CaptureEntry[]; problems: CaptureReadProblem[] }> {
  return collectCaptureLines(createReadStream(path), options)
}

/** Reads every capture line of a stream into records and problems. */
export async function collectCaptureLines(
  chunks: AsyncIterable<string | Uint8Array>,
  options: ReadCaptureOptions = {},
): Promise<{ entries: CaptureEntry[]; problems: CaptureReadProblem[] }> {
  const entries: CaptureEntry[] = []
  const problems: CaptureReadProblem[] = []
  for await (const item of readCaptureLines(chunks, options)) {
    if (item.type === 'record') entries.push(item.entry)
    else problems.push(item.problem)
  }
  return { entries, problems }
}
