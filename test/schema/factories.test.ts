import { describe, expect, it, vi } from 'vitest'
import { ENTRUST_EXAMPLES } from '../../generated/entrust-examples.js'
import { IDAAS_EVENT_TYPES } from '../../generated/event-catalogue.js'
import type { IdaasEventType } from '../../generated/types.js'
import { isKitError, KitError } from '../../src/errors.js'
import {
  createEvent,
  type EventOverrides,
  IDAAS_FACTORY_ACCOUNT_ID,
  InvalidOverrideError,
  isInvalidOverrideError,
} from '../../src/schema/factories.js'
import { validateEvent } from '../../src/schema/validate.js'

const TYPES: IdaasEventType[] = IDAAS_EVENT_TYPES.map((info) => info.type)
const SEEDS = Array.from({ length: 200 }, (_, i) => i)
const EXAMPLE_TYPES = Object.keys(ENTRUST_EXAMPLES) as (keyof typeof ENTRUST_EXAMPLES)[]
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/

/** The 48-bit millisecond timestamp of a UUIDv7. */
function uuidV7Ms(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)
}

/** Every leaf path of a JSON value with its JSON type, e.g. "data.entityAttributes.serialNumber:number". */
function shapeOf(value: unknown, path = ''): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, child]) =>
      shapeOf(child, path === '' ? key : `${path}.${key}`),
    )
  }
  return [`${path}:${typeof value}`]
}

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    if (error instanceof Error) return error
    throw new Error(`threw a non-Error: ${String(error)}`)
  }
  throw new Error('did not throw')
}

describe('createEvent', () => {
  describe.each(TYPES)('%s', (type) => {
    it('validates in strict mode without notes for 200 seeds', () => {
      const failures = SEEDS.flatMap((seed) => {
        const result = validateEvent(createEvent(type, undefined, { seed }), { mode: 'strict' })
        return result.ok && result.notes.length === 0
          ? []
          : [{ seed, issues: result.issues, notes: result.notes }]
      })
      expect(failures).toEqual([])
    })

    it('returns a deep-equal event for the same seed', () => {
      expect(createEvent(type, undefined, { seed: 42 })).toEqual(
        createEvent(type, undefined, { seed: 42 }),
      )
    })

    it('uses seed 1 when no seed is given', () => {
      expect(createEvent(type)).toEqual(createEvent(type, undefined, { seed: 1 }))
    })

    it('returns a different event for each of 200 seeds', () => {
      const events = SEEDS.map((seed) => createEvent(type, undefined, { seed }))
      expect(new Set(events.map((event) => event.id)).size).toBe(SEEDS.length)
      // webhook.test's data is always {} (A12); only its id and eventTime vary.
      const distinctData = new Set(events.map((event) => JSON.stringify(event.data))).size
      if (type === 'webhook.test') expect(distinctData).toBe(1)
      else expect(distinctData).toBeGreaterThan(190)
    })

    it('mints a UUIDv7 id whose timestamp is the eventTime', () => {
      for (const seed of SEEDS) {
        const { id, eventTime } = createEvent(type, undefined, { seed })
        expect(id).toMatch(UUID_V7)
        const idMs = uuidV7Ms(id)
        if (eventTime.includes('.')) expect(idMs).toBe(Date.parse(eventTime))
        else expect(Math.floor(idMs / 1000) * 1000).toBe(Date.parse(eventTime))
      }
    })

    it.skipIf(type === 'webhook.test')('fills the common data fields like Entrust does', () => {
      // Skipped for webhook.test: the kit's test delivery has empty data (A12), tested below.
      for (const seed of SEEDS.slice(0, 50)) {
        const { data, accountId } = createEvent(type, undefined, { seed })
        expect(accountId).toBe(IDAAS_FACTORY_ACCOUNT_ID)
        expect(data.subject).toMatch(UUID_V4)
        expect(data.subjectName).toMatch(/^[a-z]+(\.[a-z]+)?$/)
        expect(data.subjectType).toBe('USER')
        expect(['Administration Portal', 'User Portal']).toContain(data.resourceName)
        expect(data.sourceIp).toMatch(IPV4)
        if (data.subscriberAdminRoleName !== undefined) {
          expect(data.resourceName).toBe('Administration Portal')
          expect(['Super Administrator', 'System Administrator']).toContain(
            data.subscriberAdminRoleName,
          )
        }
      }
    })
  })

  it('gives events of different types different ids for the same seed', () => {
    const ids = TYPES.map((type) => createEvent(type, undefined, { seed: 7 }).id)
    expect(new Set(ids).size).toBe(TYPES.length)
  })

  it('writes eventTime in both Entrust forms across seeds, always UTC with Z', () => {
    const times = SEEDS.map(
      (seed) => createEvent('password.updated', undefined, { seed }).eventTime,
    )
    expect(times.every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(t))).toBe(true)
    expect(times.some((t) => t.includes('.'))).toBe(true)
    expect(times.some((t) => !t.includes('.'))).toBe(true)
  })

  it('never reads Math.random or Date.now', () => {
    const random = vi.spyOn(Math, 'random')
    const now = vi.spyOn(Date, 'now')
    for (const type of TYPES) {
      createEvent(type, undefined, { seed: 3 })
      createEvent(type)
    }
    expect(random).not.toHaveBeenCalled()
    expect(now).not.toHaveBeenCalled()
  })

  describe('realism', () => {
    it.each(EXAMPLE_TYPES)('gives %s the fields and JSON types of Entrust’s example', (type) => {
      const expected = shapeOf(ENTRUST_EXAMPLES[type]).filter(
        (leaf) => !leaf.startsWith('data.subscriberAdminRoleName:'),
      )
      for (const seed of SEEDS.slice(0, 50)) {
        const actual = shapeOf(createEvent(type, undefined, { seed })).filter(
          (leaf) => !leaf.startsWith('data.subscriberAdminRoleName:'),
        )
        expect(actual.sort()).toEqual([...expected].sort())
      }
    })

    it.each(['user.created', 'magiclink.email.sent', 'face.biometric.created'] as const)(
      'has an administrator act in every %s, as in Entrust’s example',
      (type) => {
        for (const seed of SEEDS.slice(0, 50)) {
          const { data } = createEvent(type, undefined, { seed })
          expect(data.subscriberAdminRoleName).toBeTypeOf('string')
          expect(data.resourceName).toBe('Administration Portal')
        }
      },
    )

    it('makes the acting administrator the subject of user.created and the new user the entity', () => {
      const { data } = createEvent('user.created', undefined, { seed: 11 })
      expect(data.subject).not.toBe(data.entityId)
      expect(data.entityName).toBe(data.entityAttributes?.userId)
      expect(data.entityAttributes?.email).toMatch(
        new RegExp(`^${data.entityName?.replace('.', '\\.')}@example\\.(com|org|net)$`),
      )
    })

    it('carries the grid serial as a string in entityName and as the same number in serialNumber', () => {
      for (const seed of SEEDS) {
        const { data, eventTime } = createEvent('grid.created', undefined, { seed })
        expect(data.entityName).toBe(String(data.entityAttributes?.serialNumber))
        expect(data.entityAttributes?.serialNumber).toBeTypeOf('number')
        expect(data.entityAttributes?.createDate).toBe(`${eventTime.slice(0, 19)}Z`)
      }
    })

    it('gives password.updated the user as both subject and entity', () => {
      const { data } = createEvent('password.updated', undefined, { seed: 5 })
      expect(data.entityType).toBe('USERPASSWORDS')
      expect(data.entityId).toBe(data.subject)
      expect(data.entityName).toBe(data.subjectName)
    })

    it('lets an administrator act for some seeds of types either side may cause', () => {
      const roles = SEEDS.map(
        (seed) => createEvent('grid.created', undefined, { seed }).data.subscriberAdminRoleName,
      )
      expect(roles.some((role) => role === undefined)).toBe(true)
      expect(roles.some((role) => role !== undefined)).toBe(true)
    })
  })

  describe('options', () => {
    it('pins the time with a Date: the id carries the exact instant', () => {
      const at = new Date('2026-03-16T17:33:05.345Z')
      for (const seed of SEEDS.slice(0, 20)) {
        const { id, eventTime } = createEvent('password.updated', undefined, {
          seed,
          eventTime: at,
        })
        expect(uuidV7Ms(id)).toBe(at.getTime())
        expect(['2026-03-16T17:33:05Z', '2026-03-16T17:33:05.345Z']).toContain(eventTime)
      }
    })

    it('uses an eventTime string in the envelope form verbatim, with the id in the same second', () => {
      const event = createEvent('grid.created', undefined, { eventTime: '2026-03-16T17:53:36Z' })
      expect(event.eventTime).toBe('2026-03-16T17:53:36Z')
      expect(Math.floor(uuidV7Ms(event.id) / 1000) * 1000).toBe(Date.parse('2026-03-16T17:53:36Z'))
      expect(event.data.entityAttributes?.createDate).toBe('2026-03-16T17:53:36Z')
      const precise = createEvent('user.created', undefined, { now: '2024-03-15T10:00:00.000Z' })
      expect(precise.eventTime).toBe('2024-03-15T10:00:00.000Z')
      expect(uuidV7Ms(precise.id)).toBe(Date.parse('2024-03-15T10:00:00.000Z'))
    })

    it('normalises another ISO 8601 string to UTC with Z', () => {
      const { eventTime } = createEvent('user.deleted', undefined, {
        seed: 2,
        eventTime: '2026-03-16T19:33:05+02:00',
      })
      expect(eventTime.startsWith('2026-03-16T17:33:05')).toBe(true)
      expect(eventTime.endsWith('Z')).toBe(true)
    })

    it('treats now as an alias of eventTime', () => {
      const at = new Date('2025-12-01T20:10:04Z')
      expect(createEvent('user.updated', undefined, { now: at })).toEqual(
        createEvent('user.updated', undefined, { eventTime: at }),
      )
    })

    it('changes only the time fields when the time is pinned', () => {
      const free = createEvent('user.created', undefined, { seed: 9 })
      const pinned = createEvent('user.created', undefined, {
        seed: 9,
        eventTime: new Date('2030-01-01T00:00:00Z'),
      })
      expect(pinned.data).toEqual(free.data)
      expect(pinned.id).not.toBe(free.id)
    })

    it('uses options.accountId as the accountId', () => {
      const accountId = 'fba02d5c-2f79-4cfd-91f5-6bd454e97ab3'
      expect(createEvent('kba.question.created', undefined, { accountId }).accountId).toBe(
        accountId,
      )
    })

    it.each([
      [{ seed: Number.NaN }, 'Invalid option "seed": expected a finite number, got number NaN.'],
      [
        { seed: '1' as unknown as number },
        'Invalid option "seed": expected a finite number, got string "1".',
      ],
      [
        { accountId: '' },
        'Invalid option "accountId": expected a non-empty string, got string "".',
      ],
      [
        { eventTime: 'yesterday' },
        'Invalid option "eventTime": expected a Date or an ISO 8601 string between 1970 and 9999, got string "yesterday".',
      ],
      [
        { now: new Date(Number.NaN) },
        'Invalid option "now": expected a Date or an ISO 8601 string between 1970 and 9999, got object.',
      ],
      [
        { now: new Date(0), eventTime: new Date(0) },
        'Invalid options "eventTime" and "now": they are aliases. Pass only one.',
      ],
    ])('rejects the options %o with a KitError', (options, text) => {
      const error = errorOf(() => createEvent('user.created', undefined, options))
      expect(error).toBeInstanceOf(KitError)
      expect(error.message).toBe(`[idaas-webhook-kit] ${text}`)
    })
  })

  describe('overrides', () => {
    it('applies a deep-partial override at depth and keeps every other field', () => {
      const base = createEvent('grid.created', undefined, { seed: 5 })
      const event = createEvent(
        'grid.created',
        { data: { entityAttributes: { state: 'ACTIVE' } } },
        { seed: 5 },
      )
      const expected = structuredClone(base)
      if (expected.data.entityAttributes) expected.data.entityAttributes.state = 'ACTIVE'
      expect(event).toEqual(expected)
      expect(base.data.entityAttributes?.state).toBe('PENDING')
    })

    it('overrides envelope and data fields together', () => {
      const event = createEvent('authentication.succeeded', {
        accountId: 'c8485a88-4fd0-4248-8dcd-fb4ac0749fb7',
        data: { subjectName: 'john.smith', token: 'OTP' },
      })
      expect(event.accountId).toBe('c8485a88-4fd0-4248-8dcd-fb4ac0749fb7')
      expect(event.data.subjectName).toBe('john.smith')
      expect(event.data.token).toBe('OTP')
      expect(event.data.subject).toBe(createEvent('authentication.succeeded').data.subject)
    })

    it('adds an object the generated event does not have', () => {
      const event = createEvent('password.updated', {
        data: { entityAttributes: { reason: 'expired' } },
      })
      expect(event.data.entityAttributes).toEqual({ reason: 'expired' })
    })

    it('removes an optional field overridden with undefined', () => {
      const event = createEvent('user.created', { data: { subscriberAdminRoleName: undefined } })
      expect('subscriberAdminRoleName' in event.data).toBe(false)
      expect(validateEvent(event, { mode: 'strict' }).ok).toBe(true)
    })

    it('takes an array whole, as a copy, instead of merging it', () => {
      const changed = ['email', 'lastName']
      const event = createEvent('user.updated', { data: { entityAttributes: { changed } } })
      expect(event.data.entityAttributes?.changed).toEqual(['email', 'lastName'])
      expect(event.data.entityAttributes?.changed).not.toBe(changed)
    })

    it('leaves the overrides object untouched', () => {
      const overrides = { data: { entityAttributes: { state: 'ACTIVE' } } }
      const snapshot = structuredClone(overrides)
      const event = createEvent('grid.created', overrides)
      if (event.data.entityAttributes) event.data.entityAttributes.state = 'CHANGED'
      expect(overrides).toEqual(snapshot)
    })

    it('throws an InvalidOverrideError naming the field when a type is wrong', () => {
      const error = errorOf(() =>
        createEvent('grid.created', {
          data: { entityAttributes: { serialNumber: '2' as unknown as number } },
        }),
      )
      expect(error.message).toBe(
        '[idaas-webhook-kit] Invalid override for "grid.created":\n✖ must be number, got string "2"\n  → at /data/entityAttributes/serialNumber',
      )
      expect(error).toBeInstanceOf(InvalidOverrideError)
      expect(error).toBeInstanceOf(KitError)
      expect(isKitError(error)).toBe(true)
      expect(isInvalidOverrideError(error)).toBe(true)
      if (!(error instanceof InvalidOverrideError)) throw error
      expect(error.eventType).toBe('grid.created')
      expect(error.issues).toEqual([
        {
          path: '/data/entityAttributes/serialNumber',
          keyword: 'type',
          expected: 'number',
          actual: '2',
          message: 'must be number, got string "2"',
        },
      ])
    })

    it('throws when an override adds a field the schema does not define', () => {
      const overrides = { data: { region: 'eu' } } as EventOverrides<'user.created'>
      expect(() => createEvent('user.created', overrides)).toThrow(
        '[idaas-webhook-kit] Invalid override for "user.created":\n✖ is not a known field ("region" is not in the schema)\n  → at /data/region',
      )
    })

    it('throws when an override removes a required field', () => {
      const overrides = {
        data: { subject: undefined },
      } as unknown as EventOverrides<'passkey.created'>
      expect(() => createEvent('passkey.created', overrides)).toThrow(
        '[idaas-webhook-kit] Invalid override for "passkey.created":\n✖ is required\n  → at /data/subject',
      )
    })

    it('lists every invalid field, shallowest first', () => {
      expect(() =>
        createEvent('password.updated', {
          eventTime: '16/03/2026',
          data: { entityType: 'USERS' as 'USERPASSWORDS' },
        }),
      ).toThrow(
        '[idaas-webhook-kit] Invalid override for "password.updated":\n✖ must be an ISO 8601 (RFC 3339) date-time such as "2025-12-01T20:10:04Z", got string "16/03/2026"\n  → at /eventTime\n✖ must be "USERPASSWORDS", got string "USERS"\n  → at /data/entityType',
      )
    })

    it('turns a "__proto__" key into an unknown field instead of a prototype', () => {
      const overrides = JSON.parse('{"data":{"__proto__":{"polluted":true}}}')
      expect(() => createEvent('user.created', overrides)).toThrow(
        '✖ is not a known field ("__proto__" is not in the schema)\n  → at /data/__proto__',
      )
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('adds a field to the data of a type whose payload Entrust never published', () => {
      // credential.print "will contain the print job ID" under a name nobody knows.
      const event = createEvent('credential.print', { data: { printJobId: 'PJ-20260316-0001' } })
      expect(event.data.printJobId).toBe('PJ-20260316-0001')
      expect(validateEvent(event, { mode: 'strict' }).notes).toEqual([
        {
          kind: 'unknown-field',
          path: '/data/printJobId',
          message:
            'unknown field "printJobId" (Entrust has published no payload for "credential.print")',
        },
      ])
    })

    it('makes the test delivery of A12: webhook.test with empty data', () => {
      const event = createEvent('webhook.test', undefined, { seed: 5 })
      expect(event).toMatchObject({ type: 'webhook.test', data: {} })
      expect(Object.keys(event.data)).toEqual([])
    })

    it('rejects overrides that are not an object', () => {
      expect(() => createEvent('user.deleted', 'x' as never)).toThrow(
        '[idaas-webhook-kit] Invalid argument "overrides": expected an object, got string "x".',
      )
    })
  })

  describe('unknown types', () => {
    it('throws a KitError with a "Did you mean" hint for a near miss', () => {
      const error = errorOf(() => createEvent('user.create' as never))
      expect(error).toBeInstanceOf(KitError)
      expect(error.message).toBe(
        '[idaas-webhook-kit] Unknown event type "user.create". Did you mean "user.created"?',
      )
    })

    it('points to IDAAS_EVENT_TYPES when nothing is close', () => {
      expect(() => createEvent('billing.invoice.paid' as never)).toThrow(
        '[idaas-webhook-kit] Unknown event type "billing.invoice.paid". Use one of the 26 types in IDAAS_EVENT_TYPES.',
      )
    })

    it('rejects a type that is not a string', () => {
      expect(() => createEvent(42 as never)).toThrow(
        '[idaas-webhook-kit] Invalid argument "type": expected an event type such as "user.created", got number 42.',
      )
    })
  })
})
