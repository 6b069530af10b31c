import { describe, expect, expectTypeOf, it } from 'vitest'
import type { FetchReceiver } from '../../src/index.js'
import { createEvent } from '../../src/testing.js'
import '../../src/vitest/index.js'

declare const handler: FetchReceiver

describe('the vitest matcher types', () => {
  it('adds the IDaaS matchers to expect()', () => {
    const event = createEvent('user.created')
    expectTypeOf(expect(handler).toAcceptIdaasEvent(event, { token: 't' })).toExtend<
      Promise<unknown>
    >()
    expectTypeOf(expect(handler).not.toPassIdaasContract).toBeFunction()
    expectTypeOf(expect({}).toBeValidIdaasEvent)
      .parameter(0)
      .toEqualTypeOf<{ mode?: 'tolerant' | 'strict' } | undefined>()
    // @ts-expect-error: options with the token are required
    expect(handler).toRejectForgedDeliveries()
    // @ts-expect-error: not a check id of toRejectForgedDeliveries
    expect(handler).toRejectForgedDeliveries({ token: 't', skip: ['handles-burst'] })
    // @ts-expect-error: milliseconds first
    expect(handler).toRespondWithin({ token: 't' })
  })
})
