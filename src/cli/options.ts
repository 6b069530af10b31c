import { closestMatch } from '../closest-match.js'
import { SIGNATURE_SCHEMES, type SignatureScheme } from '../signing/x-sha2.js'
import { urlCredentialsProblem } from '../url-credentials.js'
import { type CliOptionSpec, CliUsageError } from './command.js'

/**
 * Flags shared by commands (prism's `sharedOptions.ts`): one spelling and one meaning everywhere.
 * A command lists the ones it takes in its `options`; `-h, --help` and `-v, --version` are global.
 */
export const sharedOptions = {
  help: { flags: '-h, --help', description: 'Display this message' },
  version: { flags: '-v, --version', description: 'Display the version number' },
  strict: {
    flags: '--strict',
    description: 'Fail on unknown fields and event types instead of noting them (drift check)',
  },
  reporter: {
    flags: '--reporter <name>',
    description: 'Output format: "pretty" or "json" (one JSON document)',
    default: 'pretty',
  },
  json: { flags: '--json', description: 'Print JSON instead of a table' },
  out: {
    flags: '-o, --out <file>',
    description: 'File to write (.ts, .d.ts, .mts or .d.mts; "-" for stdout)',
    default: '-',
  },
} as const satisfies Record<string, CliOptionSpec>

/** The value of a boolean flag; a repeated flag counts once. */
export function readBooleanOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
): boolean {
  const value = options[key]
  return (Array.isArray(value) ? value.at(-1) : value) === true
}

/** The value of a string option (the last one when repeated), or `undefined` when absent. */
export function readStringOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
): string | undefined {
  const value = options[key]
  const last: unknown = Array.isArray(value) ? value.at(-1) : value
  // cac turns numeric-looking values into numbers ("--out 1" gives 1): give them back as typed.
  return last === undefined || last === null ? undefined : String(last)
}

/** The value of a URL option, or `undefined` when absent; a usage error names the flag otherwise. */
export function readUrlOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
  flag: string,
): string | undefined {
  const value = readStringOption(options, key)
  if (value === undefined) return undefined
  if (!URL.canParse(value)) {
    throw new CliUsageError(`Invalid option "${flag}": expected an absolute URL, got "${value}".`)
  }
  // Every URL option names a URL that is signed (a delivery target or the registered callback).
  const credentials = urlCredentialsProblem(new URL(value))
  if (credentials !== undefined)
    throw new CliUsageError(`Invalid option "${flag}": ${credentials}.`)
  return value
}

/** The value of an option that must be one of `choices`; a usage error names the flag otherwise. */
export function readChoiceOption<const T extends string>(
  options: Readonly<Record<string, unknown>>,
  key: string,
  flag: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = readStringOption(options, key) ?? fallback
  if ((choices as readonly string[]).includes(value)) return value as T
  const expected = choices.map((c) => `"${c}"`).join(' or ')
  const suggestion = closestMatch(value, choices)
  const hint = suggestion ? ` Did you mean "${suggestion}"?` : ''
  throw new CliUsageError(`Invalid option "${flag}": expected ${expected}, got "${value}".${hint}`)
}

/** `--schemes`, shared by the commands that sign or verify (A17). */
export const schemesOption = {
  flags: '--schemes <list>',
  description:
    'Signature schemes, comma-separated: "rfc9421" (current profile), "x-sha2" (older x-sha2-signature header) (A17)',
  default: 'rfc9421',
} as const satisfies CliOptionSpec

/**
 * The `--schemes` list (A17): comma-separated scheme names, each known, none twice, at least one.
 * A usage error names the flag and the value otherwise.
 */
export function readSchemesOption(
  options: Readonly<Record<string, unknown>>,
  key = 'schemes',
  flag = '--schemes',
): SignatureScheme[] {
  const value = readStringOption(options, key) ?? 'rfc9421'
  const names = value.split(',').map((name) => name.trim())
  const known = SIGNATURE_SCHEMES.map((scheme) => `"${scheme}"`).join(', ')
  if (names.every((name) => name === '')) {
    throw new CliUsageError(
      `Invalid option "${flag}": expected a comma-separated list of ${known}, got "${value}".`,
    )
  }
  const schemes: SignatureScheme[] = []
  for (const name of names) {
    if (!(SIGNATURE_SCHEMES as readonly string[]).includes(name)) {
      const suggestion = closestMatch(name, SIGNATURE_SCHEMES)
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : ` Known schemes: ${known}.`
      throw new CliUsageError(`Invalid option "${flag}": unknown scheme "${name}".${hint}`)
    }
    if (schemes.includes(name as SignatureScheme)) {
      throw new CliUsageError(`Invalid option "${flag}": scheme "${name}" is listed twice.`)
    }
    schemes.push(name as SignatureScheme)
  }
  return schemes
}
