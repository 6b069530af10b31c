import { describe, expect, it } from 'vitest'
import {
  assertDeliveryPolicy,
  createDeliveryPolicy,
  IDAAS_POLICY,
  ISSUANCE_LEGACY_POLICY,
  resolveDeliveryPolicy,
} from '../../src/testing.js'

describe('IDAAS_POLICY', () => {
  it('is the documented IDaaS rules with the kit defaults, as frozen plain data', () => {
    expect(IDAAS_POLICY).toEqual({
      name: 'idaas',
      deadlineMs: 3000,
      maxAttempts: 3,
      retryOn: ['http-5xx'],
      delaysMs: [2000, 4000],
      delayFrom: 'previous-attempt-end',
      jitterMs: [0, 500],
      autoDisableAfter: 100,
      countFailures: 'deliveries',
      envelopeIdPerAttempt: 'same',
    })
    expect(Object.isFrozen(IDAAS_POLICY)).toBe(true)
    expect(Object.isFrozen(IDAAS_POLICY.delaysMs)).toBe(true)
    expect(JSON.parse(JSON.stringify(IDAAS_POLICY))).toEqual(IDAAS_POLICY)
  })
})

describe('ISSUANCE_LEGACY_POLICY', () => {
  it('is the A16 policy: 15 s deadline, 5 retries on any failure, disabled after one failed delivery', () => {
    expect(ISSUANCE_LEGACY_POLICY).toMatchObject({
      name: 'issuance-legacy',
      deadlineMs: 15_000,
      maxAttempts: 6,
      delaysMs: [30_000, 120_000, 900_000, 7_200_000, 36_000_000],
      delayFrom: 'first-attempt-start',
      jitterMs: [0, 0],
      autoDisableAfter: 1,
    })
    expect([...ISSUANCE_LEGACY_POLICY.retryOn].sort()).toEqual(
      ['http-4xx', 'http-5xx', 'network', 'redirect', 'timeout', 'tls'].sort(),
    )
    expect(() => assertDeliveryPolicy(ISSUANCE_LEGACY_POLICY)).not.toThrow()
  })
})

describe('createDeliveryPolicy', () => {
  it('merges fields over the IDaaS policy and names the result "custom"', () => {
    const policy = createDeliveryPolicy({ retryOn: ['http-5xx', 'timeout'] })
    expect(policy).toMatchObject({
      name: 'custom',
      deadlineMs: 3000,
      retryOn: ['http-5xx', 'timeout'],
    })
    expect(Object.isFrozen(policy)).toBe(true)
  })

  it('can start from issuance-legacy', () => {
    expect(
      createDeliveryPolicy({ name: 'slow', deadlineMs: 20_000 }, 'issuance-legacy'),
    ).toMatchObject({
      name: 'slow',
      deadlineMs: 20_000,
      maxAttempts: 6,
    })
  })

  it('names the field and the value in its message', () => {
    expect(() => createDeliveryPolicy({ name: 'mine', deadlineMs: -1 })).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "mine": "deadlineMs" must be a positive number of milliseconds up to 2147483647, got -1.',
    )
  })

  it('refuses durations a timer cannot wait (above 2^31 - 1 ms, where setTimeout fires at once)', () => {
    const tooLong = 2 ** 31
    expect(() => createDeliveryPolicy({ name: 'long', deadlineMs: tooLong })).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "long": "deadlineMs" must be a positive number of milliseconds up to 2147483647, got 2147483648.',
    )
    expect(() => createDeliveryPolicy({ name: 'long', delaysMs: [tooLong, 4000] })).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "long": "delaysMs" must be a list of milliseconds (numbers from 0 to 2147483647), got [2147483648, 4000].',
    )
    expect(() => createDeliveryPolicy({ name: 'long', jitterMs: [0, tooLong] })).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "long": "jitterMs" must be [min, max] milliseconds with 0 <= min <= max <= 2147483647, got [0, 2147483648].',
    )
    expect(() => createDeliveryPolicy({ name: 'long', delaysMs: [2000, tooLong - 1] })).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "long": the longest of "delaysMs" plus the largest of "jitterMs" must be at most 2147483647 ms, got 2147483647 + 500.',
    )
    expect(
      createDeliveryPolicy({
        deadlineMs: tooLong - 1,
        delaysMs: [0, tooLong - 1],
        jitterMs: [0, 0],
      }).deadlineMs,
    ).toBe(tooLong - 1)
  })

  it('lists every problem at once', () => {
    expect(() =>
      createDeliveryPolicy({
        name: 'broken',
        maxAttempts: 4,
        jitterMs: [500, 0],
        retryOn: ['5xx' as never],
      }),
    ).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "broken": "retryOn" must be a list without repeats of "timeout", "network", "tls", "redirect", "http-4xx", "http-5xx", got ["5xx"]; "delaysMs" must have one entry per retry (3 for "maxAttempts" 4), got 2; "jitterMs" must be [min, max] milliseconds with 0 <= min <= max <= 2147483647, got [500, 0].',
    )
  })

  it('asks for one delay per retry', () => {
    expect(() => createDeliveryPolicy({ name: 'short', maxAttempts: 4 })).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "short": "delaysMs" must have one entry per retry (3 for "maxAttempts" 4), got 2.',
    )
  })

  it('reports jitter bounds the wrong way round and unknown retry kinds', () => {
    let message = ''
    try {
      createDeliveryPolicy({ name: 'j', jitterMs: [500, 0], retryOn: ['5xx' as never] })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain(
      '"jitterMs" must be [min, max] milliseconds with 0 <= min <= max <= 2147483647, got [500, 0]',
    )
    expect(message).toContain('"retryOn" must be a list without repeats of')
    expect(message).toContain('got ["5xx"]')
  })

  it('rejects unknown fields, so a typo is not silently ignored', () => {
    expect(() => createDeliveryPolicy({ deadline: 100 } as never)).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy "custom": unknown field "deadline".',
    )
  })
})

describe('assertDeliveryPolicy', () => {
  it('accepts a plain JSON policy', () => {
    const fromJson: unknown = JSON.parse(JSON.stringify({ ...IDAAS_POLICY, name: 'json' }))
    expect(() => assertDeliveryPolicy(fromJson)).not.toThrow()
    expect(() => assertDeliveryPolicy({ ...(fromJson as object), maxAttempts: 0 })).toThrow(
      /"maxAttempts"/,
    )
  })

  it('rejects what is not an object', () => {
    expect(() => assertDeliveryPolicy('idaas')).toThrow(
      '[idaas-webhook-kit] Invalid delivery policy: expected an object, got "idaas".',
    )
  })

  it('accepts null for "never auto-disable"', () => {
    expect(() => assertDeliveryPolicy({ ...IDAAS_POLICY, autoDisableAfter: null })).not.toThrow()
    expect(() => assertDeliveryPolicy({ ...IDAAS_POLICY, autoDisableAfter: 0 })).toThrow(
      '"autoDisableAfter" must be a whole number of at least 1, or null for never, got 0',
    )
  })
})

describe('resolveDeliveryPolicy', () => {
  it('resolves names and checks objects', () => {
    expect(resolveDeliveryPolicy(undefined)).toBe(IDAAS_POLICY)
    expect(resolveDeliveryPolicy('issuance-legacy')).toBe(ISSUANCE_LEGACY_POLICY)
    expect(() => resolveDeliveryPolicy('legacy' as never)).toThrow(
      '[idaas-webhook-kit] Invalid option "policy": expected "idaas", "issuance-legacy" or a policy object, got "legacy".',
    )
  })
})
