import { KitError } from './errors.js'

/** The msw versions the kit supports (its optional peer dependency, package.json). */
export const MSW_PEER_RANGE = '^2.15.0'
/** The vitest versions the kit supports (its optional peer dependency, package.json). */
export const VITEST_PEER_RANGE = '~4.1.12'

/**
 * Imports an optional peer dependency for `entry`, or throws a `KitError` that says how to
 * install it (the hint Prism's loader gives too). Other load errors are thrown as they are.
 * @internal
 */
export async function importPeer<T>(name: string, range: string, entry: string): Promise<T> {
  try {
    return (await import(name)) as T
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      typeof message === 'string' &&
      message.includes(`'${name}'`)
    if (!missing) throw error
    throw new KitError(
      `Failed to load "${entry}": "${name}" is not installed. It is an optional peer dependency of idaas-webhook-kit: run "npm install --save-dev ${name}@${range}".`,
      { cause: error },
    )
  }
}
