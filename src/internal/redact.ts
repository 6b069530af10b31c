/** What a secret is replaced with in messages, reports and evidence. */
export const REDACTED = '[redacted]'

// Shorter strings are too likely to occur by chance in unrelated text to be replaced.
const MIN_SECRET_LENGTH = 4

/**
 * `text` with every secret replaced by {@link REDACTED}. A signature field value (`sig=:…:`) is
 * also removed without its frame, as a receiver may echo only the base64 part. A secret is also
 * found in the forms a receiver echoes it in: JSON-escaped (`\/`, `\u0041`), percent-encoded
 * (either hex case, `+` for a space), and, for base64, as base64url with or without padding;
 * the forms may be mixed within one echo.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text
  // Without "%", "\\" or "+" no escaped form can occur: plain string search is enough, and it
  // keeps a run that redacts against every signature it sent linear (verify sends ~100).
  let escaped = ESCAPE_MARK.test(result)
  for (const secret of secrets) {
    const bare = /^[a-z*][a-z0-9_.*-]*=:(.*):$/.exec(secret)?.[1]
    for (const value of bare ? [secret, bare] : [secret]) {
      if (value.length < MIN_SECRET_LENGTH) continue
      for (const form of base64Forms(value)) {
        if (!escaped) {
          if (!result.includes(form)) continue
          result = result.replaceAll(form, REDACTED)
        } else {
          // Without "%" or "\\u", letters and digits can only appear as themselves: a text
          // that lacks the form's longest run of them cannot hold the form.
          if (!LETTER_ESCAPE_MARK.test(result) && !result.includes(longestAlnumRun(form))) continue
          result = result.replace(echoPattern(form), REDACTED)
        }
        escaped = ESCAPE_MARK.test(result)
      }
    }
  }
  return result
}

const ESCAPE_MARK = /[%\\+]/
const LETTER_ESCAPE_MARK = /%|\\u/

function longestAlnumRun(value: string): string {
  let longest = ''
  for (const run of value.split(/[^A-Za-z0-9]+/)) if (run.length > longest.length) longest = run
  return longest
}

/** `value`, and when it is base64 also its base64url form and both without padding. */
function base64Forms(value: string): string[] {
  const forms = new Set([value])
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && /[+/=]/.test(value)) {
    const unpadded = value.replace(/=+$/, '')
    forms.add(unpadded)
    forms.add(unpadded.replaceAll('+', '-').replaceAll('/', '_'))
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH)
}

const UTF8 = new TextEncoder()

// Hand-written: no maintained library matches a string across mixed JSON and percent escapes,
// and the pattern is small (one alternation per character of the secret).
// The patterns of the secrets seen last, so that redacting many texts against the same secrets
// builds each pattern once; bounded, oldest dropped first.
const PATTERN_CACHE_SIZE = 1024
const patterns = new Map<string, RegExp>()

function echoPattern(value: string): RegExp {
  let pattern = patterns.get(value)
  if (pattern === undefined) {
    pattern = buildEchoPattern(value)
    if (patterns.size >= PATTERN_CACHE_SIZE) patterns.delete(patterns.keys().next().value as string)
    patterns.set(value, pattern)
  }
  pattern.lastIndex = 0
  return pattern
}

function buildEchoPattern(value: string): RegExp {
  let source = ''
  for (const char of value) {
    // The escaped forms come first: "\\" must be tried before the "\" it starts with.
    const forms: string[] = []
    const code = char.codePointAt(0) ?? 0
    // Percent-encoding of the UTF-8 bytes, either hex case.
    forms.push(
      [...UTF8.encode(char)]
        .map((byte) => `%${hexEitherCase(byte.toString(16).padStart(2, '0'))}`)
        .join(''),
    )
    // JSON's \uXXXX (a BMP character) and its short escapes.
    if (code <= 0xffff) forms.push(`\\\\u${hexEitherCase(code.toString(16).padStart(4, '0'))}`)
    if (char === '/') forms.push('\\\\/')
    if (char === '"') forms.push('\\\\"')
    if (char === '\\') forms.push('\\\\\\\\')
    if (char === ' ') forms.push('\\+')
    forms.push(escapeRegExp(char))
    source += `(?:${forms.join('|')})`
  }
  return new RegExp(source, 'g')
}

function hexEitherCase(hex: string): string {
  return [...hex].map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join('')
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}
