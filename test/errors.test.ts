import { describe, expect, it } from 'vitest'
import { formatMessage, isKitError, KitError } from '../src/index.js'

class OptionError extends KitError {
  override name = 'OptionError'
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
    expect(isKitError(new Error('x'))).toBe(false)
    expect(isKitError('KitError')).toBe(false)
  })

  it('isKitError recognises a KitError from another copy of the kit by its registry brand', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('idaas-webhook-kit.KitError')]: true,
    })
    expect(isKitError(foreign)).toBe(true)
  })
})
