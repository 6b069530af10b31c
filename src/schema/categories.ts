import type { IdaasEnvelope, IdaasEvent, UserCreatedEvent } from '../../generated/types.js'

/**
 * The kit's four product categories of events. An event can be in several (an administrator's
 * `user.created` is `user-lifecycle` and `administrative`) or in none (the issuance
 * `credential.*` events, unless an administrator role is present).
 */
export type ProductCategory =
  | 'authentication'
  | 'user-lifecycle'
  | 'administrative'
  | 'authenticator'

/** Every {@link ProductCategory}, in the order {@link productCategoriesOf} reports them. */
export const PRODUCT_CATEGORIES = [
  'authentication',
  'user-lifecycle',
  'administrative',
  'authenticator',
] as const satisfies readonly ProductCategory[]

// Type prefixes of authenticator events: password, KBA, grid card, passkey, magic link, face
// biometric, soft token and hardware token. Prefixes rather than a fixed list, so that a future
// type such as "passkey.renamed" (accepted in tolerant mode, A15) is classified too.
const AUTHENTICATOR_PREFIXES = [
  'password.',
  'kba.',
  'grid.',
  'passkey.',
  'magiclink.',
  'face.',
  'token.',
  'hardware.token.',
] as const
type AuthenticatorPrefix = (typeof AUTHENTICATOR_PREFIXES)[number]

/** `authentication.succeeded` and `authentication.failed`. */
export type AuthenticationEvent = Extract<IdaasEvent, { type: `authentication.${string}` }>

/** Account lifecycle: `user.created`, `user.updated`, `user.deleted`, `user.registration.completed`. */
export type UserLifecycleEvent = Extract<IdaasEvent, { type: `user.${string}` }>

/** Changes to a user's authenticators: password, KBA, grid, passkey, magic link, face and tokens. */
export type AuthenticatorChangeEvent = Extract<
  IdaasEvent,
  { type: `${AuthenticatorPrefix}${string}` }
>

/** The `data` fields that mark an administrator's action. */
export interface AdministratorRoleData {
  data: { subscriberAdminRoleName: string }
}

/**
 * An event an administrator caused: any event whose `data.subscriberAdminRoleName` is present,
 * and every `user.created` ("Triggered when an administrator creates a new user account").
 */
export type AdministrativeActionEvent = UserCreatedEvent | (IdaasEvent & AdministratorRoleData)

/** What the category functions accept: a known event, or a tolerant-mode envelope of any type. */
export type CategorizableEvent = IdaasEvent | IdaasEnvelope

/**
 * True for authentication events (`authentication.*`); narrows to {@link AuthenticationEvent}.
 * @example
 * if (isAuthenticationEvent(event)) audit.signIn(event.data.subjectName, event.data.token)
 */
export function isAuthenticationEvent<E extends IdaasEvent>(
  event: E,
): event is Extract<E, AuthenticationEvent> {
  return hasTypePrefix(event, 'authentication.')
}

/**
 * True for user lifecycle events (`user.*`); narrows to {@link UserLifecycleEvent}.
 * @example
 * if (isUserLifecycleEvent(event)) directory.sync(event.data.entityId)
 */
export function isUserLifecycleEvent<E extends IdaasEvent>(
  event: E,
): event is Extract<E, UserLifecycleEvent> {
  return hasTypePrefix(event, 'user.')
}

/**
 * True for authenticator changes (password, `kba.*`, `grid.*`, `passkey.*`, `magiclink.*`,
 * `face.*`, `token.*`, `hardware.token.*`); narrows to {@link AuthenticatorChangeEvent}.
 * Issuance `credential.*` events are not authenticators (they are ID credentials) and are false.
 * @example
 * if (isAuthenticatorChange(event)) notifyUser(event.data.subject, event.type)
 */
export function isAuthenticatorChange<E extends IdaasEvent>(
  event: E,
): event is Extract<E, AuthenticatorChangeEvent> {
  return AUTHENTICATOR_PREFIXES.some((prefix) => hasTypePrefix(event, prefix))
}

/**
 * True when an administrator caused the event: `data.subscriberAdminRoleName` is a string, or the
 * type is `user.created`. Narrows so that `data.subscriberAdminRoleName` is a `string` (except on
 * a `user.created` without it). A runtime fact about `data`, not about `type`.
 * @example
 * if (isAdministrativeAction(event)) adminLog.add(event.data.subscriberAdminRoleName ?? 'administrator')
 */
export function isAdministrativeAction<E extends IdaasEvent>(
  event: E,
): event is Extract<E, UserCreatedEvent> | (E & AdministratorRoleData) {
  return isAdministrative(event)
}

/**
 * The product categories of an event, in {@link PRODUCT_CATEGORIES} order; `[]` when none apply.
 * Works on tolerant-mode envelopes of unknown types too, by their `type` prefix.
 *
 * Issuance `credential.*` events (Instant ID as a Service: physical and mobile ID credentials)
 * fall in none of the four by type: they are neither sign-ins, nor account lifecycle, nor
 * authenticators. They are `administrative` only when `data.subscriberAdminRoleName` is present.
 * @example
 * productCategoriesOf(createEvent('user.created')) // ['user-lifecycle', 'administrative']
 */
export function productCategoriesOf(event: CategorizableEvent): ProductCategory[] {
  const categories: ProductCategory[] = []
  if (hasTypePrefix(event, 'authentication.')) categories.push('authentication')
  if (hasTypePrefix(event, 'user.')) categories.push('user-lifecycle')
  if (isAdministrative(event)) categories.push('administrative')
  if (AUTHENTICATOR_PREFIXES.some((prefix) => hasTypePrefix(event, prefix))) {
    categories.push('authenticator')
  }
  return categories
}

function hasTypePrefix(event: CategorizableEvent, prefix: string): boolean {
  return typeof event.type === 'string' && event.type.startsWith(prefix)
}

function isAdministrative(event: CategorizableEvent): boolean {
  if (event.type === 'user.created') return true
  const data: unknown = event.data
  return (
    data !== null &&
    typeof data === 'object' &&
    typeof (data as { subscriberAdminRoleName?: unknown }).subscriberAdminRoleName === 'string'
  )
}
