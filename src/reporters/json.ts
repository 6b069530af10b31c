import type { VerifyReport } from '../verify/types.js'

/** The `$id` of the JSON Schema of the `json` reporter's document, shipped in `schemas/`. */
export const VERIFY_REPORT_SCHEMA_ID =
  'https://unpkg.com/idaas-webhook-kit/schemas/verify-report.schema.json'

/**
 * The `json` reporter: exactly `{ "ok", "schemes", "target", "durationMs", "checks": [{ "id",
 * "status", "ok", "severity", "message", "details" }] }`, indented, with a final newline. A check
 * that did not run has `"status": "skipped"` and `"ok": false`. Valid against
 * `schemas/verify-report.schema.json` ({@link VERIFY_REPORT_SCHEMA_ID}).
 */
export function formatJsonReport(report: VerifyReport): string {
  const { ok, schemes, target, durationMs, checks } = report
  const exact = {
    ok,
    schemes,
    target,
    durationMs,
    checks: checks.map(({ id, status, ok, severity, message, details }) => ({
      id,
      status,
      ok,
      severity,
      message,
      details,
    })),
  }
  return `${JSON.stringify(exact, null, 2)}\n`
}
