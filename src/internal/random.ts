import { KitError } from '../errors.js'

/**
 * A seeded source of pseudo-random numbers. The delivery engine and the fake tenant take their
 * jitter, ids and tokens from one, never from `Math.random()`, so the same seed gives the same
 * timeline (A8).
 */
export interface RandomSource {
  /** The next number in [0, 1). */
  next(): number
  /** A new, independent source seeded from this one: draws from either do not shift the other. */
  fork(): RandomSource
}

/** The seed used when none is given. */
export const DEFAULT_SEED = 1

/**
 * Creates a seeded random source (sfc32, seeded through splitmix32). Any finite number is a seed;
 * the same seed always gives the same sequence.
 * @example
 * const random = createRandom(42)
 * random.next() // the same value on every run
 */
export function createRandom(seed: number = DEFAULT_SEED): RandomSource {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new KitError(`Invalid option "seed": expected a finite number, got ${String(seed)}.`)
  }
  const words = new Uint32Array(new Float64Array([seed]).buffer)
  let state = ((words[0] ?? 0) ^ Math.imul(words[1] ?? 0, 0x9e3779b9)) >>> 0
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  return fromWords(splitmix(), splitmix(), splitmix(), splitmix())
}

function fromWords(a0: number, b0: number, c0: number, d0: number): RandomSource {
  let a = a0
  let b = b0
  let c = c0
  let d = d0
  const nextWord = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  // sfc32 needs a few rounds to mix a fresh state.
  for (let i = 0; i < 12; i++) nextWord()
  return {
    next: () => nextWord() / 4294967296,
    fork: () => fromWords(nextWord(), nextWord(), nextWord(), nextWord()),
  }
}

/** A whole number in [min, max], both included. */
export function randomInt(random: RandomSource, min: number, max: number): number {
  if (max <= min) return min
  return Math.min(max, min + Math.floor(random.next() * (max - min + 1)))
}

/** `length` pseudo-random bytes. */
export function randomBytes(random: RandomSource, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random.next() * 256)
  return bytes
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

function formatUuid(bytes: Uint8Array): string {
  const h = hex(bytes)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A version 4 (random) UUID from a seeded source. */
export function randomUuidV4(random: RandomSource): string {
  const bytes = randomBytes(random, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  return formatUuid(bytes)
}

/**
 * A version 7 UUID whose timestamp is `timeMs`, like the envelope ids in Entrust's event
 * examples (https://docs.trustedauth.com/developer/webhook/events/).
 */
export function randomUuidV7(random: RandomSource, timeMs: number): string {
  const bytes = randomBytes(random, 16)
  let time = Math.max(0, Math.floor(timeMs))
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256
    time = Math.floor(time / 256)
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  return formatUuid(bytes)
}

/** Lower-case letters and digits, `length` of them. */
export function randomAlphanumeric(random: RandomSource, length: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random.next() * alphabet.length)]
  return out
}
