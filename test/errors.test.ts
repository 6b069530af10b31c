import { readFileSync } from 'node:fs'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import * as builtRoot from '../dist/src/index.js'
import * as builtTesting from '../dist/src/testing.js'

/** The built package, both entries: another copy of the kit. */
const built = { ...builtRoot, ...builtTesting }

import { CliUsageError, isCliUsageError } from '../src/cli/index.js'
import type { DeliveryReport } from '../src/index.js'
import {
  formatMessage,
  isKitError,
  isSchemaValidationError,
  KitError,
  SchemaValidationError,
} from '../src/index.js'
import {
  createEvent,
  createIdaasTenant,
  DeliveryError,
  InvalidOverrideError,
  isDeliveryError,
  isInvalidOverrideError,
  isTenantApiError,
  TenantApiError,
} from '../src/testing.js'

class OptionError extends KitError {
  override name = 'OptionError'
}

const report: DeliveryReport = {
  result: 'failed',
  ok: false,
  eventId: 'e',
  eventType: 'user.created',
  url: 'https://app.test/hooks',
  policy: 'idaas',
  attempts: [],
  startedAt: 0,
  endedAt: 0,
}

/** One instance of every public error class, made by the given copy of the kit. */
function samples(kit: typeof built) {
  return {
    KitError: new kit.KitError('x'),
    SchemaValidationError: new kit.SchemaValidationError([], 'user.created'),
    InvalidOverrideError: new kit.InvalidOverrideError('user.created', []),
    DeliveryError: new kit.DeliveryError(report),
    TenantApiError: new kit.TenantApiError('list webhooks', 404, {
      errorCode: 'not_found',
      errorMessage: 'x',
      parameters: [],
    }),
  }
}

const guards = {
  KitError: isKitError,
  SchemaValidationError: isSchemaValidationError,
  InvalidOverrideError: isInvalidOverrideError,
  DeliveryError: isDeliveryError,
  TenantApiError: isTenantApiError,
}

/**
 * The kit's errors module evaluated in a fresh `vm` realm (its own `Error`, `Object`, prototypes):
 * the module has no imports, so its built code runs there as a script once `export` is dropped.
 */
function foreignRealm() {
  const source = readFileSync(new URL('../dist/src/errors.js', import.meta.url), 'utf8')
  const script = `${source.replace(/^export /gm, '')}
    class DeliveryError extends Error { name = 'DeliveryError' }
    createGuard('DeliveryError', DeliveryError);
    class CliUsageError extends KitError { name = 'CliUsageError' }
    createGuard('CliUsageError', CliUsageError);
    ({ KitError, DeliveryError, CliUsageError, isKitError, plain: new Error('x') })`
  return runInNewContext(script) as {
    KitError: new (text: string) => Error
    DeliveryError: new () => Error
    CliUsageError: new (text: string) => Error
    isKitError: (error: unknown) => boolean
    plain: Error
  }
}

describe('KitError', () => {
  it('prefixes its message with the kit name', () => {
    expect(new KitError('Invalid option "seed".').message).toBe(
      '[idaas-webhook-kit] Invalid option "seed".',
    )
    expect(formatMessage('x')).toBe('[idaas-webhook-kit] x')
  })

  it('isKitError recognises subclasses whatever their name', () => {
    expect(isKitError(new OptionError('x'))).toBe(true)
    expect(isKitError(new InvalidOverrideError('user.created', []))).toBe(true)
    expect(isKitError(new CliUsageError('x'))).toBe(true)
    expect(isKitError(new Error('x'))).toBe(false)
    expect(isKitError('KitError')).toBe(false)
    expect(isKitError(null)).toBe(false)
  })
})

describe('error guards', () => {
  it('each guard is true for its own class and subclasses and false for every other class', () => {
    const local = samples({
      KitError,
      SchemaValidationError,
      InvalidOverrideError,
      DeliveryError,
      TenantApiError,
    } as unknown as typeof built)
    for (const [guardName, guard] of Object.entries(guards)) {
      for (const [className, error] of Object.entries(local)) {
        const expected =
          className === guardName ||
          (guardName === 'KitError' && className === 'InvalidOverrideError')
        expect({ guardName, className, is: guard(error) }).toEqual({
          guardName,
          className,
          is: expected,
        })
      }
    }
  })

  it('recognise the errors the kit really throws', async () => {
    expect(() => createEvent('user.created', { id: 42 } as never)).toThrow()
    try {
      createEvent('user.created', { id: 42 } as never)
    } catch (error) {
      expect(isInvalidOverrideError(error)).toBe(true)
    }
    const tenant = createIdaasTenant()
    const failure = await (async () => tenant.webhooks.get('no-such-webhook'))().catch(
      (error: unknown) => error,
    )
    expect(isTenantApiError(failure)).toBe(true)
    expect(isKitError(failure)).toBe(false)
  })

  it('recognise errors made by another copy of the kit (the built package), where instanceof fails', () => {
    const copy = samples(built)
    expect(copy.DeliveryError).not.toBeInstanceOf(DeliveryError)
    for (const [name, guard] of Object.entries(guards)) {
      expect({ name, is: guard(copy[name as keyof typeof copy]) }).toEqual({ name, is: true })
    }
    // and the other way round
    expect(builtTesting.isDeliveryError(new DeliveryError(report))).toBe(true)
    expect(builtRoot.isKitError(new DeliveryError(report))).toBe(false)
  })

  it('recognise errors from another realm (a vm context), both ways', () => {
    const realm = foreignRealm()
    const foreignKit = new realm.KitError('x')
    expect(foreignKit).not.toBeInstanceOf(Error)
    expect(isKitError(foreignKit)).toBe(true)
    expect(isDeliveryError(new realm.DeliveryError())).toBe(true)
    expect(isKitError(new realm.DeliveryError())).toBe(false)
    expect(isCliUsageError(new realm.CliUsageError('x'))).toBe(true)
    expect(isKitError(new realm.CliUsageError('x'))).toBe(true)
    expect(realm.isKitError(new OptionError('x'))).toBe(true)
    expect(realm.isKitError(new Error('x'))).toBe(false)
    expect(isKitError(realm.plain)).toBe(false)
  })

  it('do not trust a name: an Error merely called "DeliveryError" or "KitError" is neither', () => {
    for (const name of Object.keys(guards)) {
      const impostor = Object.assign(new Error('x'), { name, issues: [] })
      expect({ name, is: guards[name as keyof typeof guards](impostor) }).toEqual({
        name,
        is: false,
      })
    }
    expect(isCliUsageError(Object.assign(new Error('x'), { name: 'CliUsageError' }))).toBe(false)
  })
})
