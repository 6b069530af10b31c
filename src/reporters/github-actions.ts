import type { VerifyReport } from '../verify/types.js'

/** The title of every annotation, with the check id after it. */
const TITLE = 'idaas-webhook-kit verify'

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions: data escapes
// %, CR and LF; property values also ":" and ",".
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C')
}

/**
 * GitHub Actions workflow commands for a report: `::error` for each failed error-severity
 * check, `::warning` for each failed warning-severity check and for each warning of a check that
 * passed, `::notice` for each check that was not run, with the reason. One line each, ending with
 * a newline; empty when there is nothing to say.
 * @example
 * if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(formatGithubAnnotations(report))
 */
export function formatGithubAnnotations(report: VerifyReport): string {
  const lines: string[] = []
  for (const check of report.checks) {
    const title = escapeProperty(`${TITLE}: ${check.id}`)
    if (check.status === 'skipped') {
      lines.push(`::notice title=${title} (skipped)::${escapeData(check.message)}`)
      continue
    }
    if (check.status === 'failed') {
      const command = check.severity === 'error' ? 'error' : 'warning'
      const diagnosis = check.details.diagnosis === undefined ? '' : `\n${check.details.diagnosis}`
      lines.push(`::${command} title=${title}::${escapeData(check.message + diagnosis)}`)
    }
    for (const warning of check.details.warnings ?? []) {
      lines.push(`::warning title=${title}::${escapeData(warning)}`)
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}
