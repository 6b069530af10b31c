import { constants, createReadStream } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { formatMessage } from '../../errors.js'
import { escapeControls, escapeStringsDeep, plainTextForTerminal } from '../../terminal-text.js'
import {
  type CliCommand,
  type CliInput,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
} from '../command.js'
import { describeFsError } from '../fs-errors.js'
import {
  readBooleanOption,
  readChoiceOption,
  readSchemesOption,
  readStringOption,
  readUrlOption,
  schemesOption,
  sharedOptions,
} from '../options.js'
import { readNumberOption } from './mock.js'
import { readKeyEncoding, signingOptions, TOKEN_ENV } from './sign.js'

/** A capture file argument opened for reading: a file, or stdin for "-". @internal */
export async function openCaptureFile(
  name: string,
  { io, bin }: CommandContext,
  command: string,
): Promise<CliInput | NodeJS.ReadableStream> {
  if (name === '-') {
    if (io.stdin.isTTY === true) {
      throw new CliUsageError(
        `Nothing to read: "-" means stdin, but stdin is a terminal. Run "${bin} ${command} --help" for usage.`,
      )
    }
    return io.stdin
  }
  const path = resolve(io.cwd, name)
  try {
    const stats = await stat(path)
    if (stats.isDirectory()) throw new CliUsageError(`Failed to read "${name}": it is a directory.`)
    await access(path, constants.R_OK)
  } catch (error) {
    if (error instanceof CliUsageError) throw error
    throw new CliUsageError(`Failed to read "${name}": ${describeFsError(error)}.`)
  }
  return createReadStream(path)
}

/** `--max-line-bytes`, shared by check and replay. @internal */
export const maxLineBytesOption = {
  flags: '--max-line-bytes <bytes>',
  description:
    'Longest capture line read; longer lines are reported, not read (default: 8388608, 8 MiB)',
}

/** The value of `--max-line-bytes`, or `undefined` for the default. @internal */
export function readMaxLineBytes(options: CommandInput['options']): number | undefined {
  return readNumberOption(options, 'maxLineBytes', '--max-line-bytes', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  })
}

/** `check <deliveries.jsonl>`: the drift report of captured deliveries. */
export const checkCommand: CliCommand = {
  name: 'check',
  args: '<deliveries>',
  description:
    'Check captured deliveries (from capture) against the schemas and the signing profile: the drift report',
  options: [
    sharedOptions.reporter,
    {
      flags: '--token <token>',
      description: `Re-verify every signature with this token (default: $${TOKEN_ENV} if set)`,
    },
    signingOptions.keyEncoding,
    schemesOption,
    {
      flags: '--public-url <url>',
      description: 'The callback URL registered in IDaaS, if the capture did not record it (A5)',
    },
    { flags: '--fail-on-drift', description: 'Exit 1 on drift findings too, not only on errors' },
    maxLineBytesOption,
  ],
  examples: [
    'idaas-webhook-kit check deliveries.jsonl',
    'idaas-webhook-kit check deliveries.jsonl --reporter json > drift.json',
    'idaas-webhook-kit check deliveries.jsonl --token "$IDAAS_WEBHOOK_TOKEN" --fail-on-drift',
  ],
  run: runCheck,
}

async function runCheck(input: CommandInput, context: CommandContext): Promise<number> {
  const { options } = input
  const { io, style } = context
  const reporter = readChoiceOption(options, 'reporter', '--reporter', ['pretty', 'json'], 'pretty')
  const token = readStringOption(options, 'token') ?? (io.env[TOKEN_ENV] || undefined)
  const keyEncoding = readKeyEncoding(options)
  const schemes = readSchemesOption(options)
  const publicUrl = readUrlOption(options, 'publicUrl', '--public-url')
  const maxLineBytes = readMaxLineBytes(options)
  const name = input.args[0] as string
  const source = await openCaptureFile(name, context, 'check')

  const { checkCaptureStream, formatDriftReport } = await import('../../capture/check.js')
  let report: Awaited<ReturnType<typeof checkCaptureStream>>
  try {
    // One streaming pass: one line in memory at a time, whatever the file's size.
    report = await checkCaptureStream(source as AsyncIterable<string | Uint8Array>, {
      ...(token === undefined ? {} : { token, keyEncoding, schemes }),
      ...(publicUrl === undefined ? {} : { publicUrl }),
      ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
    })
  } catch (error) {
    io.stderr.write(
      `${style.red(escapeControls(formatMessage(`Failed to read "${name}": ${describeFsError(error)}.`)))}\n`,
    )
    return EXIT_USAGE
  }
  // Findings quote the deliveries and the file name: escaped before they reach the terminal.
  if (reporter === 'json')
    io.stdout.write(`${plainTextForTerminal(JSON.stringify(report, null, 2))}\n`)
  else {
    const sourceName = name === '-' ? '<stdin>' : name
    io.stdout.write(
      `${formatDriftReport(escapeStringsDeep(report), { source: escapeControls(sourceName), style })}\n`,
    )
  }
  if (!report.ok) return EXIT_FAILURE
  if (readBooleanOption(options, 'failOnDrift') && report.drift.length > 0) return EXIT_FAILURE
  return EXIT_OK
}
