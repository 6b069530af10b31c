import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { ReplayResult } from '../../capture/replay.js'
import { formatMessage } from '../../errors.js'
import { redactUrl } from '../../internal/http/raw-http.js'
import {
  escapeControls,
  escapeControlsKeepingLines,
  plainTextForTerminal,
} from '../../terminal-text.js'
import { urlCredentialsProblem } from '../../url-credentials.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
} from '../command.js'
import { describeFsError } from '../fs-errors.js'
import {
  readChoiceOption,
  readSchemesOption,
  readStringOption,
  schemesOption,
  sharedOptions,
} from '../options.js'
import type { Style } from '../style.js'
import { maxLineBytesOption, openCaptureFile, readMaxLineBytes } from './check.js'
import {
  readKeyEncoding,
  requireToken,
  rethrowAsUsageError,
  signingOptions,
  TOKEN_ENV,
} from './sign.js'

/** `replay <deliveries.jsonl> --to <url> --token <token>`: re-sign and resend captured deliveries. */
export const replayCommand: CliCommand = {
  name: 'replay',
  args: '<deliveries>',
  description:
    'Re-sign and resend captured deliveries (exact body bytes) to a receiver under the IDaaS policy',
  options: [
    { flags: '--to <url>', description: 'The receiver to resend to: the new signed @target-uri' },
    {
      flags: '--token <token>',
      description: `The receiver's webhook token (default: $${TOKEN_ENV}; never printed)`,
    },
    signingOptions.keyEncoding,
    schemesOption,
    {
      flags: '--policy <name>',
      description: 'Delivery policy: "idaas" (3 attempts, 5xx retried) or "issuance-legacy"',
      default: 'idaas',
    },
    { flags: '--ca <file>', description: 'Trust this CA certificate (PEM) for an HTTPS receiver' },
    sharedOptions.reporter,
    maxLineBytesOption,
  ],
  examples: [
    'idaas-webhook-kit replay deliveries.jsonl --to http://127.0.0.1:3000/webhooks/idaas --token whsec_local',
    'IDAAS_WEBHOOK_TOKEN=whsec_local idaas-webhook-kit replay deliveries.jsonl --to https://localhost:8443/hooks --ca cert.pem',
  ],
  run: runReplay,
}

function formatResult(
  result: ReplayResult,
  style: Style,
  describe: (r: NonNullable<ReplayResult['report']>) => string,
): string {
  // Types, ids, reasons and the receiver's answers come from the capture file and the receiver.
  const what = escapeControls(
    `line ${result.line}${result.eventType ? ` ${result.eventType}` : ''}${result.eventId ? ` ${JSON.stringify(result.eventId)}` : ''}`,
  )
  if (result.result === 'skipped')
    return `${style.yellow('⚠')} ${what}: skipped, ${escapeControls(String(result.reason))}.`
  if (result.result === 'cancelled' || result.report === undefined)
    return `${style.yellow('⚠')} ${what}: cancelled.`
  const mark = result.result === 'delivered' ? style.green('✔') : style.red('✖')
  return `${mark} ${what}: ${escapeControlsKeepingLines(describe(result.report))}`
}

async function runReplay(input: CommandInput, context: CommandContext): Promise<number> {
  const { options } = input
  const { io, style, bin } = context
  const to = readStringOption(options, 'to')
  if (to === undefined) {
    throw new CliUsageError(
      `Missing option "--to": the receiver URL to resend to. Run "${bin} replay --help" for usage.`,
    )
  }
  let url: URL
  try {
    url = new URL(to)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol')
  } catch {
    const shown = URL.canParse(to) ? redactUrl(to) : to
    throw new CliUsageError(
      `Invalid option "--to": expected an http: or https: URL, got "${shown}".`,
    )
  }
  const credentials = urlCredentialsProblem(url)
  if (credentials !== undefined) throw new CliUsageError(`Invalid option "--to": ${credentials}.`)
  const token = requireToken(options, context)
  const keyEncoding = readKeyEncoding(options)
  const schemes = readSchemesOption(options)
  const policy = readChoiceOption(
    options,
    'policy',
    '--policy',
    ['idaas', 'issuance-legacy'],
    'idaas',
  )
  const reporter = readChoiceOption(options, 'reporter', '--reporter', ['pretty', 'json'], 'pretty')
  const caFile = readStringOption(options, 'ca')
  let ca: string | undefined
  if (caFile !== undefined) {
    try {
      ca = await readFile(resolve(io.cwd, caFile), 'utf8')
    } catch (error) {
      throw new CliUsageError(`Failed to read "--ca" file "${caFile}": ${describeFsError(error)}.`)
    }
  }
  const maxLineBytes = readMaxLineBytes(options)
  const name = input.args[0] as string
  const source = await openCaptureFile(name, context, 'replay')

  const [{ collectCaptureLines }, { replayDeliveries }, { formatDeliveryReport }] =
    await Promise.all([
      import('../../capture/read-captures.js'),
      import('../../capture/replay.js'),
      import('../../delivery/report.js'),
    ])
  let read: Awaited<ReturnType<typeof collectCaptureLines>>
  try {
    read = await collectCaptureLines(
      source as AsyncIterable<string | Uint8Array>,
      maxLineBytes === undefined ? {} : { maxLineBytes },
    )
  } catch (error) {
    io.stderr.write(
      `${style.red(escapeControls(formatMessage(`Failed to read "${name}": ${describeFsError(error)}.`)))}\n`,
    )
    return EXIT_USAGE
  }
  const pretty = reporter === 'pretty'
  for (const problem of read.problems) {
    if (pretty)
      io.stdout.write(
        `${problem.fatal ? style.red('✖') : style.yellow('⚠')} ${escapeControls(problem.message)}.\n`,
      )
  }
  if (pretty) {
    io.stdout.write(
      `Replaying ${read.entries.length} ${read.entries.length === 1 ? 'delivery' : 'deliveries'} to ${redactUrl(to)} (policy "${policy}", real time: retries wait).\n`,
    )
  }
  const describe = (report: Parameters<typeof formatDeliveryReport>[0]) =>
    report.ok ? (formatDeliveryReport(report).split('\n')[0] ?? '') : formatDeliveryReport(report)
  const summary = await replayDeliveries(read.entries, {
    to,
    token,
    signing: { keyEncoding },
    schemes,
    policy,
    clock: 'real',
    ...(ca === undefined ? {} : { ca }),
    ...(pretty
      ? { onResult: (r) => io.stdout.write(`${formatResult(r, style, describe)}\n`) }
      : {}),
  }).catch(rethrowAsUsageError)
  const notDelivered = summary.failed + summary.skipped + summary.cancelled
  const unreadable = read.problems.filter((p) => p.fatal)
  const fatalProblems = unreadable.length
  if (pretty) {
    // An unreadable line may have been a delivery: say which lines were not replayed.
    const lines = unreadable.map((p) => p.line)
    const notRead =
      fatalProblems === 0
        ? ''
        : `, ${fatalProblems} unreadable ${fatalProblems === 1 ? 'line' : 'lines'} not replayed (line${fatalProblems === 1 ? '' : 's'} ${lines.slice(0, 10).join(', ')}${fatalProblems > 10 ? ', …' : ''})`
    io.stdout.write(
      `\n${notDelivered === 0 && fatalProblems === 0 ? style.green('✔') : style.red('✖')} ${summary.delivered} delivered, ${summary.failed} failed, ${summary.skipped} skipped${summary.cancelled ? `, ${summary.cancelled} cancelled` : ''}${notRead}.\n`,
    )
  } else {
    const { results, ...totals } = summary
    io.stdout.write(
      `${plainTextForTerminal(JSON.stringify({ format: 'idaas-webhook-kit.replay-report', version: 1, to: redactUrl(to), policy, ...totals, problems: read.problems, results }, null, 2))}\n`,
    )
  }
  return notDelivered === 0 && fatalProblems === 0 ? EXIT_OK : EXIT_FAILURE
}
