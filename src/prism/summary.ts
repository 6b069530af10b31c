import { IDAAS_POLICY } from '../delivery/policy.js'
import type { ContractViolation } from './prism-module.js'

/**
 * How one request to the mock or the proxy ended. Mock: `accepted` (2xx), `rejected` (4xx: the
 * delivery broke the contract, or 413), `failed` (a 5xx: `failRate`/`status` or `Prefer: code=5xx`).
 * Proxy: `forwarded` (the receiver answered), `refused` (not forwarded: `errors` is on and the
 * delivery broke the contract, or it was above the size limit), `unreachable` (no answer from the
 * receiver; the proxy answered 502).
 */
export type PrismRequestOutcome =
  | 'accepted'
  | 'rejected'
  | 'failed'
  | 'forwarded'
  | 'refused'
  | 'unreachable'

/** One request the mock receiver or the proxy handled. Never holds header values or the body. */
export interface PrismRequestRecord {
  /** 1 for the first request since start. */
  number: number
  /** ISO 8601 time the request arrived. */
  receivedAt: string
  method: string
  /** Path and query as requested. */
  path: string
  /** The status sent back to the client. */
  status: number
  outcome: PrismRequestOutcome
  /** The body's `type`, when it is JSON with a string `type`. */
  eventType: string | null
  /** The body's envelope `id`, when it is JSON with a string `id`. */
  eventId: string | null
  /** Request and response violations Prism found (its `if`/`then` bookkeeping entries left out). */
  violations: ContractViolation[]
  /** True when the 5xx came from `failRate`/`status` (mock). */
  injected: boolean
  /** Milliseconds from the first byte read to the answer sent. */
  durationMs: number
  /** Proxy: the receiver's status, when it answered. */
  upstreamStatus?: number
  /** Proxy: milliseconds the receiver took. */
  upstreamMs?: number
  /** Proxy: why the receiver could not be reached. */
  upstreamError?: string
}

/** One violation and how many requests showed it. */
export interface ViolationCount {
  /** `request.body.data.entityAttributes.serialNumber`: Prism's location, joined with dots. */
  where: string
  severity: ContractViolation['severity']
  code: string
  message: string
  count: number
}

/** Totals over every request since start (exact, however many records were kept). */
export interface PrismSummary {
  requests: number
  outcomes: Record<PrismRequestOutcome, number>
  /** Status sent back → count, in ascending status order when listed. */
  statuses: Record<string, number>
  /** Proxy: the receiver's statuses → count. */
  upstreamStatuses: Record<string, number>
  /** Request violations of severity `Error`: deliveries that broke the contract. */
  contractViolations: ViolationCount[]
  /** Response violations: the receiver answered outside the declared statuses (204, 2XX, 5XX). */
  responseViolations: ViolationCount[]
  /** Proxy: answers from the receiver that took longer than IDaaS's 3 s deadline. */
  slowAnswers: number
  /** Deliveries that broke the contract (at least one request violation of severity `Error`). */
  invalidDeliveries: number
}

// IDaaS marks an attempt failed when no 2xx arrives within 3 s: "Your webhook endpoint must
// return a success status code (2xx) within 3 seconds" (https://docs.trustedauth.com/developer/webhook/).
const IDAAS_DEADLINE_MS = IDAAS_POLICY.deadlineMs

/** Prism's if/then bookkeeping ("must match \"then\" schema") says nothing the other entries do not. */
export function isNoiseViolation(violation: ContractViolation): boolean {
  return violation.code === 'if'
}

/** Keeps running totals for {@link PrismSummary}. @internal */
export function createSummaryCounter(): {
  add(record: PrismRequestRecord): void
  summary(): PrismSummary
} {
  const outcomes: Record<PrismRequestOutcome, number> = {
    accepted: 0,
    rejected: 0,
    failed: 0,
    forwarded: 0,
    refused: 0,
    unreachable: 0,
  }
  const statuses = new Map<number, number>()
  const upstreamStatuses = new Map<number, number>()
  const request = new Map<string, ViolationCount>()
  const response = new Map<string, ViolationCount>()
  let requests = 0
  let slowAnswers = 0
  let invalidDeliveries = 0
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)
  return {
    add(record) {
      requests++
      outcomes[record.outcome]++
      bump(statuses, record.status)
      if (record.upstreamStatus !== undefined) bump(upstreamStatuses, record.upstreamStatus)
      if ((record.upstreamMs ?? 0) > IDAAS_DEADLINE_MS) slowAnswers++
      const seen = new Set<string>()
      let invalid = false
      for (const violation of record.violations) {
        const isResponse = violation.location[0] === 'response'
        if (!isResponse && violation.severity === 'Error') invalid = true
        const where = violation.location.join('.')
        const key = `${where}\u0000${violation.code}\u0000${violation.message}`
        if (seen.has(key)) continue
        seen.add(key)
        const map = isResponse ? response : request
        const entry = map.get(key)
        if (entry) entry.count++
        else {
          map.set(key, {
            where,
            severity: violation.severity,
            code: violation.code,
            message: violation.message,
            count: 1,
          })
        }
      }
      if (invalid) invalidDeliveries++
    },
    summary() {
      const byCount = (a: ViolationCount, b: ViolationCount) =>
        b.count - a.count || a.where.localeCompare(b.where)
      const toRecord = (map: Map<number, number>) =>
        Object.fromEntries([...map].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v]))
      return {
        requests,
        outcomes: { ...outcomes },
        statuses: toRecord(statuses),
        upstreamStatuses: toRecord(upstreamStatuses),
        contractViolations: [...request.values()].sort(byCount),
        responseViolations: [...response.values()].sort(byCount),
        slowAnswers,
        invalidDeliveries,
      }
    },
  }
}

/**
 * A few lines describing a summary, for the CLI on exit.
 * @example formatPrismSummary(mock.summary(), 'mock') // 'Mock receiver: 12 requests: 9 accepted, …'
 */
export function formatPrismSummary(summary: PrismSummary, mode: 'mock' | 'proxy'): string {
  const o = summary.outcomes
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
  const parts =
    mode === 'mock'
      ? [`${o.accepted} accepted`, `${o.rejected} rejected`, `${o.failed} failed (5xx)`]
      : [`${o.forwarded} forwarded`, `${o.refused} refused`, `${o.unreachable} unreachable`]
  const lines = [
    `${mode === 'mock' ? 'Mock receiver' : 'Validating proxy'}: ${plural(summary.requests, 'request')}: ${parts.join(', ')}.`,
  ]
  const statuses = Object.entries(summary.statuses)
    .map(([status, count]) => `${status} ×${count}`)
    .join(', ')
  if (statuses) lines.push(`  Statuses sent: ${statuses}.`)
  const upstream = Object.entries(summary.upstreamStatuses)
    .map(([status, count]) => `${status} ×${count}`)
    .join(', ')
  if (mode === 'proxy' && upstream) lines.push(`  Receiver answered: ${upstream}.`)
  if (summary.invalidDeliveries > 0) {
    lines.push(
      `✖ ${plural(summary.invalidDeliveries, 'delivery', 'deliveries')} broke the contract:`,
    )
    for (const v of summary.contractViolations) {
      lines.push(`  ${v.count}× ${v.message} (${v.code}) → at ${v.where}`)
    }
  } else if (summary.requests > 0) {
    lines.push('✔ Every delivery matched the contract.')
  }
  if (summary.responseViolations.length > 0) {
    lines.push('⚠ Receiver answers outside the contract (declared: 204, 2XX, 5XX):')
    for (const v of summary.responseViolations) {
      lines.push(`  ${v.count}× ${v.message} (${v.severity}) → at ${v.where}`)
    }
  }
  if (summary.slowAnswers > 0) {
    lines.push(
      `⚠ ${plural(summary.slowAnswers, 'answer')} took longer than ${IDAAS_DEADLINE_MS} ms: IDaaS marks such an attempt failed.`,
    )
  }
  return lines.join('\n')
}
