import { createReadStream } from 'node:fs'
import { type CaptureRecord, describeRecordProblem } from './format.js'

/** A capture line that could be read. */
export interface CaptureEntry {
  /** 1-based line number in the capture file. */
  line: number
  record: CaptureRecord
}

/**
 * A line that could not be used. `truncated`: the last line has no newline and is not complete
 * JSON (the capture was interrupted mid-write): reported, not fatal. `invalid-json` and
 * `not-a-record` elsewhere mean the file is damaged or is not a capture file.
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

const NEWLINE = 0x0a
const decoder = new TextDecoder('utf-8')

/**
 * Reads capture lines (JSON lines, format version 1) from a stream of chunks, one item per
 * non-blank line; never throws for bad content (see {@link CaptureReadProblem}).
 * @example
 * for await (const item of readCaptureLines(createReadStream('deliveries.jsonl'))) …
 */
export async function* readCaptureLines(
  chunks: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<CaptureLine> {
  let pending: Buffer = Buffer.alloc(0)
  let line = 0
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)
    pending = pending.byteLength === 0 ? bytes : Buffer.concat([pending, bytes])
    let start = 0
    for (
      let index = pending.indexOf(NEWLINE);
      index !== -1;
      index = pending.indexOf(NEWLINE, start)
    ) {
      line++
      const item = parseLine(pending.subarray(start, index), line, false)
      if (item) yield item
      start = index + 1
    }
    pending = pending.subarray(start)
  }
  if (pending.byteLength > 0) {
    line++
    const item = parseLine(pending, line, true)
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
    return problem(
      line,
      'invalid-json',
      `line ${line} is not valid JSON: the capture file is damaged`,
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
): Promise<{ entries: CaptureEntry[]; problems: CaptureReadProblem[] }> {
  return collectCaptureLines(createReadStream(path))
}

/** Reads every capture line of a stream into records and problems. */
export async function collectCaptureLines(
  chunks: AsyncIterable<string | Uint8Array>,
): Promise<{ entries: CaptureEntry[]; problems: CaptureReadProblem[] }> {
  const entries: CaptureEntry[] = []
  const problems: CaptureReadProblem[] = []
  for await (const item of readCaptureLines(chunks)) {
    if (item.type === 'record') entries.push(item.entry)
    else problems.push(item.problem)
  }
  return { entries, problems }
}
