/** Prefix of every message the kit prints or throws. */
export const MESSAGE_PREFIX = '[idaas-webhook-kit]'

/**
 * Formats a kit message: the prefix, then the text. User values belong in double quotes.
 * @example formatMessage('Unknown event type "user.create".') // '[idaas-webhook-kit] Unknown event type "user.create".'
 */
export function formatMessage(text: string): string {
  return `${MESSAGE_PREFIX} ${text}`
}

// A registry symbol, so the guard also recognises errors from another copy of the kit or another
// realm, where `instanceof` fails.
const KIT_ERROR = Symbol.for('idaas-webhook-kit.KitError')

/** Base class of the problems the kit detects in its own inputs or lifecycle (bad options, bad arguments). */
export class KitError extends Error {
  override name = 'KitError'
  readonly [KIT_ERROR] = true
  constructor(text: string, options?: ErrorOptions) {
    super(formatMessage(text), options)
  }
}

/** True for a `KitError` or any subclass, also across realms and copies of the kit. */
export function isKitError(error: unknown): error is KitError {
  return (
    error instanceof KitError ||
    (error instanceof Error && (error as unknown as Record<symbol, unknown>)[KIT_ERROR] === true)
  )
}
