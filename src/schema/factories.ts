import type { IdaasEventMap, IdaasEventType } from '../../generated/types.js'
import { createGuard, KitError } from '../errors.js'
import { describeValue } from '../internal/describe-value.js'
import {
  createRandom,
  DEFAULT_SEED,
  type RandomSource,
  randomUuidV4,
  randomUuidV7,
} from '../internal/random.js'
import { isKnownEventType, suggestEventType } from './event-types.js'
import { formatIssues, type ValidationIssue } from './issues.js'
import { validateEvent } from './validate.js'

// --- Public types -------------------------------------------------------------------------------

/**
 * `T` with every property optional, recursively. Arrays are taken whole (an override replaces an
 * array, it never merges by index). Only optional properties accept `undefined`, which removes
 * them; a required property cannot be removed.
 */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartialProperty<T, K> }
    : T

type DeepPartialProperty<T, K extends keyof T> =
  Partial<Pick<T, K>> extends Pick<T, K>
    ? DeepPartial<Exclude<T[K], undefined>> | undefined
    : DeepPartial<T[K]>

/** Typed overrides for {@link createEvent}: a deep-partial event of type `T`. */
export type EventOverrides<T extends IdaasEventType> = DeepPartial<IdaasEventMap[T]>

/** Options of {@link createEvent}. */
export interface CreateEventOptions {
  /**
   * Seed of the pseudo-random generator: the same type, seed and options give the same event.
   * Any finite number. @default 1
   */
  seed?: number
  /**
   * When the event happened: a `Date` or an ISO 8601 string. A string already in the envelope's
   * form (`2026-03-16T17:33:05Z`, `2024-03-15T10:00:00.000Z`) is used verbatim. Alias: `now`.
   * @default a seeded instant between 2025-01-01 and 2026-06-30 (UTC)
   */
  eventTime?: Date | string
  /** Alias of `eventTime`, for callers that pass a clock's "now". Do not set both. */
  now?: Date | string
  /**
   * The envelope's `accountId`. @default {@link IDAAS_FACTORY_ACCOUNT_ID} (one made-up tenant, as
   * a receiver sees one account per webhook)
   */
  accountId?: string
}

/** The `accountId` of factory events unless `options.accountId` says otherwise (a made-up UUID). */
export const IDAAS_FACTORY_ACCOUNT_ID = '3f6d2c1e-8b4a-4c7e-9a15-6e2f0b7d4c91'

/** Thrown by {@link createEvent} when the overrides make the event invalid in strict mode. */
export class InvalidOverrideError extends KitError {
  override name = 'InvalidOverrideError' as const
  /** One issue per problem, shallowest first; each `path` is a JSON pointer into the event. */
  readonly issues: ValidationIssue[]
  /** The type that was being created. */
  readonly eventType: IdaasEventType
  constructor(eventType: IdaasEventType, issues: ValidationIssue[]) {
    super(`Invalid override for "${eventType}":\n${formatIssues(issues)}`)
    this.issues = issues
    this.eventType = eventType
  }
}

/** True for an {@link InvalidOverrideError}, also across realms and copies of the kit. */
export const isInvalidOverrideError = createGuard('InvalidOverrideError', InvalidOverrideError)

// --- createEvent --------------------------------------------------------------------------------

/**
 * Creates a realistic, schema-valid event of `type`: deterministic for `options.seed` (default 1),
 * with deep-partial `overrides` applied last and the result checked in strict mode.
 *
 * Overrides merge into plain objects at any depth and keep every other field; arrays and other
 * values replace; `undefined` removes an optional field. Overrides are applied verbatim: nothing
 * is recomputed from them (to move the time, use `options.eventTime`, which keeps `id` and
 * `eventTime` consistent). Two calls with the same type and seed give the same `id`, so a
 * receiver that de-duplicates by `id` (A6) sees one delivery: vary the seed for distinct events.
 *
 * @throws {InvalidOverrideError} when the overrides make the event invalid (unknown field, wrong
 * JSON type, required field removed); the message names each field by its JSON pointer.
 * @throws {KitError} for an unknown `type` (with a "Did you mean" hint) or an invalid option.
 * @example
 * const event = createEvent('grid.created', { data: { entityAttributes: { state: 'ACTIVE' } } }, { seed: 7 })
 * event.data.entityAttributes?.serialNumber // a number; event.data.entityName is the same serial as a string
 */
export function createEvent<T extends IdaasEventType>(
  type: T,
  overrides?: EventOverrides<T>,
  options: CreateEventOptions = {},
): IdaasEventMap[T] {
  if (!isKnownEventType(type)) throw unknownTypeError(type)
  if (options === null || typeof options !== 'object') {
    throw new KitError(
      `Invalid argument "options": expected an object, got ${describeValue(options)}.`,
    )
  }
  if (overrides !== undefined && !isPlainObject(overrides)) {
    throw new KitError(
      `Invalid argument "overrides": expected an object, got ${describeValue(overrides)}.`,
    )
  }
  const seed = readSeed(options.seed)
  const time = readTime(options)
  const accountId = readAccountId(options.accountId)

  const event = generate(type, seed, time, accountId)
  if (overrides !== undefined) applyOverrides(event, overrides)

  const result = validateEvent(event, { mode: 'strict' })
  if (!result.ok) {
    if (overrides !== undefined) throw new InvalidOverrideError(type, result.issues)
    throw new KitError(
      `Failed to create a "${type}" event: the factory made an invalid event, which is a bug in idaas-webhook-kit. Please report it with seed ${seed}:\n${formatIssues(result.issues)}`,
    )
  }
  return event as unknown as IdaasEventMap[T]
}

function unknownTypeError(type: unknown): KitError {
  if (typeof type !== 'string') {
    return new KitError(
      `Invalid argument "type": expected an event type such as "user.created", got ${describeValue(type)}.`,
    )
  }
  const suggestion = suggestEventType(type)
  const hint = suggestion
    ? `Did you mean "${suggestion}"?`
    : 'Use one of the 26 types in IDAAS_EVENT_TYPES.'
  return new KitError(`Unknown event type "${type}". ${hint}`)
}

// --- Options ------------------------------------------------------------------------------------

// Default time window: Entrust's examples are dated 2024-03 to 2026-03.
const DEFAULT_FROM_MS = Date.UTC(2025, 0, 1)
const DEFAULT_TO_MS = Date.UTC(2026, 6, 1)
// The envelope's eventTime pattern (schemas/envelope.schema.json#/$defs/eventTime).
const EVENT_TIME_PATTERN =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?Z$/
const MAX_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** A pinned time: the instant, and the verbatim `eventTime` string when the caller gave one. */
interface PinnedTime {
  ms: number
  verbatim: string | undefined
}

function readSeed(seed: unknown): number {
  if (seed === undefined) return DEFAULT_SEED
  if (typeof seed === 'number' && Number.isFinite(seed)) return seed
  throw new KitError(`Invalid option "seed": expected a finite number, got ${describeValue(seed)}.`)
}

function readTime(options: CreateEventOptions): PinnedTime | undefined {
  const { eventTime, now } = options
  if (eventTime !== undefined && now !== undefined) {
    throw new KitError('Invalid options "eventTime" and "now": they are aliases. Pass only one.')
  }
  const value: unknown = eventTime ?? now
  const name = eventTime !== undefined ? 'eventTime' : 'now'
  if (value === undefined) return undefined
  let ms = Number.NaN
  let verbatim: string | undefined
  if (value instanceof Date) ms = value.getTime()
  else if (typeof value === 'string') {
    ms = Date.parse(value)
    if (EVENT_TIME_PATTERN.test(value)) verbatim = value
  }
  if (!(ms >= 0 && ms <= MAX_ISO_MS)) {
    throw new KitError(
      `Invalid option "${name}": expected a Date or an ISO 8601 string between 1970 and 9999, got ${describeValue(value)}.`,
    )
  }
  return { ms, verbatim }
}

function readAccountId(accountId: unknown): string {
  if (accountId === undefined) return IDAAS_FACTORY_ACCOUNT_ID
  if (typeof accountId === 'string' && accountId !== '') return accountId
  throw new KitError(
    `Invalid option "accountId": expected a non-empty string, got ${describeValue(accountId)}.`,
  )
}

// --- Overrides ----------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// Merges `overrides` into `target` in place (`target` is freshly generated). Own-property writes
// via defineProperty, so a "__proto__" key from JSON.parse becomes a field (which strict
// validation then rejects) instead of replacing the prototype.
function applyOverrides(target: Record<string, unknown>, overrides: object): void {
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      delete target[key]
      continue
    }
    const current = Object.hasOwn(target, key) ? target[key] : undefined
    if (isPlainObject(value) && isPlainObject(current)) applyOverrides(current, value)
    else setOwn(target, key, copyValue(value))
  }
}

function copyValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyValue)
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {}
    applyOverrides(copy, value)
    return copy
  }
  return value
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

// --- Seeded randomness --------------------------------------------------------------------------

// The kit's one seeded source (src/internal/random.ts, also used by the delivery engine and the
// tenant), with the helpers the factories draw from. Not a cryptographic generator: it never
// produces secrets.
class SeededRandom {
  readonly source: RandomSource
  constructor(state: number) {
    this.source = createRandom(state)
  }
  /** A uniform float in [0, 1). */
  float(): number {
    return this.source.next()
  }
  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1))
  }
  chance(probability: number): boolean {
    return this.float() < probability
  }
  pick<V>(list: readonly [V, ...V[]]): V {
    return list[Math.floor(this.float() * list.length)] ?? list[0]
  }
}

const seedView = new DataView(new ArrayBuffer(8))

// Mixes the type name and the seed's float64 bits (explicit endianness, so every platform agrees)
// into one 32-bit state: FNV-1a, then murmur3's finaliser. Mixing in the type gives each type its
// own stream, so events of different types made with the same seed never share an id.
function initialState(type: string, seed: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < type.length; i++) h = Math.imul(h ^ type.charCodeAt(i), 0x01000193)
  seedView.setFloat64(0, seed, false)
  h = Math.imul(h ^ seedView.getUint32(0, false), 0x01000193)
  h = Math.imul(h ^ seedView.getUint32(4, false), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** A random RFC 9562 version 4 UUID. */
const uuidV4 = (rng: SeededRandom): string => randomUuidV4(rng.source)

/** A version 7 UUID whose 48-bit big-endian timestamp is `ms` (RFC 9562 §5.7). */
const uuidV7 = (rng: SeededRandom, ms: number): string => randomUuidV7(rng.source, ms)

// --- Realistic values ---------------------------------------------------------------------------

const FIRST_NAMES = [
  'Jane',
  'John',
  'Maria',
  'Wei',
  'Amara',
  'Lucas',
  'Sofia',
  'Noah',
  'Aiko',
  'Omar',
  'Elena',
  'Ravi',
  'Chloe',
  'Mateo',
  'Ingrid',
  'Kwame',
  'Priya',
  'Liam',
  'Fatima',
  'Hugo',
] as const
const LAST_NAMES = [
  'Smith',
  'Garcia',
  'Chen',
  'Okafor',
  'Muller',
  'Rossi',
  'Tanaka',
  'Nguyen',
  'Kowalski',
  'Silva',
  'Haddad',
  'Johansson',
  'Patel',
  'Dubois',
  'Murphy',
  'Novak',
  'Kim',
  'Ivanova',
  'Brown',
  'Lopez',
] as const
// RFC 2606 domains: realistic addresses that can never reach a real mailbox.
const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'] as const
// The two role names in Entrust's user.created, magiclink.email.sent and face.biometric.created
// examples.
const ADMIN_ROLES = ['Super Administrator', 'System Administrator'] as const
// IDaaS authenticator names (Authentication API); only "OTP" appears in a webhook example (an
// authentication event's).
const AUTHENTICATORS = [
  'OTP',
  'PASSWORD',
  'GRID',
  'KBA',
  'TOKEN',
  'TOKENPUSH',
  'PASSKEY',
  'FACE',
  'MAGICLINK',
  'SMARTCREDENTIALPUSH',
] as const
const KBA_QUESTIONS = [
  'What was the name of your high school?',
  'What was the name of your first pet?',
  'In what city were you born?',
  "What is your mother's maiden name?",
  'What was the make of your first car?',
  'What was your childhood nickname?',
  'What is the name of the street you grew up on?',
] as const
const PASSKEY_NAMES = [
  'test',
  'YubiKey 5 NFC',
  'iPhone',
  'Pixel 8',
  'Windows Hello',
  'MacBook Pro',
  'Work laptop',
  'Security key',
] as const
const RELYING_PARTIES = ['auth.example.com', 'login.example.org', 'id.example.net'] as const

interface Person {
  id: string
  userId: string
  firstName: string
  lastName: string
  email: string
}

function person(rng: SeededRandom): Person {
  const firstName = rng.pick(FIRST_NAMES)
  const lastName = rng.pick(LAST_NAMES)
  const first = firstName.toLowerCase()
  const last = lastName.toLowerCase()
  // The forms in Entrust's examples: "john", "john.smith", "janesmith"; plus "jsmith".
  const userId = rng.pick([
    first,
    `${first}.${last}`,
    `${first}${last}`,
    `${first.charAt(0)}${last}`,
  ])
  return {
    id: uuidV4(rng),
    userId,
    firstName,
    lastName,
    email: `${userId}@${rng.pick(EMAIL_DOMAINS)}`,
  }
}

// Documentation (RFC 5737) and private ranges, as in Entrust's examples (127.0.0.1, 192.168.1.50).
function sourceIp(rng: SeededRandom): string {
  const octet = () => rng.int(1, 254)
  return rng.pick([
    () => `198.51.100.${octet()}`,
    () => `203.0.113.${octet()}`,
    () => `192.0.2.${octet()}`,
    () => `192.168.${rng.int(0, 20)}.${octet()}`,
    () => `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${octet()}`,
  ])()
}

function digits(rng: SeededRandom, count: number): string {
  let out = ''
  while (out.length < count) out += String(rng.int(0, 9))
  return out
}

// --- Generation ---------------------------------------------------------------------------------

/** Everything a type's builder needs, drawn in a fixed order before any type-specific value. */
interface Draw {
  rng: SeededRandom
  /** The user the event is about. */
  user: Person
  /** An administrator, used when one acts. */
  admin: Person
  adminRole: string
  /** For types where either the user or an administrator may act: true when the admin does. */
  adminActs: boolean
  sourceIp: string
  /** The event time at second precision, for timestamps inside `entityAttributes`. */
  createDate: string
}

interface CommonData {
  subject: string
  subjectName: string
  subjectType: string
  resourceName: string
  sourceIp: string
  subscriberAdminRoleName?: string
}

/** The user acted on their own account, in the User Portal. */
function byUser(d: Draw): CommonData {
  return {
    subject: d.user.id,
    subjectName: d.user.userId,
    subjectType: 'USER',
    resourceName: 'User Portal',
    sourceIp: d.sourceIp,
  }
}

/**
 * An administrator acted in the Administration Portal. `subject` differs by event family, as in
 * Entrust's examples: the admin for `user.*` (user.created), the user for authenticators
 * (magiclink.email.sent).
 */
function byAdmin(d: Draw, subject: Person): CommonData {
  return {
    subject: subject.id,
    subjectName: subject.userId,
    subjectType: 'USER',
    resourceName: 'Administration Portal',
    sourceIp: d.sourceIp,
    subscriberAdminRoleName: d.adminRole,
  }
}

/** An authenticator change by the user or, for some seeds, by an administrator for the user. */
function byEither(d: Draw): CommonData {
  return d.adminActs ? byAdmin(d, d.user) : byUser(d)
}

function grid(d: Draw, common: CommonData) {
  return {
    ...common,
    entityType: 'GRIDS',
    entityId: uuidV4(d.rng),
    entityName: String(d.rng.int(1, 9999)),
  }
}

function token(d: Draw, common: CommonData) {
  // Inferred: the Admin API's entity enum has TOKENS; serials are digit strings.
  return { ...common, entityType: 'TOKENS', entityId: uuidV4(d.rng), entityName: digits(d.rng, 10) }
}

function passkey(d: Draw, common: CommonData) {
  return {
    ...common,
    entityType: 'FIDOTOKENS',
    entityId: uuidV4(d.rng),
    entityName: d.rng.pick(PASSKEY_NAMES),
  }
}

function users(d: Draw, common: CommonData) {
  return { ...common, entityType: 'USERS', entityId: d.user.id, entityName: d.user.userId }
}

function credential(d: Draw) {
  // Issuance events: no payload is documented, so only the common fields and an id.
  return { ...byUser(d), resourceName: 'Administration Portal', entityId: uuidV4(d.rng) }
}

// One builder per type. The 8 types with an Entrust example follow its shape; the other
// 17 get the common fields plus inferred entity fields, and no entityAttributes (not documented);
// webhook.test gets the kit's A12 shape.
const BUILDERS: { [T in IdaasEventType]: (d: Draw) => IdaasEventMap[T]['data'] } = {
  'authentication.succeeded': (d) => ({
    ...byUser(d),
    resourceName: d.rng.pick(['User Portal', 'Administration Portal']),
    token: d.rng.pick(AUTHENTICATORS),
    entityAttributes: { registrationRequired: d.rng.chance(0.5) },
  }),
  'authentication.failed': (d) => ({
    ...byUser(d),
    resourceName: d.rng.pick(['User Portal', 'Administration Portal']),
    token: d.rng.pick(AUTHENTICATORS),
  }),
  // "Triggered when an administrator creates a new user account": subject is the admin.
  'user.created': (d) => ({
    ...byAdmin(d, d.admin),
    entityType: 'USERS',
    entityId: d.user.id,
    entityName: d.user.userId,
    entityAttributes: {
      userId: d.user.userId,
      firstName: d.user.firstName,
      lastName: d.user.lastName,
      email: d.user.email,
    },
  }),
  'user.updated': (d) => users(d, d.adminActs ? byAdmin(d, d.admin) : byUser(d)),
  'user.deleted': (d) => users(d, byAdmin(d, d.admin)),
  'user.registration.completed': (d) => users(d, byUser(d)),
  'password.updated': (d) => ({
    ...byEither(d),
    entityType: 'USERPASSWORDS',
    entityId: d.user.id,
    entityName: d.user.userId,
  }),
  'kba.question.created': (d) => ({
    ...byUser(d),
    entityType: 'USERQUESTIONS',
    entityId: uuidV4(d.rng),
    entityName: d.rng.pick(KBA_QUESTIONS),
  }),
  'grid.created': (d) => {
    const card = grid(d, byEither(d))
    return {
      ...card,
      entityAttributes: {
        serialNumber: Number(card.entityName),
        expired: false,
        state: 'PENDING',
        type: 'GRID_CARD',
        userId: d.user.userId,
        createDate: d.createDate,
      },
    }
  },
  'grid.email.sent': (d) => grid(d, byEither(d)),
  'grid.password.email.sent': (d) => grid(d, byEither(d)),
  // Registering a passkey needs the user's authenticator, so the user acts.
  'passkey.created': (d) => {
    const relyingPartyId = d.rng.pick(RELYING_PARTIES)
    return {
      ...passkey(d, byUser(d)),
      entityAttributes: {
        userIdStored: d.rng.chance(0.5),
        relyingPartyId,
        origin: `https://${relyingPartyId}`,
      },
    }
  },
  'passkey.updated': (d) => passkey(d, byEither(d)),
  'passkey.deleted': (d) => passkey(d, byEither(d)),
  // Sent by an administrator in Entrust's example; subject is the user.
  'magiclink.email.sent': (d) => ({
    ...byAdmin(d, d.user),
    entityType: 'MAGICLINKS',
    entityId: uuidV4(d.rng),
    entityName: d.user.userId,
    entityAttributes: {
      contactValue: d.user.email,
      magicLinkType: 'Registration',
      contactType: 'Email',
    },
  }),
  // Created by an administrator in Entrust's example; the entityName's meaning is unknown.
  'face.biometric.created': (d) => ({
    ...byAdmin(d, d.user),
    entityType: 'FACE',
    entityId: uuidV4(d.rng),
    entityName: `${digits(d.rng, 5)}-${digits(d.rng, 5)}`,
    entityAttributes: { userId: d.user.userId, status: 'ACTIVATING' },
  }),
  'token.created': (d) => token(d, byEither(d)),
  'token.activated': (d) => token(d, byUser(d)),
  'token.activated.online': (d) => token(d, byUser(d)),
  'token.seed.rotated': (d) => token(d, byEither(d)),
  'hardware.token.assigned': (d) => token(d, byAdmin(d, d.user)),
  'credential.create': credential,
  'credential.update': credential,
  'credential.delete': credential,
  'credential.print': credential,
  // The kit's test delivery (A12): empty data.
  'webhook.test': () => ({}),
}

// Entrust's examples: 7 of 8 eventTimes have whole seconds, one has ".000".
const MILLISECONDS_PROBABILITY = 0.25
const ADMIN_ACTS_PROBABILITY = 0.3

function generate(
  type: IdaasEventType,
  seed: number,
  pinned: PinnedTime | undefined,
  accountId: string,
): Record<string, unknown> {
  const rng = new SeededRandom(initialState(type, seed))
  // Time first, and always the same three draws, so pinning the time changes nothing else.
  const randomMs = DEFAULT_FROM_MS + Math.floor(rng.float() * (DEFAULT_TO_MS - DEFAULT_FROM_MS))
  const withMs = rng.chance(MILLISECONDS_PROBABILITY)
  const subSecondMs = rng.int(0, 999)

  let ms = pinned ? pinned.ms : randomMs
  let eventTime: string
  if (pinned?.verbatim !== undefined) {
    eventTime = pinned.verbatim
    // A whole-second eventTime: the id carries milliseconds within that second, as in Entrust's
    // examples (id 019cf7b5-61c1… is 17:33:05.345Z, eventTime 17:33:05Z).
    if (!pinned.verbatim.includes('.')) ms += subSecondMs
  } else {
    const iso = new Date(ms).toISOString()
    eventTime = withMs ? iso : `${iso.slice(0, 19)}Z`
  }
  // In every UUIDv7-shaped Entrust example the id's timestamp is eventTime.
  const id = uuidV7(rng, ms)

  const draw: Draw = {
    rng,
    user: person(rng),
    admin: person(rng),
    adminRole: rng.pick(ADMIN_ROLES),
    adminActs: rng.chance(ADMIN_ACTS_PROBABILITY),
    sourceIp: sourceIp(rng),
    createDate: `${new Date(ms).toISOString().slice(0, 19)}Z`,
  }
  const data = BUILDERS[type](draw) as unknown as Record<string, unknown>
  return { id, type, accountId, eventTime, data }
}
