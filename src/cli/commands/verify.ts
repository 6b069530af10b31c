import { constants } from 'node:fs'
import { access, readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { closestMatch } from '../../closest-match.js'
import { plainTextForTerminal } from '../../terminal-text.js'
import { hideUrlCredentials, urlCredentialsProblem } from '../../url-credentials.js'
import { VERIFY_CHECK_IDS, type VerifyCheckId, type VerifyReport } from '../../verify/types.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_FAILURE,
  EXIT_OK,
} from '../command.js'
import { describeFsError } from '../fs-errors.js'
import { readSchemesOption, readStringOption, schemesOption } from '../options.js'
import { readKeyEncoding, requireToken, rethrowAsUsageError, signingOptions } from './sign.js'

/** The reporters `--reporter` accepts. */
export const VERIFY_REPORTERS = ['pretty', 'json', 'junit'] as const
type ReporterName = (typeof VERIFY_REPORTERS)[number]

/** Options `verify` and `send` share. */
export const deliveryOptions = {
  publicUrl: {
    flags: '--public-url <url>',
    description:
      'Callback URL registered in IDaaS, when <url> is another way in (proxy, tunnel): the signed @target-uri (A5)',
  },
  timeout: {
    flags: '--timeout <ms>',
    description: 'Per-attempt deadline in milliseconds (IDaaS fails an attempt after 3 s)',
    default: '3000',
  },
  ca: {
    flags: '--ca <file>',
    description: 'PEM file of a CA to trust, for an https receiver with a test certificate',
  },
} as const

/** `verify <url>`: the receiver contract, for CI. */
export const verifyCommand: CliCommand = {
  name: 'verify',
  args: '<url>',
  description:
    'Check a running receiver against the IDaaS contract: signed deliveries, forgeries, raw bodies, deadline, burst (CI)',
  options: [
    signingOptions.token,
    deliveryOptions.publicUrl,
    {
      flags: '--only <ids>',
      description: 'Run only these checks: comma-separated ids, repeatable',
      repeatable: true,
    },
    {
      flags: '--skip <ids>',
      description: 'Do not run these checks: comma-separated ids, repeatable',
      repeatable: true,
    },
    {
      flags: '--burst <n>',
      description: 'Concurrent deliveries of handles-burst, 1 to 1000',
      default: '50',
    },
    deliveryOptions.timeout,
    {
      flags: '--reporter <name>',
      description: '"pretty", "json" or "junit"; repeat for several, each with its own --output',
      default: 'pretty',
      repeatable: true,
    },
    {
      flags: '--output <file>',
      description:
        'Where the reporter in the same position writes ("-" for stdout); with several reporters, one --output each',
      repeatable: true,
    },
    deliveryOptions.ca,
    signingOptions.keyEncoding,
    schemesOption,
  ],
  examples: [
    'idaas-webhook-kit verify http://localhost:3000/webhooks/idaas --token "$IDAAS_WEBHOOK_TOKEN"',
    'idaas-webhook-kit verify https://staging.example.com/webhooks/idaas --reporter pretty --reporter junit --output - --output verify.xml',
    'idaas-webhook-kit verify http://localhost:3000/webhooks/idaas --public-url https://abc.ngrok.app/webhooks/idaas --skip handles-burst',
    'idaas-webhook-kit verify http://localhost:3000/webhooks/idaas --only rejects-wrong-token,verifies-raw-body --reporter json',
  ],
  run: runVerify,
}

/** Where one reporter writes. */
interface ReporterTarget {
  name: ReporterName
  /** A path relative to the working directory, or `-` for stdout. */
  output: string
}

async function runVerify(input: CommandInput, context: CommandContext): Promise<number> {
  const { options } = input
  const { io, style } = context
  const url = readUrlArgument(input.args[0], '<url>')
  const token = requireToken(options, context)
  const publicUrl = readOptionalUrl(options, 'publicUrl', '--public-url')
  const only = readCheckIds(options.only, '--only')
  const skip = readCheckIds(options.skip, '--skip')
  const burst = readWholeNumber(options, 'burst', '--burst', 1, 1000)
  const timeoutMs = readWholeNumber(options, 'timeout', '--timeout', 1, 600_000)
  const keyEncoding = readKeyEncoding(options)
  const schemes = readSchemesOption(options)
  const targets = readReporterTargets(options)
  await checkOutputsWritable(targets, context)
  const ca = await readCa(options, context)

  const [{ verifyReceiver }, { createPrettyReporter }, reporters] = await Promise.all([
    import('../../verify/run-contract.js'),
    import('../../reporters/pretty.js'),
    loadReporters(),
  ])
  const prettyOnStdout = targets.some((t) => t.name === 'pretty' && t.output === '-')
  const pretty = prettyOnStdout
    ? createPrettyReporter({
        write: (text) => io.stdout.write(text),
        style,
        live: io.stdout.isTTY === true,
      })
    : undefined
  // Progress: pretty output on stdout prints a line per check as it ends (so a CI log shows
  // progress too) and, on a terminal, a transient "running <id>…" line while a check runs. With
  // only JSON or JUnit on stdout, that transient line goes to stderr, when stderr is a terminal.
  const progress = !prettyOnStdout && io.stderr.isTTY === true ? io.stderr : undefined
  const report: VerifyReport = await verifyReceiver(
    { url },
    {
      token,
      keyEncoding,
      schemes,
      ...(publicUrl === undefined ? {} : { publicUrl }),
      ...(only === undefined ? {} : { only }),
      ...(skip === undefined ? {} : { skip }),
      burst,
      timeoutMs,
      ...(ca === undefined ? {} : { ca }),
      onProgress: (event) => {
        pretty?.onProgress(event)
        if (progress === undefined) return
        if (event.type === 'check-start') progress.write(`\r\u001b[K  running ${event.id}…`)
        if (event.type === 'check-end') progress.write('\r\u001b[K')
      },
    },
  ).catch(rethrowAsUsageError)
  pretty?.end(report)

  for (const target of targets) {
    if (target.name === 'pretty' && target.output === '-') continue
    const text =
      target.name === 'json'
        ? reporters.formatJsonReport(report)
        : target.name === 'junit'
          ? reporters.formatJunitReport(report)
          : reporters.formatPrettyReport(report)
    if (target.output === '-') {
      io.stdout.write(plainTextForTerminal(text))
      continue
    }
    try {
      await writeFile(resolve(io.cwd, target.output), text)
    } catch (error) {
      throw new CliUsageError(
        `Failed to write the ${target.name} report to "${target.output}": ${describeFsError(error)}.`,
      )
    }
  }
  if (io.env.GITHUB_ACTIONS === 'true') {
    // Workflow commands are read from stdout; keep a JSON or JUnit document there clean.
    const machineOnStdout = targets.some((t) => t.output === '-' && t.name !== 'pretty')
    ;(machineOnStdout ? io.stderr : io.stdout).write(
      plainTextForTerminal(reporters.formatGithubAnnotations(report)),
    )
  }
  return report.ok ? EXIT_OK : EXIT_FAILURE
}

async function loadReporters() {
  const [json, junit, pretty, github] = await Promise.all([
    import('../../reporters/json.js'),
    import('../../reporters/junit.js'),
    import('../../reporters/pretty.js'),
    import('../../reporters/github-actions.js'),
  ])
  return {
    formatJsonReport: json.formatJsonReport,
    formatJunitReport: (report: VerifyReport) => junit.formatJunitReport(report),
    formatPrettyReport: (report: VerifyReport) => pretty.formatPrettyReport(report),
    formatGithubAnnotations: github.formatGithubAnnotations,
  }
}

/** An absolute http(s) URL argument, or a usage error naming it. */
export function readUrlArgument(value: string | undefined, name: string): string {
  let url: URL | undefined
  try {
    url = new URL(value ?? '')
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliUsageError(
      `Invalid argument "${name}": expected an absolute http: or https: URL, got "${hideUrlCredentials(value ?? '')}".`,
    )
  }
  const credentials = urlCredentialsProblem(url)
  if (credentials !== undefined)
    throw new CliUsageError(`Invalid argument "${name}": ${credentials}.`)
  return url.href
}

/** An optional absolute http(s) URL option. */
export function readOptionalUrl(
  options: CommandInput['options'],
  key: string,
  flag: string,
): string | undefined {
  const value = readStringOption(options, key)
  if (value === undefined) return undefined
  try {
    return readUrlArgument(value, flag)
  } catch {
    if (URL.canParse(value)) {
      const credentials = urlCredentialsProblem(new URL(value))
      if (credentials !== undefined)
        throw new CliUsageError(`Invalid option "${flag}": ${credentials}.`)
    }
    throw new CliUsageError(
      `Invalid option "${flag}": expected an absolute http: or https: URL, got "${hideUrlCredentials(value)}".`,
    )
  }
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

/** Comma-separated, repeatable check ids; an unknown id is a usage error with a suggestion. */
function readCheckIds(value: unknown, flag: string): VerifyCheckId[] | undefined {
  if (value === undefined) return undefined
  const ids = asList(value)
    .flatMap((item) => item.split(','))
    .map((id) => id.trim())
    .filter((id) => id !== '')
  if (ids.length === 0 || asList(value).some((v) => v === 'true' || v === 'false')) {
    throw new CliUsageError(
      `Missing value for option "${flag}": expected check ids, e.g. "${flag} handles-burst".`,
    )
  }
  for (const id of ids) {
    if ((VERIFY_CHECK_IDS as readonly string[]).includes(id)) continue
    const suggestion = closestMatch(id, VERIFY_CHECK_IDS)
    const hint = suggestion
      ? `Did you mean "${suggestion}"?`
      : `Known checks: ${VERIFY_CHECK_IDS.join(', ')}.`
    throw new CliUsageError(`Unknown check "${id}" in "${flag}". ${hint}`)
  }
  return [...new Set(ids)] as VerifyCheckId[]
}

function readWholeNumber(
  options: CommandInput['options'],
  key: string,
  flag: string,
  min: number,
  max: number,
): number {
  const value = readStringOption(options, key)
  const number = Number(value)
  if (value === undefined || !/^\d+$/.test(value) || number < min || number > max) {
    throw new CliUsageError(
      `Invalid option "${flag}": expected a whole number from ${min} to ${max}, got "${value ?? ''}".`,
    )
  }
  return number
}

/**
 * `--reporter` and `--output` pair by position: the n-th `--output` is where the n-th
 * `--reporter` writes. One reporter may omit `--output` (stdout); several need one each, and at
 * most one may write to stdout ("-").
 */
function readReporterTargets(options: CommandInput['options']): ReporterTarget[] {
  const names = asList(options.reporter)
  const outputs = asList(options.output)
  const reporters = names.map((name) => {
    if ((VERIFY_REPORTERS as readonly string[]).includes(name)) return name as ReporterName
    const suggestion = closestMatch(name, VERIFY_REPORTERS)
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : ''
    throw new CliUsageError(
      `Invalid option "--reporter": expected "pretty", "json" or "junit", got "${name}".${hint}`,
    )
  })
  if (outputs.some((o) => o === 'true' || o === '')) {
    throw new CliUsageError(
      'Missing value for option "--output": expected a file, or "-" for stdout.',
    )
  }
  if (reporters.length > 1 && outputs.length !== reporters.length) {
    throw new CliUsageError(
      `Got ${reporters.length} "--reporter" and ${outputs.length} "--output": give one "--output" per "--reporter", in the same order ("-" for stdout).`,
    )
  }
  if (reporters.length === 1 && outputs.length > 1) {
    throw new CliUsageError(
      `Got 1 "--reporter" and ${outputs.length} "--output": give one "--output" per "--reporter", in the same order ("-" for stdout).`,
    )
  }
  const targets = reporters.map((name, i) => ({ name, output: outputs[i] ?? '-' }))
  if (targets.filter((t) => t.output === '-').length > 1) {
    throw new CliUsageError(
      'Several reporters write to stdout: give all but one of them a file with "--output".',
    )
  }
  const files = targets.map((t) => t.output).filter((o) => o !== '-')
  const repeated = files.find((file, i) => files.indexOf(file) !== i)
  if (repeated !== undefined) {
    throw new CliUsageError(`Two reporters write to "${repeated}": give each its own "--output".`)
  }
  return targets
}

async function checkOutputsWritable(
  targets: readonly ReporterTarget[],
  { io }: CommandContext,
): Promise<void> {
  for (const { output } of targets) {
    if (output === '-') continue
    try {
      await access(dirname(resolve(io.cwd, output)), constants.W_OK)
    } catch (error) {
      throw new CliUsageError(
        `Invalid option "--output": cannot write "${output}": ${describeFsError(error)}.`,
      )
    }
  }
}

/** `--ca <file>`: the PEM text, or a usage error. */
export async function readCa(
  options: CommandInput['options'],
  { io }: CommandContext,
): Promise<string | undefined> {
  const file = readStringOption(options, 'ca')
  if (file === undefined) return undefined
  let text: string
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8')
  } catch (error) {
    throw new CliUsageError(`Failed to read "${file}" (option "--ca"): ${describeFsError(error)}.`)
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CliUsageError(`Invalid option "--ca": "${file}" holds no PEM certificate.`)
  }
  return text
}
