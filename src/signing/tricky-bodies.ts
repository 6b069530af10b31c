import type { SignDeliveryOptions } from './sign.js'
import { createSignedDelivery, type SignedDelivery } from './signed-delivery.js'

/** Stable ids of the bodies {@link createTrickyBodies} produces. */
export type TrickyBodyId =
  | 'escaped-unicode'
  | 'literal-unicode-spaced'
  | 'uppercase-unicode-escape'
  | 'pretty-printed'
  | 'crlf-tabs-whitespace'
  | 'reordered-keys'
  | 'decimal-number'
  | 'exponent-number'
  | 'trailing-newline'

/**
 * A valid JSON body whose bytes differ from `JSON.stringify(JSON.parse(body))`: a receiver that
 * hashes re-serialized JSON instead of the raw bytes gets a digest mismatch for every one.
 */
export interface TrickyBody {
  /** Stable id, safe to use in test names and reports. */
  id: TrickyBodyId
  /** What is unusual about the bytes, as one sentence. */
  description: string
  /** The exact body; its UTF-8 bytes are what is signed. */
  body: string
  /** The JSON value the body encodes (`JSON.parse(body)` deep-equals it). */
  value: unknown
}

/** A correctly signed delivery of a {@link TrickyBody}. */
export interface TrickyDelivery extends SignedDelivery {
  id: TrickyBodyId
  description: string
  body: string
}

/**
 * The event every tricky body encodes: Entrust's published `grid.created` example
 * (https://docs.trustedauth.com/developer/webhook/events/grid-card-events/) with a user name
 * holding non-ASCII letters, an astral-plane emoji and an ANSI escape
 * (ESC, U+001B), so that escaping choices show in the bytes.
 */
export const TRICKY_BODY_EVENT = {
  id: '019cf7c8-2a57-769a-a8dc-7dd6adfd23d3',
  type: 'grid.created',
  accountId: 'fba02d5c-2f79-4cfd-91f5-6bd454e97ab3',
  eventTime: '2026-03-16T17:53:36Z',
  data: {
    subject: '7a578db7-e8c8-421c-b5aa-2975f1418932',
    subjectName: 'J\u00fcrgen M\u00fcller \u{1F510}\u001b[0m',
    subjectType: 'USER',
    resourceName: 'User Portal',
    sourceIp: '104.30.161.19',
    entityType: 'GRIDS',
    entityId: '722c9dce-6c0c-49db-bfad-4ba5a6d698f9',
    entityName: '2',
    entityAttributes: {
      serialNumber: 2,
      expired: false,
      state: 'PENDING',
      type: 'GRID_CARD',
      userId: 'j\u00fcrgen',
      createDate: '2026-03-16T17:53:36Z',
    },
  },
} as const

interface JsonStyle {
  indent?: string
  newline?: string
  colon?: string
  comma?: string
  escapeNonAscii?: boolean
  upperCaseHex?: boolean
  reverseKeys?: boolean
  number?: (value: number) => string
}

/**
 * Valid JSON bodies that break receivers which re-serialize before hashing: escaped vs literal
 * non-ASCII, `\u001B` vs `\u001b`, whitespace and newlines, key order, `2.0` vs `2`, a trailing
 * newline. All but `reordered-keys` encode {@link TRICKY_BODY_EVENT} exactly.
 */
export function createTrickyBodies(): TrickyBody[] {
  const event: unknown = TRICKY_BODY_EVENT
  const tricky = (
    id: TrickyBodyId,
    description: string,
    style: JsonStyle,
    value: unknown = event,
    suffix = '',
  ): TrickyBody => ({ id, description, body: writeJson(value, style, 0) + suffix, value })
  return [
    tricky(
      'escaped-unicode',
      'Non-ASCII characters as \\u escapes (the emoji as a surrogate pair) where JSON.stringify writes them literally.',
      { escapeNonAscii: true },
    ),
    tricky(
      'literal-unicode-spaced',
      'Literal UTF-8 with ", " and ": " separators, the layout of Python json.dumps(ensure_ascii=False).',
      { colon: ': ', comma: ', ' },
    ),
    tricky(
      'uppercase-unicode-escape',
      'ESC written as \\u001B (upper-case hex, as Jackson writes it) where JSON.stringify writes \\u001b.',
      { upperCaseHex: true },
    ),
    tricky('pretty-printed', 'Indented with two spaces, one member per line.', {
      indent: '  ',
      newline: '\n',
      colon: ': ',
    }),
    tricky(
      'crlf-tabs-whitespace',
      'CRLF line breaks, tab indentation and a space before every colon.',
      { indent: '\t', newline: '\r\n', colon: ' : ' },
    ),
    tricky(
      'reordered-keys',
      'Members in reverse order at every level, plus an unknown field (accepted under A15) whose integer-like keys "10" and "9" JavaScript reorders on parse.',
      { reverseKeys: true },
      withIntegerKeys(event),
    ),
    tricky('decimal-number', 'The number 2 written as 2.0.', {
      number: (n) => (Number.isInteger(n) ? `${n}.0` : String(n)),
    }),
    tricky('exponent-number', 'The number 2 written as 2e0.', { number: (n) => `${n}e0` }),
    tricky('trailing-newline', 'Compact JSON followed by a newline.', {}, event, '\n'),
  ]
}

/**
 * {@link createTrickyBodies}, each signed over its exact bytes with {@link signDelivery}'s options.
 * A receiver that verifies the raw bytes must accept every one.
 */
export function createTrickyDeliveries(
  options: Omit<SignDeliveryOptions, 'body'>,
): TrickyDelivery[] {
  return createTrickyBodies().map(({ id, description, body }) => ({
    ...createSignedDelivery({ ...options, body }),
    id,
    description,
    body,
  }))
}

function withIntegerKeys(event: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(event)) as {
    data: { entityAttributes: Record<string, unknown> }
  }
  copy.data.entityAttributes.kitKeyOrderProbe = { '9': 'nine', '10': 'ten' }
  return copy
}

function writeJson(value: unknown, style: JsonStyle, depth: number): string {
  if (value === null || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') return style.number ? style.number(value) : JSON.stringify(value)
  if (typeof value === 'string') return writeString(value, style)
  const newline = style.newline ?? ''
  const inner = newline + (style.indent ?? '').repeat(depth + 1)
  const outer = newline + (style.indent ?? '').repeat(depth)
  const comma = style.comma ?? ','
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map((item) => writeJson(item, style, depth + 1))
    return `[${inner}${items.join(comma + inner)}${outer}]`
  }
  let entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return '{}'
  if (style.reverseKeys) entries = entries.reverse()
  const colon = style.colon ?? ':'
  const members = entries.map(
    ([key, item]) => `${writeString(key, style)}${colon}${writeJson(item, style, depth + 1)}`,
  )
  return `{${inner}${members.join(comma + inner)}${outer}}`
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
}

function writeString(text: string, style: JsonStyle): string {
  let out = '"'
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    const short = SHORT_ESCAPES[char]
    if (short !== undefined) out += short
    else if (code < 0x20 || (code > 0x7e && style.escapeNonAscii)) {
      for (let i = 0; i < char.length; i++) out += unicodeEscape(char.charCodeAt(i), style)
    } else out += char
  }
  return `${out}"`
}

function unicodeEscape(unit: number, style: JsonStyle): string {
  const hex = unit.toString(16).padStart(4, '0')
  return `\\u${style.upperCaseHex ? hex.toUpperCase() : hex}`
}
