// A small, strict XML reader for the JUnit tests: elements, double-quoted attributes, text, the
// five predefined entities and numeric references. Throws on anything malformed, so a report that
// parses here is well-formed for the CI viewers that read JUnit. Not a test file.

export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  text: string
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
// XML 1.0 §2.2 Char.
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new Error('bare "&" in XML text')
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16))
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)))
    const value = ENTITIES[entity]
    if (value === undefined) throw new Error(`unknown entity ${match}`)
    return value
  })
}

/** Parses a whole document and returns its root element. */
export function parseXml(source: string): XmlElement {
  if (INVALID_CHAR.test(source)) throw new Error('a character XML 1.0 does not allow')
  let at = 0
  const skipSpace = () => {
    while (/\s/.test(source[at] ?? '')) at++
  }
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>')
    if (end === -1) throw new Error('unterminated XML declaration')
    at = end + 2
  }
  const element = (): XmlElement => {
    skipSpace()
    const open = /^<([A-Za-z_][\w.-]*)/.exec(source.slice(at))
    if (!open?.[1]) throw new Error(`expected an element at ${at}`)
    const name = open[1]
    at += open[0].length
    const attributes: Record<string, string> = {}
    for (;;) {
      skipSpace()
      if (source.startsWith('/>', at)) {
        at += 2
        return { name, attributes, children: [], text: '' }
      }
      if (source[at] === '>') {
        at++
        break
      }
      const attribute = /^([A-Za-z_][\w.-]*)="([^"<]*)"/.exec(source.slice(at))
      if (!attribute?.[1]) throw new Error(`malformed attribute in <${name}> at ${at}`)
      if (attribute[1] in attributes) throw new Error(`duplicate attribute ${attribute[1]}`)
      attributes[attribute[1]] = decode(attribute[2] ?? '')
      at += attribute[0].length
    }
    const children: XmlElement[] = []
    let text = ''
    for (;;) {
      if (source.startsWith(`</${name}>`, at)) {
        at += name.length + 3
        return { name, attributes, children, text: decode(text) }
      }
      if (source.startsWith('</', at))
        throw new Error(`mismatched closing tag at ${at} for <${name}>`)
      if (source[at] === '<') {
        children.push(element())
        continue
      }
      const next = source.indexOf('<', at)
      if (next === -1) throw new Error(`unterminated <${name}>`)
      text += source.slice(at, next)
      at = next
    }
  }
  const root = element()
  skipSpace()
  if (at !== source.length) throw new Error('content after the root element')
  return root
}
