import { escapeStringsDeep } from '../terminal-text.js'
import { describeEvidence } from '../verify/evidence.js'
import type {
  VerifyCheckResult,
  VerifyEvidence,
  VerifyProgressEvent,
  VerifyReport,
} from '../verify/types.js'
import { PLAIN_STYLE, type ReporterStyle } from './style.js'

/** Failing requests listed under a failed check; the JSON report has all of them. */
const EVIDENCE_LISTED = 5
/** Characters of a response body shown on an evidence line. */
const BODY_SHOWN = 120
/** Width of the id column: the longest id, "tolerates-unknown-event-type". */
const ID_WIDTH = 28

/** Options of {@link createPrettyReporter}. */
export interface PrettyReporterOptions {
  /** Where lines go, e.g. `process.stdout.write`. */
  write(text: string): unknown
  /** Colours. @default none */
  style?: ReporterStyle
  /**
   * Output is a terminal: while a check runs, a transient "running <id>…" line shows it, erased
   * before the check's own line. @default false
   */
  live?: boolean
}

/** A reporter that prints as the run goes: a header, a line per check as it ends, a summary. */
export interface PrettyReporter {
  /** Pass it as `onProgress` to `verifyReceiver`. */
  onProgress(event: VerifyProgressEvent): void
  /** Prints the summary. */
  end(report: VerifyReport): void
}

/**
 * The human reporter: one line per check with its timing and message, the failing evidence
 * (status, body excerpt, which event) under it, warnings marked `⚠`, checks that were not run
 * grouped by reason, and a summary. Lines are written as each check ends, so a CI log shows
 * progress. Colours only come from `style`.
 * @example
 * const pretty = createPrettyReporter({ write: (t) => process.stdout.write(t) })
 * pretty.end(await verifyReceiver({ url }, { token, onProgress: pretty.onProgress }))
 */
export function createPrettyReporter(options: PrettyReporterOptions): PrettyReporter {
  const style = options.style ?? PLAIN_STYLE
  const write = (lines: readonly string[]) => {
    if (lines.length > 0) options.write(`${lines.join('\n')}\n`)
  }
  const live = options.live === true
  let transient = false
  const erase = () => {
    if (transient) options.write('\r\u001b[K')
    transient = false
  }
  // Checks that were not run are listed at the end, one line per reason.
  const notRun = new Map<string, VerifyCheckResult[]>()
  const flush = () => {
    for (const results of notRun.values()) write(skippedLines(results, style))
    notRun.clear()
  }
  return {
    onProgress(progress) {
      // Messages and evidence quote what the receiver sent: escaped, so that the style's colour
      // codes are the only escape sequences written.
      const event = escapeStringsDeep(progress)
      if (event.type === 'start') {
        const where = event.targetKind === 'handler' ? 'in-process handler · ' : ''
        const settings =
          event.timeoutMs > 0
            ? [
                style.dim(
                  `  ${where}${event.checks.length} check${event.checks.length === 1 ? '' : 's'} · deadline ${event.timeoutMs} ms · burst ${event.burst} · IDaaS policy (retries 5xx only)`,
                ),
              ]
            : []
        write([header(event.target, style), ...settings, ''])
      } else if (event.type === 'check-start') {
        if (!live) return
        erase()
        options.write(style.dim(`  … running ${event.id}`))
        transient = true
      } else if (event.type === 'check-end') {
        erase()
        const reason = event.result.details.skipped
        if (
          event.result.status === 'skipped' &&
          reason !== undefined &&
          reason !== 'in-process handler'
        ) {
          notRun.set(reason, [...(notRun.get(reason) ?? []), event.result])
          return
        }
        write(checkLines(event.result, style))
      }
    },
    end(report) {
      erase()
      flush()
      write(['', ...summaryLines(escapeStringsDeep(report), style)])
    },
  }
}

/** The whole pretty report at once, e.g. for a file or a test failure message. */
export function formatPrettyReport(
  report: VerifyReport,
  style: ReporterStyle = PLAIN_STYLE,
): string {
  let out = ''
  const reporter = createPrettyReporter({
    write: (text) => {
      out += text
    },
    style,
  })
  reporter.onProgress({
    type: 'start',
    target: report.target,
    checks: report.checks.filter((c) => c.status !== 'skipped').map((c) => c.id),
    timeoutMs: 0,
    burst: 0,
    targetKind: 'url',
  })
  for (const result of report.checks) reporter.onProgress({ type: 'check-end', result })
  reporter.end(report)
  return out
}

function header(target: string, style: ReporterStyle): string {
  return `${style.bold('idaas-webhook-kit verify')} POST ${target}`
}

function mark(result: VerifyCheckResult, style: ReporterStyle): string {
  if (result.status === 'skipped') return style.dim('○')
  if (result.status === 'failed')
    return result.severity === 'error' ? style.red('✖') : style.yellow('⚠')
  return style.green('✔')
}

function time(ms: number): string {
  const text = ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
  return text.padStart(8)
}

/** The line of one check and the lines under it (evidence, warnings). */
export function checkLines(result: VerifyCheckResult, style: ReporterStyle): string[] {
  const skippedCheck = result.status === 'skipped'
  const lines = [
    `  ${mark(result, style)} ${result.id.padEnd(ID_WIDTH)} ${skippedCheck ? ' '.repeat(8) : style.dim(time(result.details.durationMs))}  ${skippedCheck ? style.dim(result.message) : result.message}`,
  ]
  if (result.status === 'failed') {
    if (result.details.diagnosis !== undefined) {
      lines.push(`      ${style.red('→')} ${result.details.diagnosis}`)
    }
    const failures = result.details.failures ?? []
    for (const evidence of failures.slice(0, EVIDENCE_LISTED)) {
      lines.push(`      ${style.red('✖')} ${evidenceLine(evidence)}`)
    }
    if (failures.length > EVIDENCE_LISTED) {
      lines.push(style.dim(`      … ${failures.length - EVIDENCE_LISTED} more in the JSON report`))
    }
  }
  for (const warning of result.details.warnings ?? []) {
    lines.push(`      ${style.yellow('⚠')} ${warning}`)
  }
  return lines
}

/** `escaped-unicode: 401, 0.6 ms, body {"error":…}`. */
export function evidenceLine(evidence: VerifyEvidence): string {
  const parts = [describeEvidence(evidence)]
  if (evidence.durationMs !== undefined) parts.push(`${evidence.durationMs} ms`)
  if (evidence.attempts !== undefined && evidence.attempts > 1) {
    parts.push(`${evidence.attempts} attempts`)
  }
  if (evidence.location !== undefined) parts.push(`Location ${evidence.location}`)
  if (evidence.body !== undefined) {
    const body =
      evidence.body.length > BODY_SHOWN ? `${evidence.body.slice(0, BODY_SHOWN)}…` : evidence.body
    parts.push(`body ${body}`)
  }
  return `${evidence.case}: ${parts.join(', ')}`
}

function skippedLines(results: readonly VerifyCheckResult[], style: ReporterStyle): string[] {
  const first = results[0]
  if (first === undefined) return []
  if (results.length === 1) return checkLines(first, style)
  const reason = first.details.skipped ?? ''
  const see = /\(see ([a-z-]+)\)/.exec(first.message)?.[1]
  return [
    `  ${style.dim('○')} ${style.dim(`${results.length} checks not run: ${reason}${see ? ` (see ${see})` : ''}: ${results.map((r) => r.id).join(', ')}`)}`,
  ]
}

function summaryLines(report: VerifyReport, style: ReporterStyle): string[] {
  const ran = report.checks.filter((c) => c.status !== 'skipped')
  const passed = ran.filter((c) => c.status === 'passed').length
  const errors = ran.filter((c) => c.status === 'failed' && c.severity === 'error')
  const warnings = ran.filter((c) => c.status === 'failed' && c.severity === 'warning')
  const notRun = report.checks.length - ran.length
  const seconds = `${(report.durationMs / 1000).toFixed(2)} s`
  const counts = [
    style.green(`${passed} passed`),
    errors.length > 0 ? style.red(`${errors.length} failed`) : `${errors.length} failed`,
    warnings.length > 0
      ? style.yellow(`${warnings.length} warning${warnings.length === 1 ? '' : 's'}`)
      : '0 warnings',
    ...(notRun > 0 ? [`${notRun} not run`] : []),
    seconds,
  ]
  const verdict =
    errors.length === 0
      ? `${style.green('✔')} ${style.bold('PASS')}: no error-severity check failed${warnings.length > 0 ? ` (${warnings.map((w) => w.id).join(', ')}: warning)` : ''}.`
      : `${style.red('✖')} ${style.bold('FAIL')}: ${errors.length} error-severity check${errors.length === 1 ? '' : 's'} failed: ${errors.map((e) => e.id).join(', ')}.`
  return [`  ${counts.join(' · ')}`, verdict]
}
