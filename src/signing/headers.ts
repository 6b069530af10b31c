/** Anything with a case-insensitive `get`, such as the Fetch API's `Headers`. */
export interface HeadersLike {
  get(name: string): string | null
}

/**
 * Request headers as the kit accepts them: a Fetch `Headers`, a plain record, or node's
 * `IncomingHttpHeaders` (arrays for repeated fields). Record keys match case-insensitively.
 */
export type HeadersInput =
  | HeadersLike
  | Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * A field's value by lowercase name: repeated fields joined with ", " (RFC 9110 §5.3), or
 * `undefined`. With `maxLength`, joining stops once the value is longer than that: the result is
 * then incomplete, but still longer than `maxLength`.
 */
export type FieldReader = (name: string, maxLength?: number) => string | undefined

/**
 * How many keys of a plain record the reader considers when it looks for a name in another case
 * ("Signature" for "signature"): node's own default `maxHeadersCount`. Keys past it count as absent.
 */
export const MAX_HEADER_FIELDS = 2000

/**
 * Reads fields from any {@link HeadersInput}. Never throws: a record key is only ever an own
 * property (so `constructor` or `__proto__` is an ordinary, usually absent, header), a name a
 * Fetch `Headers` refuses is absent, and a value that is neither a string nor an array of strings
 * (numbers are written as digits) is absent.
 */
export function createFieldReader(headers: HeadersInput): FieldReader {
  if (headers === null || typeof headers !== 'object') return () => undefined
  if (typeof (headers as HeadersLike).get === 'function') {
    const fetchHeaders = headers as HeadersLike
    return (name) => {
      try {
        return fetchHeaders.get(name) ?? undefined
      } catch {
        // Fetch `Headers` throws a TypeError for a name that is not an RFC 9110 token.
        return undefined
      }
    }
  }
  const record = headers as Readonly<Record<string, unknown>>
  // Lower-cased own keys, built on the first miss only: node's records are lowercase already.
  let folded: Map<string, unknown> | undefined
  return (name, maxLength = Number.POSITIVE_INFINITY) => {
    if (Object.hasOwn(record, name)) return fieldValue(record[name], maxLength)
    // The usual spelling ("Signature-Input") first: enumerating a large record costs far more.
    const titled = titleCase(name)
    if (Object.hasOwn(record, titled)) return fieldValue(record[titled], maxLength)
    folded ??= foldKeys(record)
    return fieldValue(folded.get(name), maxLength)
  }
}

function titleCase(name: string): string {
  return name.replace(
    /(^|-)([a-z])/g,
    (_, dash: string, letter: string) => dash + letter.toUpperCase(),
  )
}

function foldKeys(record: Readonly<Record<string, unknown>>): Map<string, unknown> {
  const folded = new Map<string, unknown>()
  let considered = 0
  for (const key of Object.keys(record)) {
    if (++considered > MAX_HEADER_FIELDS) break
    const lower = key.toLowerCase()
    // The first key wins, as a lookup in key order would find it.
    if (!folded.has(lower)) folded.set(lower, record[key])
  }
  return folded
}

function fieldValue(value: unknown, maxLength: number): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (!Array.isArray(value)) return undefined
  let joined: string | undefined
  for (const part of value) {
    if (typeof part !== 'string') continue
    joined = joined === undefined ? part : `${joined}, ${part}`
    if (joined.length > maxLength) break
  }
  return joined
}
