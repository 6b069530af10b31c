import {
  type BareItem,
  type InnerList,
  type Item,
  type Parameters,
  serializeBareItem,
  serializeInteger,
  serializeItem,
  serializeKey,
  serializeString,
} from 'structured-headers'

/**
 * Hand-written on purpose: http-message-signatures 1.0.6 builds the same base, but it cannot be
 * told which label to verify, reads `Date.now()` itself and reports failures as untyped errors, so
 * the kit builds the three-component base of RFC 9421 §2.5 here and uses `structured-headers` for
 * every structured-field parse and serialization.
 */

/** The values a signature base needs from the request. */
export interface SignatureBaseSource {
  /** `@method`: the method exactly as sent; RFC 9421 §2.2.1 does not normalize its case. */
  method: string
  /** `@target-uri`: the absolute target URI (RFC 9421 §2.2.2). */
  targetUri: string
  /** An HTTP field's value by lowercase name, multiple values joined with ", "; `undefined` when absent. */
  field: (name: string) => string | undefined
}

/** Why a signature base could not be built. */
export type SignatureBaseProblem =
  | { problem: 'unsupported-component'; component: string }
  | { problem: 'missing-field'; component: string }

/** Builds the `Signature-Input` member (an Inner List) for some components and parameters. */
export function createSignatureParams(
  components: readonly string[],
  parameters: Parameters,
): InnerList {
  return [components.map((name) => [name, new Map()]), parameters]
}

/**
 * The signature base (RFC 9421 §2.5): one `"<component>": <value>` line per covered component, in
 * order, then `"@signature-params": <serialized member>`, joined with "\n", no trailing newline.
 * Only `@method`, `@target-uri`, `@authority` and HTTP fields without parameters are supported:
 * the IDaaS profile covers nothing else.
 */
export function createSignatureBase(
  member: InnerList,
  source: SignatureBaseSource,
  signatureParams: string = serializeSignatureParams(member),
): string | SignatureBaseProblem {
  let base = ''
  for (const item of member[0]) {
    const component = String(item[0])
    let value: string | undefined
    if (component === '@method') value = source.method
    else if (component === '@target-uri') value = source.targetUri
    // RFC 9421 §2.2.3, used by the Appendix B.2.5 test vector; not part of the IDaaS profile.
    else if (component === '@authority') value = new URL(source.targetUri).host
    else if (component.startsWith('@')) return { problem: 'unsupported-component', component }
    else {
      value = source.field(component)
      if (value === undefined) return { problem: 'missing-field', component }
      // RFC 9421 §2.1: strip leading and trailing whitespace, replace obsolete line folding.
      value = value.trim()
      if (value.includes('\n')) value = unfold(value)
    }
    base += `${serializeComponent(item)}: ${value}\n`
  }
  return `${base}"@signature-params": ${signatureParams}`
}

/**
 * The serialization of a `Signature-Input` member (RFC 8941 §4.1.1.1), as `serializeInnerList`
 * from structured-headers gives it.
 *
 * Written here for speed only: the library's version costs about 2 µs per call (an array copy, a
 * regular expression per key, an `instanceof` chain per value), a tenth of a whole sign + verify
 * round trip. This covers what signature parameters hold in practice (strings, integers, `true`)
 * and hands every other value to the library, so the output is the same; a property test in
 * test/signing/properties.test.ts compares the two.
 */
export function serializeSignatureParams(member: InnerList): string {
  let out = '('
  for (let i = 0; i < member[0].length; i++) {
    const item = member[0][i]
    if (item === undefined) continue
    if (i > 0) out += ' '
    out +=
      item[1].size === 0 && typeof item[0] === 'string' ? quoteString(item[0]) : serializeItem(item)
  }
  out += ')'
  for (const [key, value] of member[1]) {
    out += `;${serializeKey(key)}`
    if (value !== true) out += `=${serializeValue(value)}`
  }
  return out
}

/**
 * Each line break with the whitespace around it becomes one space. The same as
 * `value.replace(/\s*\r?\n\s*\/g, ' ')` on a trimmed value, without that pattern's quadratic
 * backtracking on a long run of whitespace.
 */
function unfold(value: string): string {
  let out = ''
  for (const line of value.split('\n')) {
    const piece = line.trim()
    if (piece === '') continue
    out = out === '' ? piece : `${out} ${piece}`
  }
  return out
}

function serializeComponent(item: Item): string {
  return item[1].size === 0 && typeof item[0] === 'string'
    ? quoteString(item[0])
    : serializeItem(item)
}

// Printable ASCII without DQUOTE and backslash: serialized as it is, between quotes.
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

function quoteString(value: string): string {
  return PLAIN_STRING.test(value) ? `"${value}"` : serializeString(value)
}

function serializeValue(value: BareItem): string {
  if (typeof value === 'string') return quoteString(value)
  if (typeof value === 'number' && Number.isInteger(value)) return serializeInteger(value)
  return serializeBareItem(value)
}
