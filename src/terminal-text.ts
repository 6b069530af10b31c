/**
 * @module
 * Text from outside the kit (event fields, header values, receiver bodies, file names) made safe
 * to print on a terminal: no character in it can move the cursor, change colours, set the window
 * title or reorder what is shown.
 */

// C0 and C1 controls, DEL, the bidirectional formatting characters (LRM, RLM, ALM, the embeddings,
// overrides and isolates: the "Trojan Source" set, CVE-2021-42574) and the line and paragraph
// separators, which some terminals and editors break lines on.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const UNSAFE_BUT_NEWLINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

function escapeOne(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * `text` with every control character, bidi override or isolate and line separator written as
 * `\u001b`-style escapes, so it stays one visible line.
 * @example escapeControls('a\u001b[2Jb') // 'a\\u001b[2Jb'
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeOne)
}

/** Like {@link escapeControls}, but keeps line feeds: for messages that span several lines. */
export function escapeControlsKeepingLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escapeOne)
}

/** `text` in double quotes, JSON-escaped, with no control or bidi character left. */
export function quoteForTerminal(text: string): string {
  return escapeControls(JSON.stringify(text))
}

/** True when `text` holds a character {@link escapeControls} would escape. */
export function hasUnsafeTerminalText(text: string): boolean {
  UNSAFE.lastIndex = 0
  const found = UNSAFE.test(text)
  UNSAFE.lastIndex = 0
  return found
}

/**
 * A copy of `value` with {@link escapeControls} applied to every string in it (keys included),
 * through arrays and plain objects: for a report about to be formatted with colours, so that the
 * kit's own colour codes are the only escape sequences printed.
 */
export function escapeStringsDeep<T>(value: T): T {
  return escapeDeep(value) as T
}

function escapeDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeControls(value)
  if (Array.isArray(value)) return value.map(escapeDeep)
  if (value === null || typeof value !== 'object') return value
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(copy, escapeControls(key), {
      value: escapeDeep(item),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return copy
}

/**
 * Text the kit built without colours (JSON, XML, plain reports) made safe for a terminal: line
 * feeds kept, every other unsafe character escaped. In JSON the result is the same document, as
 * the only raw control characters JSON.stringify leaves are its line feeds.
 */
export function plainTextForTerminal(text: string): string {
  return escapeControlsKeepingLines(text)
}
