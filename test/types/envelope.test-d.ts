import { describe, expectTypeOf, it } from 'vitest'
import type {
  GridCreatedEvent,
  IdaasEnvelope,
  IdaasEvent,
  IdaasEventMap,
  UserCreatedEvent,
} from '../../src/types.js'

describe('IdaasEnvelope', () => {
  it('accepts every known event: the union and each event interface', () => {
    expectTypeOf<UserCreatedEvent>().toExtend<IdaasEnvelope>()
    expectTypeOf<GridCreatedEvent>().toExtend<IdaasEnvelope>()
    expectTypeOf<IdaasEvent>().toExtend<IdaasEnvelope>()
    expectTypeOf<IdaasEventMap[keyof IdaasEventMap]>().toExtend<IdaasEnvelope>()
    const log = (envelope: IdaasEnvelope): string => `${envelope.type} ${envelope.id}`
    log({} as UserCreatedEvent)
  })

  it('still types the five documented keys and refuses a value without them', () => {
    expectTypeOf<IdaasEnvelope['type']>().toEqualTypeOf<string>()
    expectTypeOf<IdaasEnvelope['eventTime']>().toEqualTypeOf<string>()
    expectTypeOf<{ type: string; data: object }>().not.toExtend<IdaasEnvelope>()
    // @ts-expect-error: data must be an object
    const noData: IdaasEnvelope = { id: 'a', type: 't', accountId: 'c', eventTime: 'e', data: 1 }
    void noData
  })
})
