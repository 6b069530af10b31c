import { isKnownEventType } from '../../schema/event-types.js'
import { type CheckOutcome, listCases, summary, type VerifyCheck } from '../check.js'
import type { VerifyContext } from '../context.js'
import type { VerifyCheckId } from '../types.js'
import { retryWarnings } from './acceptance.js'

/**
 * Types IDaaS may add later: a new action in a known category and a new category. Neither is
 * one of the 25 types (checked at run time, in case a later catalogue adds one).
 */
export const FUTURE_EVENT_TYPES = ['user.suspended', 'session.terminated'] as const

async function expectAccepted(
  context: VerifyContext,
  check: VerifyCheckId,
  cases: ReadonlyArray<{ name: string; event: { id: string; type: string } }>,
  what: string,
  advice: string,
): Promise<CheckOutcome> {
  const outcomes = []
  for (const { name, event } of cases) {
    outcomes.push({ name, outcome: await context.deliverEvent(event, check, name) })
  }
  const failures = outcomes.filter((o) => !o.outcome.delivered).map((o) => o.outcome.evidence)
  const warnings = retryWarnings(outcomes)
  const details = {
    sent: outcomes.length,
    deliveries: outcomes.map((o) => summary(o.outcome.evidence)),
  }
  if (failures.length === 0) {
    const all = outcomes.length === 2 ? 'Both' : `All ${outcomes.length}`
    return { ok: true, message: `${all} ${what} got a 2xx.`, warnings, details }
  }
  return {
    ok: false,
    message: `${failures.length} of ${outcomes.length} ${what} did not get a 2xx: ${listCases(failures)}. ${advice}`,
    failures,
    warnings,
    details,
  }
}

/** `tolerates-unknown-event-type`: valid envelopes of types IDaaS may add later get a 2xx (A15). */
export const toleratesUnknownEventType: VerifyCheck = {
  id: 'tolerates-unknown-event-type',
  run(context) {
    const cases = FUTURE_EVENT_TYPES.filter((type) => !isKnownEventType(type)).map(
      (type, index) => {
        const borrowed = context.event('user.updated', 3000 + index)
        return { name: type, event: { ...borrowed, type } }
      },
    )
    return expectAccepted(
      context,
      'tolerates-unknown-event-type',
      cases,
      'events of a type IDaaS may add later',
      'Answer 2xx and ignore types you do not handle: IDaaS counts a 4xx toward disabling the webhook (A15).',
    )
  },
}

/** `tolerates-unknown-fields`: extra fields at the top level, in `data` and in `entityAttributes` (A15). */
export const toleratesUnknownFields: VerifyCheck = {
  id: 'tolerates-unknown-fields',
  run(context) {
    const user = context.event('user.created', 3100)
    const grid = context.event('grid.created', 3101)
    const cases = [
      {
        name: 'user.created + top-level fields',
        event: { ...user, webhookId: 'wh_kit0future0field', schemaVersion: '2' },
      },
      {
        name: 'grid.created + data fields',
        event: {
          ...grid,
          data: {
            ...grid.data,
            sessionId: '7d1c2f4e-1b0a-4c55-9e7f-2b8d5a6c3e10',
            riskLevel: 'LOW',
            entityAttributes: { ...grid.data.entityAttributes, issuedBy: 'kit-future-field' },
          },
        },
      },
    ]
    return expectAccepted(
      context,
      'tolerates-unknown-fields',
      cases,
      'events with fields IDaaS may add later',
      'Do not reject unknown fields (no strict schema, no additionalProperties: false): IDaaS counts a 4xx toward disabling the webhook (A15).',
    )
  },
}
