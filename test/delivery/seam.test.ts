import { describe, expect, it } from 'vitest'
import { checkDeliverOptions } from '../../src/delivery/engine.js'
import { isKitError, verifyDelivery } from '../../src/index.js'
import { deliver } from '../../src/testing.js'
import { fastDeadlineClock, scriptedFetch, userCreated } from './support.js'

const URL_ = 'https://app.test/webhooks/idaas'
const TOKEN = 'whsec_seam-test-token'
const target = { url: URL_, token: TOKEN }

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isKitError(error)).toBe(true)
  return error as Error
}

describe('deliver option "body"', () => {
  it('sends and signs the given bytes unchanged on every attempt, keeping the envelope id', async () => {
    const clock = fastDeadlineClock()
    const fetch = scriptedFetch([503, 204], clock)
    const event = userCreated()
    const body = `{ "id": "${event.id}",  "type": "user.created", "extra": "\\u00e9" }`
    const report = await deliver(event, target, { clock, fetch, body })

    expect(report.result).toBe('delivered')
    expect(fetch.received.map((r) => r.body)).toEqual([body, body])
    expect(report.attempts.map((a) => a.envelopeId)).toEqual([event.id, event.id])
    for (const received of fetch.received) {
      const verified = await verifyDelivery(
        { method: 'POST', url: received.url, headers: received.headers, body: received.body },
        { token: TOKEN, now: () => received.at ?? 0 },
      )
      expect(verified.ok).toBe(true)
    }
  })

  it('refuses a body that is not a string', async () => {
    const error = await rejection(deliver(userCreated(), target, { body: 42 as never }))
    expect(error.message).toBe(
      '[idaas-webhook-kit] Invalid option "body": expected a string, got 42.',
    )
  })
})

describe('deliver option "sign"', () => {
  it('sign: false sends no signature headers and needs no token', async () => {
    const clock = fastDeadlineClock()
    const fetch = scriptedFetch([204], clock)
    const report = await deliver(userCreated(), { url: URL_ }, { clock, fetch, sign: false })

    expect(report.result).toBe('delivered')
    const headers = fetch.received[0]?.headers as Headers
    expect(headers.get('content-type')).toBe('application/json')
    for (const name of ['signature', 'signature-input', 'content-digest']) {
      expect(headers.has(name)).toBe(false)
    }
    expect(report.attempts[0]?.created).toBeUndefined()
  })

  it('a signed delivery still needs a token, and sign must be a boolean', async () => {
    const missing = await rejection(deliver(userCreated(), { url: URL_ }))
    expect(missing.message).toContain('"target.token" must be a non-empty string.')
    const empty = await rejection(deliver(userCreated(), { url: URL_, token: '' }, { sign: false }))
    expect(empty.message).toContain('"target.token" must be a non-empty string.')
    const bad = await rejection(deliver(userCreated(), target, { sign: 'no' as never }))
    expect(bad.message).toBe(
      '[idaas-webhook-kit] Invalid option "sign": expected true or false, got "no".',
    )
  })
})

describe('deliver option "headers"', () => {
  it('adds headers, replaces and removes signed ones whatever their case', async () => {
    const clock = fastDeadlineClock()
    const fetch = scriptedFetch([204], clock)
    await deliver(userCreated(), target, {
      clock,
      fetch,
      headers: { 'X-Trace': 'abc', 'content-digest': null, 'CONTENT-TYPE': 'text/plain' },
    })
    const headers = fetch.received[0]?.headers as Headers
    expect(headers.get('x-trace')).toBe('abc')
    expect(headers.has('content-digest')).toBe(false)
    expect(headers.get('content-type')).toBe('text/plain')
    expect(headers.get('signature')).toMatch(/^sig=:/)
  })

  it('names every bad header without printing a value', async () => {
    const error = await rejection(
      deliver(userCreated(), target, {
        headers: {
          'bad name': 'x',
          'x-secret': 'whsec_value\r\nInjected: 1',
          'x-num': 1 as never,
          'X-Twice': 'a',
          'x-twice': 'b',
        },
      }),
    )
    expect(error.message).toBe(
      '[idaas-webhook-kit] Invalid option "headers": "bad name" is not a valid header name; "x-secret" has a value with a control character or a line break; "x-num" must be a string or null, got 1; "x-twice" is given twice (names are case-insensitive).',
    )
    expect(error.message).not.toContain('whsec_value')
    const notObject = await rejection(deliver(userCreated(), target, { headers: [] as never }))
    expect(notObject.message).toContain('Invalid option "headers": expected an object')
  })
})

describe('deliver option "shouldContinue"', () => {
  it('is asked before every attempt and stops the delivery as cancelled when it says false', async () => {
    const clock = fastDeadlineClock()
    const fetch = scriptedFetch([503], clock)
    let asked = 0
    const report = await deliver(userCreated(), target, {
      clock,
      fetch,
      shouldContinue: () => ++asked < 3,
    })
    expect(asked).toBe(3)
    expect(report.result).toBe('cancelled')
    expect(report.attempts).toHaveLength(2)
  })

  it('false before the first attempt sends nothing', async () => {
    const fetch = scriptedFetch([204])
    const report = await deliver(userCreated(), target, { fetch, shouldContinue: () => false })
    expect(report.result).toBe('cancelled')
    expect(fetch.received).toHaveLength(0)
  })

  it('must be a function', async () => {
    const error = await rejection(deliver(userCreated(), target, { shouldContinue: true as never }))
    expect(error.message).toBe(
      '[idaas-webhook-kit] Invalid option "shouldContinue": expected a function, got true.',
    )
  })
})

describe('checkDeliverOptions', () => {
  it('throws what deliver would throw, without sending', () => {
    const fetch = scriptedFetch([204])
    expect(() =>
      checkDeliverOptions(userCreated(), { url: 'ftp://x', token: TOKEN }, { fetch }),
    ).toThrow('"target.url" must be an http: or https: URL, got "ftp:"')
    expect(() => checkDeliverOptions(userCreated(), target, { fetch })).not.toThrow()
    expect(fetch.received).toHaveLength(0)
  })
})
