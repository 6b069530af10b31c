import type { ValidationIssue, ValidationNote } from '../schema/issues.js'
import { escapeStringsDeep, plainTextForTerminal } from '../terminal-text.js'
import type { CliOutput } from './command.js'
import type { Style } from './style.js'

/** A problem that is not a schema issue: the input could not be read as an event. */
export interface InputProblem {
  /** `json`: not valid JSON; `size`: over the size cap; `empty`: nothing to validate; `read`: I/O error. */
  reason: 'json' | 'size' | 'empty' | 'read'
  message: string
}

/** The outcome for one event (or one unreadable part of an input). */
export interface EventReport {
  /** Where the event came from: `file:line`, `<stdin>:line`, `example:<type>`, or the file alone. */
  source: string
  ok: boolean
  /** The event's `type` when it is a string. */
  type: string | null
  issues: ValidationIssue[]
  notes: ValidationNote[]
  /** Set when there was no event to validate. */
  problem?: InputProblem
}

/**
 * Receives each report as it is made and writes it; `finish` prints the summary. `add` returns a
 * promise when the output asked to wait (a slow pipe): await it, so memory stays flat.
 */
export interface Reporter {
  add(report: EventReport): Promise<void> | undefined
  finish(): Promise<void> | undefined
}

/** Output is written in chunks of about this many characters, not a write per event. */
const CHUNK_CHARS = 64 * 1024

/** An output that collects text and writes it in chunks, waiting for `drain` when asked to. */
function bufferedOutput(out: CliOutput) {
  let pending = ''
  const flush = (): Promise<void> | undefined => {
    if (pending === '') return undefined
    const text = pending
    pending = ''
    const stream = out as CliOutput & { once?: (event: 'drain', listener: () => void) => unknown }
    if (out.write(text) !== false || typeof stream.once !== 'function') return undefined
    return new Promise<void>((resolve) => stream.once?.('drain', resolve))
  }
  return {
    write(text: string): Promise<void> | undefined {
      pending += text
      return pending.length >= CHUNK_CHARS ? flush() : undefined
    },
    flush,
  }
}

/** Counts shared by the reporters. */
export interface ReportCounts {
  total: number
  invalid: number
  withNotes: number
}

/**
 * `pretty`: one paragraph per invalid event or event with notes (and, with `verbose`, a line per
 * valid event too), issues as `✖ message` / `  → at /pointer`, notes as `ℹ`, then a summary line.
 */
export function createPrettyReporter(
  output: CliOutput,
  style: Style,
  strict: boolean,
  verbose = false,
): Reporter {
  const counts: ReportCounts = { total: 0, invalid: 0, withNotes: 0 }
  const out = bufferedOutput(output)
  let printed = false
  return {
    add(report) {
      count(counts, report)
      if (report.ok && report.notes.length === 0 && !verbose) return undefined
      printed = true
      return out.write(`${formatReport(escapeStringsDeep(report), style)}\n`)
    },
    finish() {
      const mode = strict ? 'strict' : 'tolerant'
      const events = counts.total === 1 ? '1 event' : `${counts.total} events`
      const valid = counts.total - counts.invalid
      const notes = counts.withNotes > 0 ? `, ${counts.withNotes} with notes` : ''
      const mark = counts.invalid > 0 ? style.red('✖') : style.green('✔')
      out.write(
        `${printed ? '\n' : ''}${mark} ${events} checked in ${mode} mode: ${valid} valid, ${counts.invalid} invalid${notes}.\n`,
      )
      return out.flush()
    },
  }
}

/** One report as text: the header line, then its issues or notes. */
export function formatReport(report: EventReport, style: Style): string {
  const where = style.bold(`${report.source}:`)
  if (report.problem) return `${where} ${style.red(report.problem.message)}`
  const what = report.type === null ? 'the event' : `"${report.type}"`
  if (!report.ok) {
    const issues = report.issues.map(
      (i) => `${style.red(`✖ ${i.message}`)}\n  ${style.dim(`→ at ${pointer(i.path)}`)}`,
    )
    return `${where} ${what} is ${style.red('invalid')}:\n${issues.join('\n')}`
  }
  if (report.notes.length === 0) return `${where} ${what} is ${style.green('valid')}.`
  const noteCount = report.notes.length === 1 ? '1 note' : `${report.notes.length} notes`
  const notes = report.notes.map(
    (n) => `${style.cyan(`ℹ ${n.message}`)}\n  ${style.dim(`→ at ${pointer(n.path)}`)}`,
  )
  return `${where} ${what} is ${style.green('valid')}, with ${noteCount}:\n${notes.join('\n')}`
}

/**
 * `json`: one document, `{ "results": [...], "ok": boolean }`, streamed: each result is written
 * as soon as it is known, so a huge input needs no memory for its results ("ok" comes last).
 */
export function createJsonReporter(output: CliOutput): Reporter {
  const counts: ReportCounts = { total: 0, invalid: 0, withNotes: 0 }
  const out = bufferedOutput(output)
  out.write('{\n  "results": [')
  return {
    add(report) {
      count(counts, report)
      const entry = {
        source: report.source,
        ok: report.ok,
        type: report.type,
        issues: report.problem
          ? [{ path: '', keyword: report.problem.reason, message: report.problem.message }]
          : report.issues,
        notes: report.notes,
      }
      const json = plainTextForTerminal(JSON.stringify(entry, null, 2)).replace(/\n/g, '\n    ')
      return out.write(`${counts.total === 1 ? '' : ','}\n    ${json}`)
    },
    finish() {
      const ok = counts.invalid === 0 && counts.total > 0
      out.write(`${counts.total === 0 ? '' : '\n  '}],\n  "ok": ${ok}\n}\n`)
      return out.flush()
    },
  }
}

function count(counts: ReportCounts, report: EventReport): void {
  counts.total++
  if (!report.ok) counts.invalid++
  else if (report.notes.length > 0) counts.withNotes++
}

function pointer(path: string): string {
  return path === '' ? '(root)' : path
}
