import { describe, expectTypeOf, it } from 'vitest'
import { validateEvent } from '../../src/index.js'
import type {
  AuthenticationFailedEvent,
  CredentialPrintEvent,
  GridCreatedEvent,
  IdaasEnvelope,
  IdaasEvent,
  IdaasEventMap,
  IdaasEventType,
  UserCreatedEvent,
  WebhookTestEvent,
} from '../../src/types.js'

describe('event types', () => {
  it('narrowing on type gives the interface of that event', () => {
    const event = {} as IdaasEvent
    if (event.type === 'grid.created') {
      expectTypeOf(event).toEqualTypeOf<GridCreatedEvent>()
      expectTypeOf(event.data.entityAttributes?.serialNumber).toEqualTypeOf<number | undefined>()
    }
    if (event.type === 'user.created') {
      expectTypeOf(event).toEqualTypeOf<UserCreatedEvent>()
      expectTypeOf(event.data.subscriberAdminRoleName).toEqualTypeOf<string | undefined>()
    }
    if (event.type === 'password.updated') {
      expectTypeOf(event.data.entityType).toEqualTypeOf<'USERPASSWORDS' | undefined>()
    }
  })

  it('IdaasEventMap maps each type to its interface', () => {
    expectTypeOf<IdaasEventMap['grid.created']>().toEqualTypeOf<GridCreatedEvent>()
    expectTypeOf<keyof IdaasEventMap>().toEqualTypeOf<IdaasEventType>()
    expectTypeOf<IdaasEventMap[IdaasEventType]>().toEqualTypeOf<IdaasEvent>()
  })

  it('the envelope fields are required and the data fields optional, as tolerant mode accepts', () => {
    expectTypeOf<GridCreatedEvent['eventTime']>().toEqualTypeOf<string>()
    expectTypeOf<GridCreatedEvent['data']>().not.toEqualTypeOf<undefined>()
    expectTypeOf<UserCreatedEvent['data']['subject']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<AuthenticationFailedEvent['data']['subject']>().toEqualTypeOf<string | undefined>()
  })

  it('a type without a published payload keeps its data open; credential.print leaves it untyped', () => {
    expectTypeOf<AuthenticationFailedEvent['data']>().toHaveProperty('anyFieldName')
    expectTypeOf<GridCreatedEvent['data']>().not.toHaveProperty('anyFieldName')
    expectTypeOf<CredentialPrintEvent['data']['entityId']>().toEqualTypeOf<unknown>()
    expectTypeOf<WebhookTestEvent['type']>().toEqualTypeOf<'webhook.test'>()
  })

  it('rejects an unknown event type', () => {
    // @ts-expect-error "user.create" is not an IDaaS event type
    const type: IdaasEventType = 'user.create'
    void type
  })

  it('validateEvent results narrow on ok and known', () => {
    const result = validateEvent({})
    if (result.ok && result.known) expectTypeOf(result.event).toEqualTypeOf<IdaasEvent>()
    if (result.ok && !result.known) expectTypeOf(result.event).toEqualTypeOf<IdaasEnvelope>()
    if (!result.ok) expectTypeOf(result.event).toEqualTypeOf<undefined>()
    const strict = validateEvent({}, { mode: 'strict' })
    if (strict.ok) expectTypeOf(strict.event).toEqualTypeOf<IdaasEvent>()
  })
})
