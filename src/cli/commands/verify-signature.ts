import { escapeControls, plainTextForTerminal } from '../../terminal-text.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_FAILURE,
  EXIT_OK,
} from '../command.js'
import {
  readBooleanOption,
  readSchemesOption,
  readStringOption,
  schemesOption,
  sharedOptions,
} from '../options.js'
import { maxInputOption, readCappedInput, readMaxInputBytes } from '../read-input.js'
import {
  readBodyArgument,
  readKeyEncoding,
  readSeconds,
  requireToken,
  requireUrl,
  rethrowAsUsageError,
  signingOptions,
} from './sign.js'

/** `verify-signature --url <url> --headers <file> [body]`: checks a captured delivery. */
export const verifySignatureCommand: CliCommand = {
  name: 'verify-signature',
  args: '[body]',
  description:
    'Check the signature of a captured delivery: headers file plus raw body (file or stdin)',
  options: [
    signingOptions.url,
    signingOptions.token,
    {
      flags: '--headers <file>',
      description:
        'Captured request headers: "Name: value" lines (curl -D, a raw request) or a JSON object',
    },
    signingOptions.keyEncoding,
    { flags: '--method <method>', description: 'Request method as received', default: 'POST' },
    {
      flags: '--now <seconds>',
      description:
        'Check created/expires as of this Unix time, e.g. when the request was captured (A4)',
    },
    {
      flags: '--max-age <seconds>',
      description: 'Reject a created older than this, or "off" (A4)',
      default: '300',
    },
    {
      flags: '--max-skew <seconds>',
      description: 'Reject a created further in the future than this, or "off" (A4)',
      default: '60',
    },
    maxInputOption,
    schemesOption,
    sharedOptions.json,
  ],
  examples: [
    'idaas-webhook-kit verify-signature --url https://example.com/webhooks/idaas --headers headers.txt body.json',
    'idaas-webhook-kit verify-signature --url https://example.com/webhooks/idaas --headers headers.json --max-age off - < body.json',
  ],
  run: runVerifySignature,
}

async function runVerifySignature(input: CommandInput, context: CommandContext): Promise<number> {
  const { options } = input
  const { io, style } = context
  const url = requireUrl(options, context)
  const token = requireToken(options, context)
  const keyEncoding = readKeyEncoding(options)
  const schemes = readSchemesOption(options)
  const headersFile = readStringOption(options, 'headers')
  if (headersFile === undefined) {
    throw new CliUsageError(
      `Missing option "--headers": a file with the captured request headers. Run "${context.bin} verify-signature --help" for usage.`,
    )
  }
  const maxInputBytes = readMaxInputBytes(options)
  const headers = parseHeadersFile(headersFile, await readText(headersFile, context, maxInputBytes))
  const nowSeconds = readSeconds(options, 'now', '--now')
  const maxAgeSeconds = readWindow(options, 'maxAge', '--max-age')
  const maxSkewSeconds = readWindow(options, 'maxSkew', '--max-skew')
  const body = await readBodyArgument(input.args[0], context, 'body', maxInputBytes)
  const method = readStringOption(options, 'method') ?? 'POST'

  const { verifyDelivery } = await import('../../signing/verify.js')
  const result = await verifyDelivery(
    { method, url, headers, body },
    {
      token,
      keyEncoding,
      ...(nowSeconds === undefined ? {} : { now: () => nowSeconds * 1000 }),
      maxAgeSeconds,
      maxSkewSeconds,
      schemes,
    },
  ).catch(rethrowAsUsageError)

  if (readBooleanOption(options, 'json')) {
    const summary = result.ok
      ? {
          ok: true,
          schemes: result.schemes,
          signature: result.signature,
          ...(result.unchecked === undefined ? {} : { unchecked: result.unchecked }),
          event: describeEvent(result.event),
        }
      : { ok: false, reason: result.reason, message: result.message }
    io.stdout.write(`${plainTextForTerminal(JSON.stringify(summary, null, 2))}\n`)
  } else if (result.ok) {
    const event = describeEvent(result.event)
    const created =
      result.signature.created === undefined
        ? 'no created'
        : `created ${new Date(result.signature.created * 1000).toISOString()}`
    const what =
      event.type === null ? 'a JSON body' : `"${event.type}" event ${JSON.stringify(event.id)}`
    const how = result.schemes.includes('rfc9421')
      ? `label "sig", ${created}${result.schemes.includes('x-sha2') ? ', and "x-sha2-signature"' : ''}`
      : '"x-sha2-signature" only: freshness, URL and method not checked (A17)'
    io.stdout.write(`${style.green('✔')} Signature valid (${how}) for ${escapeControls(what)}.\n`)
  } else {
    io.stdout.write(
      `${style.red('✖')} Signature invalid (${result.reason}): ${escapeControls(result.message)}\n`,
    )
  }
  return result.ok ? EXIT_OK : EXIT_FAILURE
}

/** A replay window in seconds, or `false` for "off" (A4). */
function readWindow(options: CommandInput['options'], key: string, flag: string): number | false {
  if (readStringOption(options, key) === 'off') return false
  const seconds = readSeconds(options, key, flag)
  if (seconds === undefined) throw new CliUsageError(`Missing value for option "${flag}".`)
  return seconds
}

function describeEvent(event: unknown): { type: string | null; id: string | null } {
  const record =
    event !== null && typeof event === 'object' ? (event as Record<string, unknown>) : {}
  return {
    type: typeof record.type === 'string' ? record.type : null,
    id: typeof record.id === 'string' ? record.id : null,
  }
}

async function readText(name: string, { io }: CommandContext, maxBytes: number): Promise<string> {
  const bytes = await readCappedInput({ file: name, cwd: io.cwd }, maxBytes, `"${name}"`)
  return bytes.toString('utf8')
}

/**
 * Headers from a JSON object (values strings or arrays of strings) or from "Name: value" lines,
 * skipping a request or status line (`POST /path HTTP/1.1`) and blank lines before the headers.
 * The first blank line after a header ends them: in a raw request, the body follows it.
 */
export function parseHeadersFile(name: string, text: string): Record<string, string | string[]> {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      throw new CliUsageError(`Failed to read "${name}": it starts with "{" but is not valid JSON.`)
    }
    // No prototype: a header named "__proto__" or "constructor" is an ordinary key.
    const headers: Record<string, string | string[]> = Object.create(null)
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value === 'string') headers[key] = value
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        headers[key] = value
      else throw new CliUsageError(`Failed to read "${name}": header "${key}" is not a string.`)
    }
    return headers
  }
  const headers: Record<string, string[]> = Object.create(null)
  let sawHeader = false
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' && sawHeader) break
    if (
      line.trim() === '' ||
      (index === 0 && /^\S+ \S+ HTTP\/\d/.test(line)) ||
      /^HTTP\/\d/.test(line)
    ) {
      continue
    }
    sawHeader = true
    const colon = line.indexOf(':')
    if (colon <= 0) {
      throw new CliUsageError(`Failed to read "${name}": line ${index + 1} is not "Name: value".`)
    }
    const key = line.slice(0, colon).trim().toLowerCase()
    const values = headers[key] ?? []
    values.push(line.slice(colon + 1).trim())
    headers[key] = values
  }
  return headers
}
