import type { VerifyReport } from '../verify/types.js'

/** The `$id` of the JSON Schema of the `json` reporter's document, shipped in `schemas/`. */
export const VERIFY_REPORT_SCHEMA_ID =
  'https://unpkg.com/idaas-webhook-kit/schemas/verify-report.schema.json'

/**
 * The `json` reporter: exactly `{ "ok", "target", "durationMs", "checks": [{ "id", "ok",
 * "severity", "message", "details" }] }`, indented, with a final newline. Valid against
 * `schemas/verify-report.schema.json` ({@link VERIFY_REPORT_SCHEMA_ID}).
 */
export function formatJsonReport(report: VerifyReport): string {
  const { ok, target, durationMs, checks } = report
  const exact = {
    ok,
    target,
    durationMs,
    checks: checks.map(({ id, ok, severity, message, details }) => ({
      id,
      ok,
      severity,
      message,
      details,
    })),
  }
  return `${JSON.stringify(exact, null, 2)}\n`
}
