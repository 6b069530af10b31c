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

/** A field's value by lowercase name: repeated fields joined with ", " (RFC 9110 §5.3), or `undefined`. */
export type FieldReader = (name: string) => string | undefined

/** Reads fields from any {@link HeadersInput}. */
export function createFieldReader(headers: HeadersInput): FieldReader {
  if (typeof (headers as HeadersLike).get === 'function') {
    const fetchHeaders = headers as HeadersLike
    return (name) => fetchHeaders.get(name) ?? undefined
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>
  return (name) => {
    let value = record[name]
    if (value === undefined) {
      // A key in another case ("Signature"): compare lower-cased keys of the same length.
      for (const key in record) {
        if (key.length === name.length && key.toLowerCase() === name) {
          value = record[key]
          break
        }
      }
    }
    if (value === undefined) return undefined
    return typeof value === 'string' ? value : value.join(', ')
  }
}
