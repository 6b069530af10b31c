import { describe, expect, it } from 'vitest'
import { ENTRUST_EXAMPLES } from '../../generated/entrust-examples.js'
import { IDAAS_EVENT_TYPES } from '../../generated/event-catalogue.js'
import type { IdaasEnvelope, IdaasEvent, IdaasEventType } from '../../generated/types.js'
import {
  isAdministrativeAction,
  isAuthenticationEvent,
  isAuthenticatorChange,
  isUserLifecycleEvent,
  PRODUCT_CATEGORIES,
  type ProductCategory,
  productCategoriesOf,
} from '../../src/schema/categories.js'
import { createEvent } from '../../src/schema/factories.js'
import { validateEvent } from '../../src/schema/validate.js'

/** The categories of each type when no administrator role is in `data`. */
const BY_TYPE: Record<IdaasEventType, ProductCategory[]> = {
  'authentication.succeeded': ['authentication'],
  'authentication.failed': ['authentication'],
  'user.created': ['user-lifecycle', 'administrative'],
  'user.updated': ['user-lifecycle'],
  'user.deleted': ['user-lifecycle'],
  'user.registration.completed': ['user-lifecycle'],
  'password.updated': ['authenticator'],
  'kba.question.created': ['authenticator'],
  'grid.created': ['authenticator'],
  'grid.email.sent': ['authenticator'],
  'grid.password.email.sent': ['authenticator'],
  'passkey.created': ['authenticator'],
  'passkey.updated': ['authenticator'],
  'passkey.deleted': ['authenticator'],
  'magiclink.email.sent': ['authenticator'],
  'face.biometric.created': ['authenticator'],
  'token.created': ['authenticator'],
  'token.activated': ['authenticator'],
  'token.activated.online': ['authenticator'],
  'token.seed.rotated': ['authenticator'],
  'hardware.token.assigned': ['authenticator'],
  'credential.create': [],
  'credential.update': [],
  'credential.delete': [],
  'credential.print': [],
  'webhook.test': [],
}

const TYPES = IDAAS_EVENT_TYPES.map((info) => info.type)

function withoutAdmin(type: IdaasEventType): IdaasEvent {
  return createEvent(type, { data: { subscriberAdminRoleName: undefined } }, { seed: 4 })
}

function withAdmin(type: IdaasEventType): IdaasEvent {
  return createEvent(
    type,
    { data: { subscriberAdminRoleName: 'Super Administrator' } },
    { seed: 4 },
  )
}

function inOrder(categories: ProductCategory[]): ProductCategory[] {
  return PRODUCT_CATEGORIES.filter((category) => categories.includes(category))
}

describe('productCategoriesOf', () => {
  it('covers all 25 types in the expectation table', () => {
    expect(Object.keys(BY_TYPE).sort()).toEqual([...TYPES].sort())
  })

  it.each(TYPES)('puts %s without an administrator role in its type’s categories', (type) => {
    expect(productCategoriesOf(withoutAdmin(type))).toEqual(BY_TYPE[type])
  })

  it.each(TYPES)('adds "administrative" to %s when an administrator role is present', (type) => {
    expect(productCategoriesOf(withAdmin(type))).toEqual(
      inOrder([...BY_TYPE[type], 'administrative']),
    )
  })

  it.each([
    ['authentication.succeeded', ['authentication']],
    ['user.created', ['user-lifecycle', 'administrative']],
    ['password.updated', ['authenticator']],
    ['kba.question.created', ['authenticator']],
    ['grid.created', ['authenticator']],
    ['passkey.created', ['authenticator']],
    ['magiclink.email.sent', ['administrative', 'authenticator']],
    ['face.biometric.created', ['administrative', 'authenticator']],
  ] as const)('puts Entrust’s %s example in %j', (type, expected) => {
    expect(productCategoriesOf(ENTRUST_EXAMPLES[type])).toEqual(expected)
  })

  it('agrees with the guards for every type and many factory events', () => {
    for (const type of TYPES) {
      for (let seed = 0; seed < 40; seed++) {
        const event = createEvent(type, undefined, { seed })
        const fromGuards = inOrder(
          [
            isAuthenticationEvent(event) && 'authentication',
            isUserLifecycleEvent(event) && 'user-lifecycle',
            isAdministrativeAction(event) && 'administrative',
            isAuthenticatorChange(event) && 'authenticator',
          ].filter((category): category is ProductCategory => category !== false),
        )
        expect(productCategoriesOf(event)).toEqual(fromGuards)
      }
    }
  })

  it('classifies a tolerant-mode envelope of an unknown type by its prefix', () => {
    const envelope = (type: string, data: Record<string, unknown> = {}): IdaasEnvelope => ({
      id: '019cf815-ac2f-747f-8160-4e8061cd8fe4',
      type,
      accountId: 'fba02d5c-2f79-4cfd-91f5-6bd454e97ab3',
      eventTime: '2026-03-16T19:18:15Z',
      data,
    })
    const renamed = validateEvent(envelope('passkey.renamed'))
    expect(renamed.ok && !renamed.known).toBe(true)
    if (!renamed.ok) throw new Error('expected a valid envelope')
    expect(productCategoriesOf(renamed.event)).toEqual(['authenticator'])
    expect(productCategoriesOf(envelope('hardware.token.revoked'))).toEqual(['authenticator'])
    expect(productCategoriesOf(envelope('webhook.test'))).toEqual([])
    expect(
      productCategoriesOf(
        envelope('user.create', { subscriberAdminRoleName: 'Super Administrator' }),
      ),
    ).toEqual(['user-lifecycle', 'administrative'])
  })

  it('does not count a non-string subscriberAdminRoleName as an administrator', () => {
    const envelope: IdaasEnvelope = {
      id: 'x',
      type: 'grid.created',
      accountId: 'y',
      eventTime: '2026-03-16T17:53:36Z',
      data: { subscriberAdminRoleName: null },
    }
    expect(productCategoriesOf(envelope)).toEqual(['authenticator'])
  })
})

describe('category guards', () => {
  it('treats user.created as administrative even without an administrator role', () => {
    expect(isAdministrativeAction(withoutAdmin('user.created'))).toBe(true)
    expect(isAdministrativeAction(withoutAdmin('user.updated'))).toBe(false)
  })

  it('treats an administrator’s grid card as administrative and the user’s own as not', () => {
    expect(isAdministrativeAction(withAdmin('grid.created'))).toBe(true)
    expect(isAdministrativeAction(withoutAdmin('grid.created'))).toBe(false)
  })

  it('keeps hardware tokens in authenticator changes and issuance credentials out', () => {
    expect(isAuthenticatorChange(withoutAdmin('hardware.token.assigned'))).toBe(true)
    for (const type of ['credential.create', 'credential.print'] as const) {
      const event = withoutAdmin(type)
      expect(isAuthenticatorChange(event)).toBe(false)
      expect(isAuthenticationEvent(event)).toBe(false)
      expect(isUserLifecycleEvent(event)).toBe(false)
    }
  })

  it('does not mistake user.* for authentication.* or the reverse', () => {
    expect(isAuthenticationEvent(withoutAdmin('user.registration.completed'))).toBe(false)
    expect(isUserLifecycleEvent(withoutAdmin('authentication.failed'))).toBe(false)
    expect(isAuthenticationEvent(withoutAdmin('authentication.failed'))).toBe(true)
  })
})
