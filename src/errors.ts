/** Prefix of every message the kit prints or throws. */
export const MESSAGE_PREFIX = '[idaas-webhook-kit]'

/**
 * Formats a kit message: the prefix, then the text. User values belong in double quotes.
 * @example formatMessage('Unknown event type "user.create".') // '[idaas-webhook-kit] Unknown event type "user.create".'
 */
export function formatMessage(text: string): string {
  return `${MESSAGE_PREFIX} ${text}`
}

/** The registry symbol that brands the error class `name`, e.g. `Symbol.for('idaas-webhook-kit.KitError')`. */
export function errorBrand(name: string): symbol {
  return Symbol.for(`idaas-webhook-kit.${name}`)
}

/**
 * Brands `errorClass` (and so its subclasses) as the kit's error class `name` and returns its
 * type guard. The brand is a registry symbol (`Symbol.for`) on the class's prototype, so the guard
 * also recognises errors from another realm (a `vm` context, an iframe) or another copy of the
 * kit, where `instanceof` fails; it never relies on `error.name`, which anything can carry.
 * @example export const isDeliveryError = createGuard('DeliveryError', DeliveryError)
 */
export function createGuard<T extends object>(
  name: string,
  errorClass: abstract new (...args: never[]) => T,
): (error: unknown) => error is T {
  const brand = errorBrand(name)
  Object.defineProperty(errorClass.prototype, brand, { value: true })
  return (error: unknown): error is T =>
    error instanceof errorClass ||
    (error !== null &&
      typeof error === 'object' &&
      (error as Record<symbol, unknown>)[brand] === true)
}

/** Base class of the problems the kit detects in its own inputs or lifecycle (bad options, bad arguments). */
export class KitError extends Error {
  override name = 'KitError'
  constructor(text: string, options?: ErrorOptions) {
    super(formatMessage(text), options)
  }
}

/** True for a `KitError` or any subclass, also across realms and copies of the kit. */
export const isKitError = createGuard('KitError', KitError)
