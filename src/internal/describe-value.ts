// How a value the user gave appears in a message. Two meanings, one home:
// - describeValue: what was found, by JSON type ("string \"x\"", "number 3", "object"), for
//   "expected …, got …" when the type itself may be what is wrong (schema issues, option types);
// - quoteValue: the value as written ("\"x\"", "[1, 2]"), for options whose type is right but
//   whose value is not (delivery policies, the in-process fetch).

/** Describes a value by its JSON type and, when short, the value itself: `string "x"`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return 'object'
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value
    return `string ${JSON.stringify(shown)}`
  }
  if (typeof value === 'number') return `number ${value}`
  return `${typeof value} ${String(value)}`
}

/** A value as written: strings quoted, lists bracketed, objects as "an object". */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`
  if (Array.isArray(value)) return `[${value.map(quoteValue).join(', ')}]`
  if (value === null || typeof value !== 'object') return String(value)
  return 'an object'
}
