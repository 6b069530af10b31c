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
 * GitLab, Azure DevOps and the common GitHub test-report actions read. A failed check is a
 * `<failure>` whose `type` is its severity (warnings too, as ESLint's JUnit formatter does; the
 * exit code still ignores them), a check that was not run is `<skipped>`, and warnings of a passed
 * check go to `<system-out>`.
 */
export function formatJunitReport(report: VerifyReport, timestamp = new Date()): string {
  const failures = report.checks.filter((c) => !c.ok).length
  const skipped = report.checks.filter((c) => c.details.skipped !== undefined).length
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

function testcase(check: VerifyCheckResult): string[] {
  const open = `    <testcase classname="${CLASS_NAME}" name="${check.id}" time="${seconds(check.details.durationMs)}"`
  const warnings = check.details.warnings ?? []
  if (check.details.skipped !== undefined) {
    return [`${open}>`, `      <skipped message="${escapeXml(check.message)}"/>`, '    </testcase>']
  }
  if (check.ok) {
    if (warnings.length === 0) return [`${open}/>`]
    return [
      `${open}>`,
      `      <system-out>${escapeXml(warnings.map((w) => `warning: ${w}`).join('\n'))}</system-out>`,
      '    </testcase>',
    ]
  }
  const body = [
    check.message,
    ...(check.details.failures ?? []).map((evidence) => `- ${evidenceLine(evidence)}`),
    ...warnings.map((w) => `warning: ${w}`),
  ].join('\n')
  return [
    `${open}>`,
    `      <failure message="${escapeXml(check.message)}" type="${check.severity}">${escapeXml(body)}</failure>`,
    '    </testcase>',
  ]
}
