/** What a secret is replaced with in messages, reports and evidence. */
export const REDACTED = '[redacted]'

// Shorter strings are too likely to occur by chance in unrelated text to be replaced.
const MIN_SECRET_LENGTH = 4

/**
 * `text` with every secret replaced by {@link REDACTED}. A signature field value (`sig=:…:`) is
 * also removed without its frame, as a receiver may echo only the base64 part.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text
  for (const secret of secrets) {
    const bare = /^[a-z*][a-z0-9_.*-]*=:(.*):$/.exec(secret)?.[1]
    for (const value of bare ? [secret, bare] : [secret]) {
      if (value.length >= MIN_SECRET_LENGTH) result = result.replaceAll(value, REDACTED)
    }
  }
  return result
}
