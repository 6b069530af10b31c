/**
 * The raw text of a dictionary member's own parameter values, e.g. `created` -> `1767225600.0`.
 *
 * Hand-written because structured-headers parses an RFC 8941 Integer and a Decimal to the same
 * JavaScript number (`created=1767225600.0` and `created=1767225600` read alike) and does not
 * export its parser, while RFC 9421 §2.3 requires `created` and `expires` to be Integers. Call it
 * only on a value that `parseDictionary` accepted: it then only has to skip over items, not check
 * them. One pass, linear in the length of `field`; a later member with the same key wins, as in
 * the parsed dictionary.
 */
export function memberParameterText(field: string, key: string): Map<string, string> | undefined {
  const scan = new Scanner(field)
  let found: Map<string, string> | undefined
  scan.skipSpaces()
  while (!scan.done()) {
    const start = scan.pos
    const memberKey = scan.readKey()
    if (scan.peek() === '=') {
      scan.pos++
      if (scan.peek() === '(') scan.skipInnerList()
      else scan.skipBareItem()
    }
    const parameters = scan.readParameters()
    if (memberKey === key) found = parameters
    scan.skipSpaces()
    if (scan.peek() === ',') scan.pos++
    scan.skipSpaces()
    if (scan.pos === start) break // Not a dictionary after all: stop rather than loop.
  }
  return found
}

/** True when a parameter's raw text is an RFC 8941 Integer (`1767225600`, not `1767225600.0`). */
export function isIntegerText(text: string | undefined): boolean {
  return text !== undefined && /^-?[0-9]+$/.test(text)
}

const KEY_CHAR = /[a-z0-9_\-.*]/
const ITEM_END = new Set([' ', '\t', ';', ',', '(', ')'])

class Scanner {
  pos = 0
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length
  }

  peek(): string | undefined {
    return this.text[this.pos]
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }

  readKey(): string {
    const start = this.pos
    while (!this.done() && KEY_CHAR.test(this.text[this.pos] as string)) this.pos++
    return this.text.slice(start, this.pos)
  }

  /** Skips a String, Byte Sequence, Display String or any other bare item; returns its text. */
  skipBareItem(): string {
    const start = this.pos
    const char = this.peek()
    if (char === '"') {
      this.pos++
      while (!this.done() && this.peek() !== '"') this.pos += this.peek() === '\\' ? 2 : 1
      this.pos++
    } else if (char === ':' || char === '%') {
      // A Byte Sequence ends at the next ":", a Display String (%"...") at the next '"'.
      const end =
        char === ':' ? this.text.indexOf(':', this.pos + 1) : this.text.indexOf('"', this.pos + 2)
      this.pos = end === -1 ? this.text.length : end + 1
    } else {
      // Integer, Decimal, Token (which may hold ":" and "/"), Boolean, Date.
      while (!this.done() && !ITEM_END.has(this.text[this.pos] as string)) this.pos++
    }
    return this.text.slice(start, this.pos)
  }

  skipInnerList(): void {
    this.pos++
    for (;;) {
      this.skipSpaces()
      if (this.done()) return
      if (this.peek() === ')') {
        this.pos++
        return
      }
      const start = this.pos
      this.skipBareItem()
      this.readParameters()
      if (this.pos === start) return
    }
  }

  readParameters(): Map<string, string> {
    const parameters = new Map<string, string>()
    while (this.peek() === ';') {
      this.pos++
      this.skipSpaces()
      const name = this.readKey()
      let value = '?1' // A parameter without a value is Boolean true (RFC 8941 §3.1.2).
      if (this.peek() === '=') {
        this.pos++
        value = this.skipBareItem()
      }
      parameters.set(name, value)
    }
    return parameters
  }
}
