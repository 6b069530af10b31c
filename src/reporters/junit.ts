import type { VerifyCheckResult, VerifyReport } from '../verify/types.js'
import { evidenceLine } from './pretty.js'

const SUITE = 'idaas-webhook-kit verify'
const CLASS_NAME = 'idaas-webhook-kit.verify'

// XML 1.0 allows only these characters; a receiver's body may hold others (ESC, NUL).
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Text or an attribute value, safe in XML: invalid characters dropped, markup escaped. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

/**
 * The `junit` reporter: one `<testsuite>` with one `<testcase>` per check, in the layout Jenkins,
 * GitLab, Azure DevOps and the common GitHub test-report actions read. A failed error-severity
 * check is a `<failure>`; a check that was not run is `<skipped>` with the reason; a failed
 * warning-severity check and the warnings of a passed one go to `<system-out>`, so a run that
 * exits 0 never shows as red.
 */
export function formatJunitReport(report: VerifyReport, timestamp = new Date()): string {
  const failures = report.checks.filter((c) => isFailure(c)).length
  const skipped = report.checks.filter((c) => c.status === 'skipped').length
  const tests = report.checks.length
  const time = seconds(report.durationMs)
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${SUITE}" ${counts}>`,
    `  <testsuite name="${escapeXml(`${SUITE} ${report.target}`)}" ${counts} timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
    '    <properties>',
    `      <property name="target" value="${escapeXml(report.target)}"/>`,
    `      <property name="ok" value="${report.ok}"/>`,
    '    </properties>',
    ...report.checks.flatMap(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

/** Only a failed error-severity check fails the run (exit 1), so only it is a `<failure>`. */
function isFailure(check: VerifyCheckResult): boolean {
  return check.status === 'failed' && check.severity === 'error'
}

function testcase(check: VerifyCheckResult): string[] {
  const open = `    <testcase classname="${CLASS_NAME}" name="${check.id}" time="${seconds(check.details.durationMs)}"`
  const warnings = check.details.warnings ?? []
  if (check.status === 'skipped') {
    return [`${open}>`, `      <skipped message="${escapeXml(check.message)}"/>`, '    </testcase>']
  }
  const evidence = [
    ...(check.details.diagnosis === undefined ? [] : [check.details.diagnosis]),
    ...(check.details.failures ?? []).map((e) => `- ${evidenceLine(e)}`),
  ]
  if (!isFailure(check)) {
    const out =
      check.status === 'failed'
        ? [`warning: ${check.message}`, ...evidence, ...warnings.map((w) => `warning: ${w}`)]
        : warnings.map((w) => `warning: ${w}`)
    if (out.length === 0) return [`${open}/>`]
    return [
      `${open}>`,
      `      <system-out>${escapeXml(out.join('\n'))}</system-out>`,
      '    </testcase>',
    ]
  }
  const body = [check.message, ...evidence, ...warnings.map((w) => `warning: ${w}`)].join('\n')
  return [
    `${open}>`,
    `      <failure message="${escapeXml(check.message)}" type="${check.severity}">${escapeXml(body)}</failure>`,
    '    </testcase>',
  ]
}
