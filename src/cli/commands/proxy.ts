import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { redactUrl } from '../../internal/http/raw-http.js'
import { urlCredentialsProblem } from '../../url-credentials.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_FAILURE,
  EXIT_OK,
} from '../command.js'
import { describeFsError } from '../fs-errors.js'
import { readBooleanOption, readStringOption } from '../options.js'
import {
  formatRequestLine,
  listenForStop,
  portOption,
  readNumberOption,
  readServerTimeouts,
  type ServeHooks,
  serveOptions,
} from './mock.js'
import { rethrowAsUsageError } from './sign.js'

/**
 * `proxy --to <receiver-url>`: Prism in-process as a validating proxy in front of a real
 * receiver. `hooks` replace Ctrl-C as the stop signal (tests).
 */
export function createProxyCommand(hooks: ServeHooks = {}): CliCommand {
  return {
    name: 'proxy',
    description:
      'Validate deliveries on their way to a real receiver (Prism as a proxy); a summary on exit',
    options: [
      {
        flags: '--to <receiver-url>',
        description: 'The real receiver: every delivery is forwarded there',
      },
      portOption(4011),
      serveOptions.host,
      {
        flags: '--errors',
        description:
          'Refuse deliveries that break the contract with 422 instead of forwarding them',
      },
      {
        flags: '--ca <file>',
        description: 'Trust this CA certificate (PEM) for an HTTPS receiver',
      },
      {
        flags: '--max-response <bytes>',
        description: "Largest receiver's answer read; above it the proxy answers 502",
        default: '10485760',
      },
      {
        flags: '--timeout <ms>',
        description: "Most time for the receiver's whole answer, however it trickles; then 502",
        default: '30000',
      },
      serveOptions.headersTimeout,
      serveOptions.requestTimeout,
      serveOptions.quiet,
    ],
    examples: [
      'idaas-webhook-kit proxy --to http://127.0.0.1:3000/webhooks/idaas',
      'idaas-webhook-kit proxy --to https://localhost:8443/hooks --ca cert.pem --errors --port 0',
    ],
    run: (input, context) => runProxy(input, context, hooks),
  }
}

/** `proxy`, stopped with Ctrl-C. */
export const proxyCommand: CliCommand = createProxyCommand()

async function runProxy(
  input: CommandInput,
  context: CommandContext,
  hooks: ServeHooks,
): Promise<number> {
  const { options } = input
  const { io, style, bin } = context
  const to = readStringOption(options, 'to')
  if (to === undefined) {
    throw new CliUsageError(
      `Missing option "--to": the URL of the receiver to forward deliveries to. Run "${bin} proxy --help" for usage.`,
    )
  }
  let protocol: string | undefined
  try {
    protocol = new URL(to).protocol
  } catch {
    protocol = undefined
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    // A URL that parses is shown without its credentials and query.
    const shown = protocol === undefined ? to : redactUrl(to)
    throw new CliUsageError(
      `Invalid option "--to": expected an http: or https: URL, got "${shown}".`,
    )
  }
  const credentials = urlCredentialsProblem(new URL(to))
  if (credentials !== undefined) throw new CliUsageError(`Invalid option "--to": ${credentials}.`)
  const port = readNumberOption(options, 'port', '--port', { min: 0, max: 65_535 }) ?? 4011
  const host = readStringOption(options, 'host') ?? '127.0.0.1'
  const errors = readBooleanOption(options, 'errors')
  const quiet = readBooleanOption(options, 'quiet')
  const maxResponseBytes = readNumberOption(options, 'maxResponse', '--max-response', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  })
  const timeout = readNumberOption(options, 'timeout', '--timeout', { min: 1, max: 2_147_483_647 })
  const caFile = readStringOption(options, 'ca')
  let ca: string | undefined
  if (caFile !== undefined) {
    try {
      ca = await readFile(resolve(io.cwd, caFile), 'utf8')
    } catch (error) {
      throw new CliUsageError(`Failed to read "--ca" file "${caFile}": ${describeFsError(error)}.`)
    }
  }

  const [{ startValidatingProxy }, { formatPrismSummary }] = await Promise.all([
    import('../../prism/proxy.js'),
    import('../../prism/summary.js'),
  ])
  const proxy = await startValidatingProxy({
    to,
    port,
    host,
    errors,
    ...readServerTimeouts(options),
    ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(ca === undefined ? {} : { ca }),
    ...(quiet ? {} : { onRequest: (r) => io.stdout.write(`${formatRequestLine(r, style)}\n`) }),
  }).catch(rethrowAsUsageError)
  const waitForStop = listenForStop(hooks)
  const out = (text: string) => io.stdout.write(`${text}\n`)
  out(`Validating proxy listening on ${style.cyan(proxy.url)} → ${proxy.target}`)
  out(
    style.dim(
      errors
        ? '  Deliveries that break the contract are refused with 422 (--errors).'
        : '  Every delivery is forwarded; violations are reported here and in the "sl-violations" header.',
    ),
  )
  out(
    style.dim(
      '  The receiver sees the proxy URL signed as @target-uri: set its publicUrl (A5) to the proxy URL.',
    ),
  )
  out(style.dim('  Press Ctrl-C to stop.'))
  try {
    await waitForStop(proxy.url)
  } finally {
    await proxy.close()
  }
  const summary = proxy.summary()
  out('')
  out(formatPrismSummary(summary, 'proxy'))
  const failed =
    summary.invalidDeliveries > 0 ||
    summary.responseViolations.length > 0 ||
    summary.outcomes.unreachable > 0
  return failed ? EXIT_FAILURE : EXIT_OK
}
