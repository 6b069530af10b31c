import { describe, expect, it } from 'vitest'
import { createIdaasNodeHandler } from '../../src/index.js'
import { createEvent, ENTRUST_EXAMPLES } from '../../src/testing.js'
import '../../src/vitest/setup.js'
import { idaasMatchers } from '../../src/vitest/index.js'
import { listen } from '../support/listen.js'
import {
  goodReceiver,
  handRolled,
  rejectingType,
  reserializing,
  slowOn,
  TOKEN,
} from '../verify/support.js'

const userCreated = createEvent('user.created', undefined, { seed: 3 })

describe('toAcceptIdaasEvent', () => {
  it('passes when the handler answers 2xx, and .not fails with the timeline', async () => {
    await expect(goodReceiver()).toAcceptIdaasEvent(userCreated, { token: TOKEN })
    await expect(
      expect(goodReceiver()).not.toAcceptIdaasEvent(userCreated, { token: TOKEN }),
    ).rejects.toThrow(
      `expected the handler not to accept "user.created" (envelope id "${userCreated.id}"), but it did:\nDelivered "user.created" to POST https://receiver.idaas-webhook-kit.test/webhooks/idaas: 1 attempt, last status 204 No Content.`,
    )
  })

  it('fails with the attempts and the last response body, without the token', async () => {
    const error = await expect(rejectingType('user.created', 422))
      .toAcceptIdaasEvent(userCreated, {
        token: TOKEN,
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      )
    expect(error?.message).toMatch(
      /^expected the handler to accept "user\.created" \(envelope id "[0-9a-f-]+"\), but it did not:\nFailed to deliver "user\.created" to POST https:\/\/receiver\.idaas-webhook-kit\.test\/webhooks\/idaas: 1 attempt, last status 422 Unprocessable Entity\.\n {2}#1 at \+0 ms, [\d.]+ ms: http-4xx, status 422 Unprocessable Entity\nLast response body: \{"error":"unsupported event type"\}$/,
    )
    expect(error?.message).not.toContain(TOKEN)
    await expect(rejectingType('user.created')).not.toAcceptIdaasEvent(userCreated, {
      token: TOKEN,
    })
  })

  it('works against a URL too', async () => {
    const origin = await listen(createIdaasNodeHandler({ token: TOKEN, onEvent: () => {} }))
    const url = `${origin}/webhooks/idaas`
    await expect(url).toAcceptIdaasEvent(userCreated, { token: TOKEN })
    await expect({ url }).not.toAcceptIdaasEvent(userCreated, { token: 'whsec_wrong' })
  })

  it('refuses to run without a token or a receiver', async () => {
    await expect(
      // @ts-expect-error: the token is required
      expect(goodReceiver()).toAcceptIdaasEvent(userCreated, {}),
    ).rejects.toThrow(
      '[idaas-webhook-kit] toAcceptIdaasEvent: option "token" (the webhook token) is required.',
    )
    await expect(expect(42).toAcceptIdaasEvent(userCreated, { token: TOKEN })).rejects.toThrow(
      'toAcceptIdaasEvent: expect() must get a Fetch handler',
    )
  })

  it('refuses a bad URL, publicUrl or timeoutMs with a KitError naming it', async () => {
    await expect(
      expect('localhost:3000/hook').toAcceptIdaasEvent(userCreated, { token: TOKEN }),
    ).rejects.toThrow(
      '[idaas-webhook-kit] toAcceptIdaasEvent: the receiver URL must be an absolute http: or https: URL, got "localhost:3000/hook".',
    )
    await expect(
      expect(goodReceiver()).toAcceptIdaasEvent(userCreated, { token: TOKEN, publicUrl: '/hooks' }),
    ).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "publicUrl": expected an absolute http: or https: URL, got "/hooks".',
    )
    await expect(
      expect(goodReceiver()).toAcceptIdaasEvent(userCreated, { token: TOKEN, timeoutMs: -1 }),
    ).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "timeoutMs": expected milliseconds between 1 and 600000, got -1.',
    )
  })
})

describe('toRejectForgedDeliveries', () => {
  it('passes for the kit handler and fails for a verifier that ignores the label, with the evidence', async () => {
    await expect(goodReceiver()).toRejectForgedDeliveries({ token: TOKEN })
    const error = await expect(handRolled({ label: false }))
      .toRejectForgedDeliveries({ token: TOKEN })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      )
    expect(error?.message).toMatch(
      /^expected the handler to refuse every forged delivery, but:\n {2}✖ rejects-wrong-token +\d+ ms {2}1 of 5 deliveries with a wrong signature got a 2xx: "label-not-sig" \(204\)\. .*\n {6}✖ label-not-sig: 204, [\d.]+ ms$/,
    )
    await expect(handRolled({ label: false })).not.toRejectForgedDeliveries({ token: TOKEN })
  })

  it('can leave out the stale-signature check for a receiver without a replay window', async () => {
    const noWindow = goodReceiver({ maxAgeSeconds: false })
    await expect(noWindow).not.toRejectForgedDeliveries({ token: TOKEN })
    await expect(noWindow).toRejectForgedDeliveries({
      token: TOKEN,
      skip: ['rejects-stale-signature'],
    })
  })

  it('names option "skip" when it leaves no check or holds an unknown one', async () => {
    await expect(
      expect(goodReceiver()).toRejectForgedDeliveries({
        token: TOKEN,
        skip: [
          'rejects-missing-signature',
          'rejects-wrong-token',
          'rejects-tampered-body',
          'rejects-stale-signature',
        ],
      }),
    ).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "skip": it leaves out every forged check, so none would run.',
    )
    await expect(
      expect(goodReceiver()).toRejectForgedDeliveries({
        token: TOKEN,
        skip: ['rejects-stale-signatur' as never],
      }),
    ).rejects.toThrow(
      '[idaas-webhook-kit] Invalid option "skip": unknown forged check "rejects-stale-signatur". Did you mean "rejects-stale-signature"?',
    )
  })
})

describe('toRespondWithin', () => {
  it('passes for a fast handler and fails for a slow one, listing the slow delivery', async () => {
    await expect(goodReceiver()).toRespondWithin(500, { token: TOKEN })
    const slow = slowOn('authentication.failed', 80)
    const error = await expect(slow)
      .toRespondWithin(50, { token: TOKEN })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      )
    expect(error?.message).toMatch(
      /^expected the handler to answer every delivery with a 2xx within 50 ms \(p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms over 5 deliveries\), but:\n {2}"authentication\.failed": [\d.]+ ms, 204$/,
    )
    await expect(slow).not.toRespondWithin(50, { token: TOKEN })
  })

  it('times one given event', async () => {
    await expect(goodReceiver()).toRespondWithin(500, { token: TOKEN, event: userCreated })
  })

  it('refuses a samples option that is not a whole number of at least 1', async () => {
    for (const samples of [0, -1, 1.5]) {
      await expect(
        expect(goodReceiver()).toRespondWithin(500, { token: TOKEN, samples }),
      ).rejects.toThrow(
        `[idaas-webhook-kit] Invalid option "samples": expected a whole number from 1 to 1000, got ${samples}.`,
      )
    }
  })

  it('refuses an ms argument that is not a positive number of milliseconds, naming it', async () => {
    await expect(expect(goodReceiver()).toRespondWithin(0, { token: TOKEN })).rejects.toThrow(
      '[idaas-webhook-kit] Invalid argument "ms": expected milliseconds above 0 and at most 600000, got 0.',
    )
  })
})

describe('toBeValidIdaasEvent', () => {
  it('passes for a valid event and fails with the issues for an invalid one', () => {
    expect(ENTRUST_EXAMPLES['grid.created']).toBeValidIdaasEvent({ mode: 'strict' })
    const broken = structuredClone(ENTRUST_EXAMPLES['grid.created']) as unknown as {
      data: { entityAttributes: { serialNumber: unknown } }
    }
    broken.data.entityAttributes.serialNumber = '2'
    expect(() => expect(broken).toBeValidIdaasEvent()).toThrow(
      'expected the value to be a valid IDaaS event (tolerant mode), but:\n✖ must be number, got string "2"\n  → at /data/entityAttributes/serialNumber',
    )
    expect(broken).not.toBeValidIdaasEvent()
  })

  it('tells tolerant from strict mode for unknown fields, and .not shows the notes', () => {
    const extra = { ...userCreated, webhookId: 'wh_1' }
    expect(extra).toBeValidIdaasEvent()
    expect(extra).not.toBeValidIdaasEvent({ mode: 'strict' })
    expect(() => expect(extra).not.toBeValidIdaasEvent()).toThrow(
      /^expected the value not to be a valid IDaaS event \(tolerant mode\), but it is a valid "user\.created" event\.\nNotes:\n/,
    )
  })
})

describe('toPassIdaasContract', () => {
  it('passes for the kit handler and fails for a re-serializing one with the failing check', async () => {
    await expect(goodReceiver()).toPassIdaasContract({ token: TOKEN, burst: 10 })
    const error = await expect(reserializing())
      .toPassIdaasContract({ token: TOKEN, burst: 10 })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      )
    expect(error?.message).toMatch(
      /^expected the handler to pass the IDaaS contract, but:\n {2}✖ verifies-raw-body +\d+ ms {2}9 of 9 byte-tricky bodies did not get a 2xx/,
    )
    expect(error?.message).toContain('      ✖ escaped-unicode: 401, ')
    await expect(reserializing()).not.toPassIdaasContract({ token: TOKEN, burst: 10 })
  })
})

describe('runner neutrality (jest calls the same functions)', () => {
  it('uses only this.isNot and returns { pass, message }', async () => {
    const result = await idaasMatchers.toAcceptIdaasEvent.call({}, goodReceiver(), userCreated, {
      token: TOKEN,
    })
    expect(result.pass).toBe(true)
    expect(typeof result.message()).toBe('string')
    const sync = idaasMatchers.toBeValidIdaasEvent.call({ isNot: true }, { nope: 1 })
    expect(sync.pass).toBe(false)
    expect(Object.keys(idaasMatchers)).toEqual([
      'toAcceptIdaasEvent',
      'toRejectForgedDeliveries',
      'toRespondWithin',
      'toBeValidIdaasEvent',
      'toPassIdaasContract',
    ])
  })
})
