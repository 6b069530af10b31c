import { describe, expectTypeOf, it } from 'vitest'
import {
  isAdministrativeAction,
  isAuthenticationEvent,
  isAuthenticatorChange,
  isUserLifecycleEvent,
  productCategoriesOf,
} from '../../src/index.js'
import { createEvent } from '../../src/testing.js'
import type {
  AuthenticationFailedEvent,
  AuthenticationSucceededEvent,
  AuthenticatorChangeEvent,
  CreateEventOptions,
  CredentialPrintEvent,
  EventOverrides,
  GridCreatedEvent,
  IdaasEnvelope,
  IdaasEvent,
  IdaasEventMap,
  IdaasEventType,
  ProductCategory,
  UserCreatedEvent,
  UserDeletedEvent,
  UserLifecycleEvent,
  UserRegistrationCompletedEvent,
  UserUpdatedEvent,
} from '../../src/types.js'

describe('createEvent types', () => {
  it('returns the interface of the requested type', () => {
    expectTypeOf(createEvent('grid.created')).toEqualTypeOf<GridCreatedEvent>()
    expectTypeOf(createEvent('user.created', {}, { seed: 3 })).toEqualTypeOf<UserCreatedEvent>()
    expectTypeOf(createEvent('credential.print')).toEqualTypeOf<CredentialPrintEvent>()
    expectTypeOf(createEvent({} as IdaasEventType)).toEqualTypeOf<IdaasEventMap[IdaasEventType]>()
  })

  it('types overrides as a deep partial of that event', () => {
    createEvent('grid.created', { data: { entityAttributes: { serialNumber: 3 } } })
    createEvent('grid.created', { eventTime: '2026-03-16T17:53:36Z', data: { entityName: '3' } })
    // @ts-expect-error serialNumber is a number, not a string
    createEvent('grid.created', { data: { entityAttributes: { serialNumber: '3' } } })
    // @ts-expect-error "region" is not a field of grid.created data
    createEvent('grid.created', { data: { region: 'eu' } })
    // @ts-expect-error the type of a grid.created event cannot become another type
    createEvent('grid.created', { type: 'grid.email.sent' })
    // @ts-expect-error password.updated's entityType is always "USERPASSWORDS"
    createEvent('password.updated', { data: { entityType: 'USERS' } })
    expectTypeOf<EventOverrides<'grid.created'>>().toHaveProperty('data')
  })

  it('accepts undefined for optional fields only', () => {
    createEvent('user.created', { data: { subscriberAdminRoleName: undefined } })
    createEvent('user.created', { data: { entityAttributes: undefined } })
    // Every data field is optional in the types (tolerant mode requires none); removing subject
    // compiles, and the factory's strict check rejects it at run time (test/schema/factories).
    expectTypeOf(createEvent<'user.created'>).toBeCallableWith('user.created', {
      data: { subject: undefined },
    })
    // @ts-expect-error the envelope id is required
    createEvent('user.created', { id: undefined })
  })

  it('rejects unknown types and mistyped options', () => {
    // @ts-expect-error "user.create" is not an event type
    expectTypeOf(createEvent).toBeCallableWith('user.create')
    expectTypeOf<CreateEventOptions['seed']>().toEqualTypeOf<number | undefined>()
    // @ts-expect-error the seed is a number
    createEvent('user.created', {}, { seed: '1' })
    createEvent('user.created', {}, { eventTime: new Date(0), accountId: 'a' })
    createEvent('user.created', {}, { now: '2026-03-16T17:53:36Z' })
  })
})

describe('category guard types', () => {
  it('narrows to the events of a category', () => {
    const event = {} as IdaasEvent
    if (isAuthenticationEvent(event)) {
      expectTypeOf(event).toEqualTypeOf<AuthenticationSucceededEvent | AuthenticationFailedEvent>()
    }
    if (isUserLifecycleEvent(event)) {
      expectTypeOf(event).toEqualTypeOf<
        UserCreatedEvent | UserUpdatedEvent | UserDeletedEvent | UserRegistrationCompletedEvent
      >()
      expectTypeOf(event).toEqualTypeOf<UserLifecycleEvent>()
    }
    if (isAuthenticatorChange(event)) {
      expectTypeOf(event).toEqualTypeOf<AuthenticatorChangeEvent>()
      expectTypeOf<Extract<typeof event, CredentialPrintEvent>>().toBeNever()
      expectTypeOf<Extract<typeof event, { type: 'hardware.token.assigned' }>>().not.toBeNever()
    } else {
      expectTypeOf<
        Extract<typeof event, CredentialPrintEvent>
      >().toEqualTypeOf<CredentialPrintEvent>()
    }
  })

  it('narrows an administrative action so that the admin role is a string', () => {
    const grid = {} as GridCreatedEvent
    expectTypeOf(grid.data.subscriberAdminRoleName).toEqualTypeOf<string | undefined>()
    if (isAdministrativeAction(grid)) {
      expectTypeOf(grid.data.subscriberAdminRoleName).toEqualTypeOf<string>()
    }
    const created = {} as UserCreatedEvent
    if (isAdministrativeAction(created)) {
      // user.created is administrative by type, with or without the role: not narrowed to string
      expectTypeOf(created.data.subscriberAdminRoleName).toEqualTypeOf<string | undefined>()
    }
  })

  it('types productCategoriesOf for events and tolerant envelopes', () => {
    expectTypeOf(productCategoriesOf(createEvent('grid.created'))).toEqualTypeOf<
      ProductCategory[]
    >()
    expectTypeOf(productCategoriesOf).toBeCallableWith({} as IdaasEnvelope)
    expectTypeOf<ProductCategory>().toEqualTypeOf<
      'authentication' | 'user-lifecycle' | 'administrative' | 'authenticator'
    >()
  })
})
