import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AttemptOutcome, DeliveryPolicy, DeliveryReport } from '../../src/index.js'
import {
  ATTEMPT_FAILURE_KINDS,
  createDeliveryPolicy,
  deliver,
  IDAAS_POLICY,
} from '../../src/testing.js'
import { createdOf, fastDeadlineClock, type Step, scriptedFetch, userCreated } from './support.js'

const target = { url: 'https://app.test/hooks', token: 'whsec_property' }

/** One scripted receiver answer: any status class, a network error or a timeout. */
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.integer({ min: 200, max: 299 }),
  fc.integer({ min: 300, max: 399 }),
  fc.integer({ min: 400, max: 499 }),
  fc.integer({ min: 500, max: 599 }),
  fc.constantFrom<Step>('network', 'timeout'),
)

function expectedOutcome(s: Step): AttemptOutcome {
  if (s === 'network' || s === 'timeout') return s
  const status = typeof s === 'number' ? s : s.status
  if (status < 300) return 'success'
  if (status < 400) return 'redirect'
  if (status < 500) return 'http-4xx'
  return 'http-5xx'
}

async function run(steps: Step[], seed: number, policy: DeliveryPolicy = IDAAS_POLICY) {
  const clock = fastDeadlineClock()
  const fetch = scriptedFetch(steps, clock)
  const report = await deliver(userCreated(), target, { clock, fetch, seed, policy })
  return { report, fetch }
}

/** The invariants every delivery keeps, whatever the policy and the receiver's answers. */
function checkInvariants(
  report: DeliveryReport,
  steps: Step[],
  policy: DeliveryPolicy,
  received: Array<{ body: string; headers: Headers }>,
) {
  const { attempts } = report
  const stepAt = (i: number) => steps[Math.min(i, steps.length - 1)] as Step

  // The receiver saw exactly one request per recorded attempt, and each was judged by its answer.
  expect(received).toHaveLength(attempts.length)
  for (const [i, attempt] of attempts.entries()) {
    expect(attempt.outcome).toBe(expectedOutcome(stepAt(i)))
  }

  // Never more than maxAttempts; stop at the first success or non-retried failure.
  expect(attempts.length).toBeGreaterThanOrEqual(1)
  expect(attempts.length).toBeLessThanOrEqual(policy.maxAttempts)
  const stopsAt = attempts.findIndex(
    (a) => a.outcome === 'success' || !policy.retryOn.includes(a.outcome),
  )
  expect(attempts.length).toBe(
    stopsAt === -1 ? policy.maxAttempts : Math.min(stopsAt + 1, policy.maxAttempts),
  )

  // Only the last attempt may succeed; every earlier one was a retried failure.
  for (const attempt of attempts.slice(0, -1)) {
    expect(attempt.outcome).not.toBe('success')
    expect(policy.retryOn).toContain(attempt.outcome)
  }
  const last = attempts.at(-1)
  expect(report.result).toBe(last?.outcome === 'success' ? 'delivered' : 'failed')
  expect(report.ok).toBe(report.result === 'delivered')

  // Each retry starts when the previous attempt said, its delay and jitter within the policy.
  attempts.forEach((attempt, i) => {
    const next = attempts[i + 1]
    if (next === undefined) {
      expect(attempt.nextAttemptAt).toBeUndefined()
      return
    }
    expect(attempt.nextAttemptAt).toBe(next.startedAt)
    expect(attempt.delayMs).toBe(policy.delaysMs[i])
    expect(attempt.jitterMs).toBeGreaterThanOrEqual(policy.jitterMs[0])
    expect(attempt.jitterMs).toBeLessThanOrEqual(policy.jitterMs[1])
    const from =
      policy.delayFrom === 'previous-attempt-end'
        ? attempt.startedAt
        : (attempts[0]?.startedAt ?? 0)
    expect(next.startedAt).toBe(from + (attempt.delayMs ?? 0) + (attempt.jitterMs ?? 0))
  })

  // A6: one envelope id for the whole delivery; every attempt signed afresh with its own `created`.
  const ids = received.map((r) => (JSON.parse(r.body) as { id: string }).id)
  if (policy.envelopeIdPerAttempt === 'same') expect(new Set(ids).size).toBe(1)
  const created = received.map((r) => createdOf(r.headers.get('signature-input')))
  expect(created).toEqual(attempts.map((a) => Math.floor(a.startedAt / 1000)))
}

describe('delivery invariants (fast-check)', () => {
  it('hold for the IDaaS policy over random receiver answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 5 }),
        fc.integer(),
        async (steps, seed) => {
          const { report, fetch } = await run(steps, seed)
          checkInvariants(report, steps, IDAAS_POLICY, fetch.received)
          // IDaaS specifically: only 5xx is retried, at ~2 s and ~4 s.
          const retried = report.attempts.slice(0, -1).map((a) => a.outcome)
          expect(retried.every((o) => o === 'http-5xx')).toBe(true)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('hold for random valid policies', async () => {
    const policy = fc
      .record({
        maxAttempts: fc.integer({ min: 1, max: 6 }),
        retryOn: fc.subarray([...ATTEMPT_FAILURE_KINDS]),
        delays: fc.array(fc.integer({ min: 0, max: 3_600_000 }), { minLength: 5, maxLength: 5 }),
        jitter: fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })),
        delayFrom: fc.constantFrom('previous-attempt-end' as const, 'first-attempt-start' as const),
      })
      .map(({ maxAttempts, retryOn, delays, jitter, delayFrom }) =>
        createDeliveryPolicy({
          name: 'random',
          maxAttempts,
          retryOn,
          delaysMs: delays,
          delayFrom,
          jitterMs: [Math.min(...jitter), Math.max(...jitter)],
          // first-attempt-start delays must grow, or a retry would be due before the previous one.
          ...(delayFrom === 'first-attempt-start'
            ? {
                delaysMs: delays.map(
                  (_, i) => delays.slice(0, i + 1).reduce((a, b) => a + b, 0) + (i + 1) * 2000,
                ),
              }
            : {}),
        }),
      )
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 7 }),
        fc.integer(),
        policy,
        async (steps, seed, p) => {
          const { report, fetch } = await run(steps, seed, p)
          checkInvariants(report, steps, p, fetch.received)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('give the same timeline for the same seed and script', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 4 }),
        fc.integer(),
        async (steps, seed) => {
          const strip = (report: DeliveryReport) =>
            report.attempts.map(({ durationMs: _, ...rest }) => rest)
          const first = await run(steps, seed)
          const second = await run(steps, seed)
          expect(strip(second.report)).toEqual(strip(first.report))
          expect(second.fetch.received.map((r) => r.headers.get('signature'))).toEqual(
            first.fetch.received.map((r) => r.headers.get('signature')),
          )
        },
      ),
      { numRuns: 60 },
    )
  })
})
