import { describe, expect, it } from 'vitest'
import {
  assertIdaasEvent,
  IDAAS_EVENT_TYPES,
  isIdaasEvent,
  isKitError,
  isSchemaValidationError,
  type ValidationIssue,
  validateEvent,
} from '../../src/index.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'

type Json = Record<string, unknown> & { data: Record<string, unknown> }

/**
 * A valid event of each type: Entrust's example where there is one, the kit's test delivery
 * (A12: empty data) for webhook.test, else the common fields.
 */
function validEvent(type: string): Json {
  const example = (ENTRUST_EXAMPLES as Record<string, unknown>)[type]
  if (example) return structuredClone(example) as Json
  if (type === 'webhook.test') {
    return {
      id: '019cf7b5-61c1-7017-bc39-9309c400e1f3',
      type,
      accountId: 'fba02d5c-2f79-4cfd-91f5-6bd454e97ab3',
      eventTime: '2026-03-16T17:33:05Z',
      data: {},
    }
  }
  return {
    id: '019cf7b5-61c1-7017-bc39-9309c400e1f3',
    type,
    accountId: 'fba02d5c-2f79-4cfd-91f5-6bd454e97ab3',
    eventTime: '2026-03-16T17:33:05Z',
    data: {
      subject: '7a578db7-e8c8-421c-b5aa-2975f1418932',
      subjectName: 'john',
      subjectType: 'USER',
      resourceName: 'User Portal',
      sourceIp: '104.30.161.19',
    },
  }
}

const issueText = (issues: ValidationIssue[]) => issues.map((i) => `${i.path}: ${i.message}`)

describe('validateEvent', () => {
  describe.each(IDAAS_EVENT_TYPES.map((t) => [t.type, t] as const))('%s', (type, info) => {
    it('accepts a valid event in both modes', () => {
      expect(validateEvent(validEvent(type), { mode: 'strict' })).toMatchObject({
        ok: true,
        known: true,
      })
      expect(validateEvent(validEvent(type))).toMatchObject({ ok: true, known: true })
    })

    it('rejects an eventTime that is not an ISO 8601 date-time, naming the field', () => {
      const event = { ...validEvent(type), eventTime: '2026-03-16 17:53:36' }
      const result = validateEvent(event)
      expect(result.ok).toBe(false)
      expect(issueText(result.issues)).toEqual([
        '/eventTime: must be an ISO 8601 (RFC 3339) date-time such as "2025-12-01T20:10:04Z", got string "2026-03-16 17:53:36"',
      ])
      expect(result.issues[0]).toMatchObject({
        expected: expect.stringContaining('ISO 8601'),
        actual: '2026-03-16 17:53:36',
      })
    })

    it('rejects an empty id', () => {
      const result = validateEvent({ ...validEvent(type), id: '' })
      expect(issueText(result.issues)).toEqual([
        '/id: must be a non-empty string, got an empty string',
      ])
    })

    it('accepts data without any field in tolerant mode, as no data field is documented as required', () => {
      expect(validateEvent({ ...validEvent(type), data: {} })).toMatchObject({
        ok: true,
        known: true,
        notes: [],
      })
    })

    it('accepts an eventTime with a +00:00 offset in tolerant mode, without notes', () => {
      const result = validateEvent({ ...validEvent(type), eventTime: '2026-01-01T00:00:00+00:00' })
      expect(result).toMatchObject({ ok: true, known: true, notes: [] })
    })

    if (info.hasPublishedExample) {
      it('strict mode requires data.sourceIp, as every published example has it', () => {
        const event = validEvent(type)
        delete event.data.sourceIp
        const result = validateEvent(event, { mode: 'strict' })
        expect(issueText(result.issues)).toEqual(['/data/sourceIp: is required'])
        expect(result.issues[0]).toMatchObject({
          expected: 'present',
          actual: undefined,
          keyword: 'required',
        })
      })

      it('strict mode rejects an unknown data field, as Entrust published this payload', () => {
        const event = validEvent(type)
        event.data.region = 'eu'
        expect(issueText(validateEvent(event, { mode: 'strict' }).issues)).toEqual([
          '/data/region: is not a known field ("region" is not in the schema)',
        ])
      })

      it('tolerant mode rejects a data.subject that is not a string, as the field table shows a string', () => {
        const event = validEvent(type)
        event.data.subject = 42
        expect(issueText(validateEvent(event).issues)).toEqual([
          '/data/subject: must be string, got number 42',
        ])
      })
    } else {
      it('strict mode accepts data without the common fields, since no payload is published', () => {
        expect(validateEvent({ ...validEvent(type), data: {} }, { mode: 'strict' })).toMatchObject({
          ok: true,
          notes: [],
        })
      })

      it('strict mode reports an unknown data field as a note with its path, not as an issue', () => {
        const event = validEvent(type)
        event.data.printJobId = 'PJ-1'
        const result = validateEvent(event, { mode: 'strict' })
        expect(result).toMatchObject({ ok: true, known: true, issues: [] })
        expect(result.notes).toEqual([
          {
            kind: 'unknown-field',
            path: '/data/printJobId',
            message: `unknown field "printJobId" (Entrust has published no payload for "${type}")`,
          },
        ])
      })

      it('tolerant mode accepts a data.subject of any JSON type, as its type is not documented here', () => {
        const event = validEvent(type)
        event.data.subject = null
        expect(validateEvent(event)).toMatchObject({ ok: true, known: true })
      })

      // credential.print types none of its fields (its print job ID's field is unknown), and
      // webhook.test has no fields of its own (A12): for both, a subject is an unknown field.
      if (type !== 'credential.print' && type !== 'webhook.test') {
        it('strict mode rejects a data.subject that is not a string (inferred from the published types)', () => {
          const event = validEvent(type)
          event.data.subject = 42
          expect(issueText(validateEvent(event, { mode: 'strict' }).issues)).toEqual([
            '/data/subject: must be string, got number 42',
          ])
        })
      }
    }
  })

  describe('type-specific fields of the example-backed types', () => {
    it.each([
      [
        'grid.created',
        ['entityAttributes', 'serialNumber'],
        '2',
        '/data/entityAttributes/serialNumber: must be number, got string "2"',
      ],
      [
        'grid.created',
        ['entityAttributes', 'expired'],
        'false',
        '/data/entityAttributes/expired: must be boolean, got string "false"',
      ],
      [
        'authentication.succeeded',
        ['entityAttributes', 'registrationRequired'],
        1,
        '/data/entityAttributes/registrationRequired: must be boolean, got number 1',
      ],
      [
        'password.updated',
        ['entityType'],
        'USERS',
        '/data/entityType: must be "USERPASSWORDS", got string "USERS"',
      ],
      [
        'kba.question.created',
        ['entityType'],
        'QUESTIONS',
        '/data/entityType: must be "USERQUESTIONS", got string "QUESTIONS"',
      ],
      [
        'passkey.created',
        ['entityAttributes', 'userIdStored'],
        'yes',
        '/data/entityAttributes/userIdStored: must be boolean, got string "yes"',
      ],
      [
        'user.created',
        ['entityAttributes'],
        'janesmith',
        '/data/entityAttributes: must be object, got string "janesmith"',
      ],
      [
        'magiclink.email.sent',
        ['subscriberAdminRoleName'],
        null,
        '/data/subscriberAdminRoleName: must be string, got null',
      ],
      [
        'face.biometric.created',
        ['entityAttributes', 'status'],
        ['ACTIVATING'],
        '/data/entityAttributes/status: must be string, got array',
      ],
    ])('%s with data.%s = %j gives exactly one issue', (type, path, value, expected) => {
      const event = validEvent(type)
      let node: Record<string, unknown> = event.data
      for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>
      node[path.at(-1) as string] = value
      const mode = expected.includes('must be "') ? 'strict' : 'tolerant'
      const result = validateEvent(event, { mode })
      expect(result.ok).toBe(false)
      expect(issueText(result.issues)).toEqual([expected])
    })

    it.each([
      ['password.updated', 'USERS'],
      ['kba.question.created', 'QUESTIONS'],
    ])(
      'tolerant mode accepts %s with entityType %j: "Always" is checked only in strict mode',
      (type, value) => {
        const event = validEvent(type)
        event.data.entityType = value
        expect(validateEvent(event)).toMatchObject({ ok: true, known: true })
      },
    )
  })

  it('lists only the chosen branch’s problems, not those of the other 25 types', () => {
    const event = validEvent('user.created')
    delete event.data.subject
    event.data.subjectName = 7
    expect(issueText(validateEvent(event, { mode: 'strict' }).issues)).toEqual([
      '/data/subject: is required',
      '/data/subjectName: must be number, got number 7'.replace('must be number', 'must be string'),
    ])
  })

  it('reports a missing data object once, at the root', () => {
    const { data: _data, ...event } = validEvent('password.updated')
    expect(issueText(validateEvent(event).issues)).toEqual(['/data: is required'])
  })

  it('accepts RFC 3339 date-times with any offset and 0 to 9 fractional digits in both modes', () => {
    for (const eventTime of [
      '2025-12-01T20:10:04Z',
      '2024-03-15T10:00:00.000Z',
      '2024-03-15T10:00:00.1Z',
      '2024-03-15T10:00:00.123456Z',
      '2024-03-15T10:00:00.123456789Z',
      '2026-01-01T00:00:00+00:00',
      '2026-01-01T01:00:00.5+01:00',
      '2025-12-31T19:00:00-05:00',
      '2025-12-31t19:00:00z',
    ]) {
      for (const type of ['user.created', 'user.deleted']) {
        for (const mode of ['tolerant', 'strict'] as const) {
          expect(validateEvent({ ...validEvent(type), eventTime }, { mode }).ok, eventTime).toBe(
            true,
          )
        }
      }
    }
  })

  it.each([
    ['2024-03-15T10:00:00.1234567890Z', 'ten fractional digits'],
    ['2024-03-15T10:00:00+0100', 'an offset without a colon'],
    ['2024-03-15T10:00:00', 'no offset at all'],
    ['2024-03-15T24:00:00Z', 'hour 24'],
    ['2024-13-15T10:00:00Z', 'month 13'],
    ['2024-03-15T10:00:00+24:00', 'an offset of 24 hours'],
  ])('rejects %s (%s) in both modes', (eventTime) => {
    for (const mode of ['tolerant', 'strict'] as const) {
      expect(
        issueText(validateEvent({ ...validEvent('user.created'), eventTime }, { mode }).issues),
      ).toEqual([
        `/eventTime: must be an ISO 8601 (RFC 3339) date-time such as "2025-12-01T20:10:04Z", got string "${eventTime}"`,
      ])
    }
  })

  it('accepts an id that is not a UUID, as Entrust documents none', () => {
    expect(
      validateEvent({ ...validEvent('user.deleted'), id: 'delivery-1' }, { mode: 'strict' }).ok,
    ).toBe(true)
  })

  it('rejects a payload that is not an object', () => {
    for (const value of [null, 'user.created', 42, [validEvent('user.created')]]) {
      const result = validateEvent(value)
      expect(result.ok).toBe(false)
      expect(result.issues).toHaveLength(1)
      expect(result.issues[0]?.path).toBe('')
      expect(result.issues[0]?.message).toMatch(
        /^must be an object \(an IDaaS event envelope\), got /,
      )
    }
  })

  it('rejects a type that is not a string as an envelope problem', () => {
    expect(issueText(validateEvent({ ...validEvent('user.created'), type: 5 }).issues)).toEqual([
      '/type: must be string, got number 5',
    ])
    const { type: _type, ...untyped } = validEvent('user.created')
    expect(issueText(validateEvent(untyped).issues)).toEqual(['/type: is required'])
  })

  it('throws a KitError for an unknown mode, naming the option', () => {
    let error: unknown
    try {
      validateEvent({}, { mode: 'lenient' as 'strict' })
    } catch (caught) {
      error = caught
    }
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toBe(
      '[idaas-webhook-kit] Invalid option "mode": expected "tolerant" or "strict", got string "lenient".',
    )
  })
})

describe('tolerant mode (the default, A15)', () => {
  const withExtras = () => {
    const event = validEvent('grid.created')
    Object.assign(event, { deliveryAttempt: 2 })
    Object.assign(event.data, { region: 'eu' })
    Object.assign(event.data.entityAttributes as object, { color: 'blue' })
    return event
  }

  it('accepts unknown top-level, data and entityAttributes fields and reports them as notes', () => {
    const result = validateEvent(withExtras())
    expect(result).toMatchObject({ ok: true, known: true, issues: [] })
    expect(result.notes).toEqual([
      {
        kind: 'unknown-field',
        path: '/deliveryAttempt',
        message: 'unknown field "deliveryAttempt"',
      },
      { kind: 'unknown-field', path: '/data/region', message: 'unknown field "region"' },
      {
        kind: 'unknown-field',
        path: '/data/entityAttributes/color',
        message: 'unknown field "color"',
      },
    ])
  })

  it('still rejects real problems next to unknown fields, without noting the fields', () => {
    const event = withExtras()
    event.accountId = ''
    const result = validateEvent(event)
    expect(result.ok).toBe(false)
    expect(issueText(result.issues)).toEqual([
      '/accountId: must be a non-empty string, got an empty string',
    ])
    expect(result.notes).toEqual([])
  })

  it('accepts an unknown event type with a valid envelope and notes it', () => {
    const result = validateEvent({ ...validEvent('user.created'), type: 'user.suspended' })
    expect(result).toMatchObject({ ok: true, known: false, issues: [] })
    expect(result.notes).toEqual([
      {
        kind: 'unknown-event-type',
        path: '/type',
        message: 'is an unknown event type "user.suspended" (accepted: the envelope is valid)',
      },
    ])
  })

  it('rejects an unknown event type whose envelope is invalid', () => {
    const { accountId: _a, ...event }: Json = {
      ...validEvent('user.created'),
      type: 'risk.detected',
    }
    const result = validateEvent(event)
    expect(result.ok).toBe(false)
    expect(issueText(result.issues)).toEqual(['/accountId: is required'])
  })
})

describe('strict mode', () => {
  it.each([
    ['2026-01-01T00:00:00+00:00', ['has the offset "+00:00"; every published example uses "Z"']],
    ['2026-01-01T01:00:00+01:00', ['has the offset "+01:00"; every published example uses "Z"']],
    ['2026-01-01T00:00:00.123456Z', ['has 6 fractional digits; published examples have none or 3']],
    ['2026-01-01T00:00:00.5Z', ['has 1 fractional digit; published examples have none or 3']],
    [
      '2026-01-01t00:00:00.12-03:30',
      [
        'has the offset "-03:30"; every published example uses "Z"',
        'has 2 fractional digits; published examples have none or 3',
        'separates date and time with "t"; published examples use "T"',
      ],
    ],
  ])('reports eventTime %s as drift in notes, not as an issue', (eventTime, messages) => {
    for (const type of ['grid.created', 'authentication.failed', 'credential.print']) {
      const result = validateEvent({ ...validEvent(type), eventTime }, { mode: 'strict' })
      expect(result).toMatchObject({ ok: true, known: true, issues: [] })
      expect(result.notes).toEqual(
        messages.map((message) => ({ kind: 'unusual-timestamp', path: '/eventTime', message })),
      )
    }
  })

  it('adds no timestamp note for the two forms the published examples use', () => {
    for (const eventTime of ['2025-12-01T20:10:04Z', '2024-03-15T10:00:00.000Z']) {
      expect(
        validateEvent({ ...validEvent('grid.created'), eventTime }, { mode: 'strict' }).notes,
      ).toEqual([])
    }
  })

  it('gives the issues and no notes when an unpublished type also has a real problem', () => {
    const event = validEvent('user.updated')
    event.data.changedFields = ['email']
    event.data.subjectName = 7
    event.eventTime = '2026-01-01T00:00:00+00:00'
    const result = validateEvent(event, { mode: 'strict' })
    expect(result.ok).toBe(false)
    expect(issueText(result.issues)).toEqual(['/data/subjectName: must be string, got number 7'])
    expect(result.notes).toEqual([])
  })

  it('keeps an unknown top-level field an issue for every type: the envelope is documented', () => {
    const event = { ...validEvent('token.created'), deliveryAttempt: 2 }
    expect(issueText(validateEvent(event, { mode: 'strict' }).issues)).toEqual([
      '/deliveryAttempt: is not a known field ("deliveryAttempt" is not in the schema)',
    ])
  })

  it('reports every unknown field as an issue', () => {
    const event = validEvent('passkey.created')
    Object.assign(event, { extra: true })
    Object.assign(event.data, { authenticatorName: 'YubiKey' })
    expect(issueText(validateEvent(event, { mode: 'strict' }).issues)).toEqual([
      '/extra: is not a known field ("extra" is not in the schema)',
      '/data/authenticatorName: is not a known field ("authenticatorName" is not in the schema)',
    ])
  })

  it('reports an unknown event type with the closest known one', () => {
    const result = validateEvent(
      { ...validEvent('user.created'), type: 'user.create' },
      { mode: 'strict' },
    )
    expect(result).toMatchObject({ ok: false, known: false })
    expect(issueText(result.issues)).toEqual([
      '/type: is an unknown event type "user.create"; did you mean "user.created"?',
    ])
  })

  it('gives no hint when no known type is close', () => {
    const result = validateEvent(
      { ...validEvent('user.created'), type: 'billing.invoice.paid' },
      { mode: 'strict' },
    )
    expect(issueText(result.issues)).toEqual([
      '/type: is an unknown event type "billing.invoice.paid"',
    ])
  })
})

describe('isIdaasEvent and assertIdaasEvent', () => {
  it('isIdaasEvent is true for a valid known event and false otherwise', () => {
    expect(isIdaasEvent(validEvent('user.created'))).toBe(true)
    expect(isIdaasEvent({ ...validEvent('user.created'), type: 'user.suspended' })).toBe(false)
    expect(isIdaasEvent({ ...validEvent('user.created'), extra: 1 })).toBe(true)
    expect(isIdaasEvent({ ...validEvent('user.created'), extra: 1 }, { mode: 'strict' })).toBe(
      false,
    )
  })

  it('assertIdaasEvent returns the event when it is valid', () => {
    const event = validEvent('grid.created')
    expect(assertIdaasEvent(event)).toBe(event)
  })

  it('assertIdaasEvent throws a SchemaValidationError listing every issue', () => {
    const event = validEvent('grid.created')
    ;(event.data.entityAttributes as Record<string, unknown>).serialNumber = '2'
    delete event.data.subject
    let caught: unknown
    try {
      assertIdaasEvent(event, { mode: 'strict' })
    } catch (error) {
      caught = error
    }
    expect(isSchemaValidationError(caught)).toBe(true)
    if (!isSchemaValidationError(caught)) return
    expect(caught.message).toBe(
      [
        '[idaas-webhook-kit] Failed to validate "grid.created" event:',
        '✖ is required',
        '  → at /data/subject',
        '✖ must be number, got string "2"',
        '  → at /data/entityAttributes/serialNumber',
      ].join('\n'),
    )
    expect(caught.eventType).toBe('grid.created')
    expect(caught.issues.map((i) => i.path)).toEqual([
      '/data/subject',
      '/data/entityAttributes/serialNumber',
    ])
  })

  it('assertIdaasEvent throws for an unknown type even in tolerant mode', () => {
    expect(() => assertIdaasEvent({ ...validEvent('user.created'), type: 'user.create' })).toThrow(
      '[idaas-webhook-kit] Failed to validate "user.create" event:\n✖ is an unknown event type "user.create"; did you mean "user.created"?\n  → at /type',
    )
  })
})
