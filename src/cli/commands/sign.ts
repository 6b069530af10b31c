import { isKitError, MESSAGE_PREFIX } from '../../errors.js'
import { escapeControls, plainTextForTerminal } from '../../terminal-text.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_OK,
} from '../command.js'
import {
  readBooleanOption,
  readChoiceOption,
  readSchemesOption,
  readStringOption,
  readUrlOption,
  schemesOption,
  sharedOptions,
} from '../options.js'
import {
  MAX_INPUT_BYTES,
  maxInputOption,
  readCappedInput,
  readMaxInputBytes,
} from '../read-input.js'

/** Environment variable the signing commands read the webhook token from. */
export const TOKEN_ENV = 'IDAAS_WEBHOOK_TOKEN'

const STDIN = '-'

/** Options both signing commands take. */
export const signingOptions = {
  url: {
    flags: '--url <url>',
    description: 'Callback URL as registered in IDaaS: the signed @target-uri (A5)',
  },
  token: {
    flags: '--token <token>',
    description: `Webhook token (default: $${TOKEN_ENV}, which keeps it out of shell history)`,
  },
  keyEncoding: {
    flags: '--key-encoding <encoding>',
    description: 'How the token becomes the HMAC key: "utf8" or "base64" (A1)',
    default: 'utf8',
  },
} as const

/** `sign --url <url> [file|-]`: prints the headers IDaaS would send with a body. */
export const signCommand: CliCommand = {
  name: 'sign',
  args: '[file]',
  description: 'Print the signature headers IDaaS would send with a body (file or stdin), for curl',
  options: [
    signingOptions.url,
    signingOptions.token,
    signingOptions.keyEncoding,
    {
      flags: '--digest <algorithm>',
      description: 'Content-Digest algorithm: "sha-256" or "sha-512" (A2)',
      default: 'sha-256',
    },
    {
      flags: '--created <seconds>',
      description: 'created parameter in Unix seconds, or "none" to send none (default: now; A3)',
    },
    { flags: '--expires <seconds>', description: 'expires parameter in Unix seconds (A3)' },
    { flags: '--keyid <keyid>', description: 'keyid parameter (A3)' },
    { flags: '--nonce <nonce>', description: 'nonce parameter (A3)' },
    { flags: '--tag <tag>', description: 'tag parameter (A3)' },
    maxInputOption,
    schemesOption,
    sharedOptions.json,
  ],
  examples: [
    'idaas-webhook-kit sign --url https://example.com/webhooks/idaas event.json > headers.txt',
    'curl https://example.com/webhooks/idaas -H @headers.txt --data-binary @event.json',
    'idaas-webhook-kit events --json | idaas-webhook-kit sign --url https://example.com/hook -',
    'idaas-webhook-kit sign --url https://example.com/webhooks/idaas --schemes rfc9421,x-sha2 event.json',
  ],
  run: runSign,
}

async function runSign(input: CommandInput, context: CommandContext): Promise<number> {
  const { options } = input
  const url = requireUrl(options, context)
  const token = requireToken(options, context)
  const keyEncoding = readKeyEncoding(options)
  const digestAlgorithm = readChoiceOption(
    options,
    'digest',
    '--digest',
    ['sha-256', 'sha-512'],
    'sha-256',
  )
  // A kebab-case boolean flag such as --omit-created would swallow the next argument in cac 7.1
  // (it declares camelCase names as booleans to mri), so "none" is a value instead.
  const created =
    readStringOption(options, 'created') === 'none'
      ? false
      : readSeconds(options, 'created', '--created')
  const schemes = readSchemesOption(options)
  const body = await readBodyArgument(input.args[0], context, 'body', readMaxInputBytes(options))

  const { signDelivery } = await import('../../signing/sign.js')
  const expires = readSeconds(options, 'expires', '--expires')
  const headers = asUsageError(() =>
    signDelivery({
      url,
      body,
      token,
      keyEncoding,
      digestAlgorithm,
      ...(created === undefined ? {} : { created }),
      ...(expires === undefined ? {} : { expires }),
      ...optionalStrings(options, ['keyid', 'nonce', 'tag']),
      schemes,
    }),
  )
  if (readBooleanOption(options, 'json')) {
    context.io.stdout.write(`${plainTextForTerminal(JSON.stringify(headers, null, 2))}\n`)
  } else {
    // One "Name: value" per line: the format of curl's -H @file.
    for (const [name, value] of Object.entries(headers))
      context.io.stdout.write(`${escapeControls(`${name}: ${value}`)}\n`)
  }
  return EXIT_OK
}

/** Runs `action`, turning a `KitError` about the options into a usage error (exit 2). */
export function asUsageError<T>(action: () => T): T {
  try {
    return action()
  } catch (error) {
    return rethrowAsUsageError(error)
  }
}

/** Rethrows a `KitError` as a usage error (exit 2) and anything else as it is. */
export function rethrowAsUsageError(error: unknown): never {
  if (!isKitError(error)) throw error
  throw new CliUsageError(error.message.replace(`${MESSAGE_PREFIX} `, ''))
}

/** The absolute `--url`, or a usage error. */
export function requireUrl(options: CommandInput['options'], { bin }: CommandContext): string {
  const url = readUrlOption(options, 'url', '--url')
  if (url === undefined) {
    throw new CliUsageError(
      `Missing option "--url": the callback URL registered in IDaaS. Run "${bin} --help" for usage.`,
    )
  }
  return url
}

/** `--token` or `$IDAAS_WEBHOOK_TOKEN`, or a usage error. The token is never printed. */
export function requireToken(options: CommandInput['options'], { io }: CommandContext): string {
  const token = readStringOption(options, 'token') ?? io.env[TOKEN_ENV]
  if (token === undefined || token === '') {
    throw new CliUsageError(`Missing token: pass "--token <token>" or set ${TOKEN_ENV}.`)
  }
  return token
}

/** `--key-encoding` (A1). */
export function readKeyEncoding(options: CommandInput['options']): 'utf8' | 'base64' {
  return readChoiceOption(options, 'keyEncoding', '--key-encoding', ['utf8', 'base64'], 'utf8')
}

/** A whole number of Unix seconds from an option, or `undefined` when absent. */
export function readSeconds(
  options: CommandInput['options'],
  key: string,
  flag: string,
): number | undefined {
  const value = readStringOption(options, key)
  if (value === undefined) return undefined
  if (!/^\d{1,15}$/.test(value)) {
    throw new CliUsageError(
      `Invalid option "${flag}": expected whole Unix seconds, got "${value}".`,
    )
  }
  return Number(value)
}

function optionalStrings(
  options: CommandInput['options'],
  keys: readonly ('keyid' | 'nonce' | 'tag')[],
): { keyid?: string; nonce?: string; tag?: string } {
  const result: { keyid?: string; nonce?: string; tag?: string } = {}
  for (const key of keys) {
    const value = readStringOption(options, key)
    if (value === undefined) continue
    // Signature-Input carries them as structured-field strings (RFC 8941 §3.3.3): printable
    // ASCII only. Checked here so the message names the flag.
    if (!/^[\u0020-\u007e]*$/.test(value)) {
      throw new CliUsageError(
        `Invalid option "--${key}": expected printable ASCII characters only (it is sent as a structured-field string in Signature-Input), got ${JSON.stringify(value)}.`,
      )
    }
    result[key] = value
  }
  return result
}

/**
 * The exact bytes of a body argument: a file, or stdin for "-" or no argument. Nothing is
 * trimmed: a trailing newline in the file is part of what is signed.
 */
export async function readBodyArgument(
  name: string | undefined,
  { io, bin }: CommandContext,
  what = 'body',
  maxBytes = MAX_INPUT_BYTES,
): Promise<Uint8Array> {
  if (name === undefined || name === STDIN) {
    if (name === undefined && io.stdin.isTTY === true) {
      throw new CliUsageError(
        `Missing ${what}: give a file, or pipe it to stdin. Run "${bin} --help" for examples.`,
      )
    }
    return readCappedInput({ stdin: io.stdin }, maxBytes, 'stdin')
  }
  return readCappedInput({ file: name, cwd: io.cwd }, maxBytes, `"${name}"`)
}
