import { describe, expect, it } from 'vitest'
import { IDAAS_EVENT_TYPES, validateEvent, verifyDelivery } from '../../src/index.js'
import { createEvent, createSignedDelivery } from '../../src/testing.js'
import { CREATED, NOW, TOKEN, URL } from './helpers.js'

describe('sign → verify round trips', () => {
  it('covers all 26 event types', () => {
    expect(IDAAS_EVENT_TYPES).toHaveLength(26)
  })

  describe.each(IDAAS_EVENT_TYPES.map((info) => [info.type] as const))('%s', (type) => {
    it.each([
      ['utf8', 'sha-256'],
      ['base64', 'sha-512'],
    ] as const)(
      'verifies with key encoding %s and digest %s and returns the same event',
      async (keyEncoding, digestAlgorithm) => {
        const event = createEvent(type, undefined, { seed: 7 })
        const body = JSON.stringify(event)
        const delivery = createSignedDelivery({
          url: URL,
          body,
          token: TOKEN,
          created: CREATED,
          keyEncoding,
          digestAlgorithm,
        })
        const result = await verifyDelivery(delivery, { token: TOKEN, keyEncoding, now: NOW })
        expect(result).toMatchObject({ ok: true, event })
        if (result.ok)
          expect(validateEvent(result.event, { mode: 'strict' })).toMatchObject({
            ok: true,
            known: true,
          })
      },
    )
  })
})
