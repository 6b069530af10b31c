import { describe, expect, it } from 'vitest'
import { validateEvent, verifyDelivery } from '../../src/index.js'
import { createTrickyBodies, createTrickyDeliveries, TRICKY_BODY_EVENT } from '../../src/testing.js'
import { NOW, TOKEN, URL } from './helpers.js'

const bodies = createTrickyBodies()

describe('createTrickyBodies', () => {
  it('produces the documented bodies with stable, unique ids', () => {
    expect(bodies.map((b) => b.id)).toEqual([
      'escaped-unicode',
      'literal-unicode-spaced',
      'uppercase-unicode-escape',
      'pretty-printed',
      'crlf-tabs-whitespace',
      'reordered-keys',
      'decimal-number',
      'exponent-number',
      'trailing-newline',
    ])
  })

  it.each(bodies.map((b) => [b.id, b] as const))(
    '"%s" is valid JSON for its value, and re-serializing it changes its bytes',
    (_id, tricky) => {
      const parsed: unknown = JSON.parse(tricky.body)
      expect(parsed).toEqual(tricky.value)
      expect(JSON.stringify(parsed)).not.toBe(tricky.body)
    },
  )

  it('encodes the same event in every body but reordered-keys, which adds one unknown field', () => {
    for (const tricky of bodies) {
      if (tricky.id === 'reordered-keys') continue
      expect(tricky.value, tricky.id).toEqual(TRICKY_BODY_EVENT)
    }
    const reordered = bodies.find((b) => b.id === 'reordered-keys')
    expect(
      reordered?.body.startsWith(
        '{"data":{"entityAttributes":{"kitKeyOrderProbe":{"10":"ten","9":"nine"}',
      ),
    ).toBe(true)
  })

  it('shows each trick in the bytes', () => {
    const body = (id: string) => bodies.find((b) => b.id === id)?.body ?? ''
    expect(body('escaped-unicode')).toContain(
      '"J\\u00fcrgen M\\u00fcller \\ud83d\\udd10\\u001b[0m"',
    )
    expect(body('literal-unicode-spaced')).toContain(
      '"subjectName": "Jürgen Müller 🔐\\u001b[0m", ',
    )
    expect(body('uppercase-unicode-escape')).toContain('\\u001B[0m')
    expect(body('pretty-printed')).toContain('{\n  "id": ')
    expect(body('crlf-tabs-whitespace')).toContain('{\r\n\t"id" : ')
    expect(body('decimal-number')).toContain('"serialNumber":2.0,')
    expect(body('exponent-number')).toContain('"serialNumber":2e0,')
    expect(body('trailing-newline').endsWith('}\n')).toBe(true)
  })

  it('every body is a valid event in tolerant mode (A15)', () => {
    for (const tricky of bodies) {
      expect(validateEvent(JSON.parse(tricky.body)), tricky.id).toMatchObject({
        ok: true,
        known: true,
      })
    }
  })
})

describe('createTrickyDeliveries', () => {
  it('signs every body over its exact bytes', async () => {
    const deliveries = createTrickyDeliveries({ url: URL, token: TOKEN, now: NOW })
    expect(deliveries.map((d) => d.id)).toEqual(bodies.map((b) => b.id))
    for (const delivery of deliveries) {
      expect(await verifyDelivery(delivery, { token: TOKEN, now: NOW }), delivery.id).toMatchObject(
        {
          ok: true,
        },
      )
      const reserialized = JSON.stringify(JSON.parse(delivery.body))
      expect(
        await verifyDelivery({ ...delivery, body: reserialized }, { token: TOKEN, now: NOW }),
        delivery.id,
      ).toMatchObject({ ok: false, reason: 'digest-mismatch' })
    }
  })
})
