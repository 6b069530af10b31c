import { untilProcessSignal } from '../../internal/http/until-stopped.js'
import type { PrismRequestRecord } from '../../prism/summary.js'
import { escapeControls, quoteForTerminal } from '../../terminal-text.js'
import {
  type CliCommand,
  type CliOptionSpec,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_OK,
} from '../command.js'
import { readBooleanOption, readStringOption } from '../options.js'
import type { Style } from '../style.js'
import { rethrowAsUsageError } from './sign.js'

/** How a long-running command (mock, proxy, capture) learns that it should stop. */
export interface ServeHooks {
  /**
   * Resolves when the server should stop; it is called once the server is ready, with its URL.
   * @default the first SIGINT (Ctrl-C) or SIGTERM
   */
  untilStopped?: (ready: { url: string }) => Promise<unknown>
}

/** Options the server commands share. */
export const serveOptions = {
  host: {
    flags: '--host <host>',
    description: 'Address to bind; "0.0.0.0" exposes it to the network',
    default: '127.0.0.1',
  },
  quiet: { flags: '--quiet', description: 'Print no line per request, only the summary on exit' },
  headersTimeout: {
    flags: '--headers-timeout <ms>',
    description: 'Most time a sender gets for the request headers; then 408 and the socket closed',
    default: '10000',
  },
  requestTimeout: {
    flags: '--request-timeout <ms>',
    description: 'Most time a sender gets for the whole request; then 408 and the socket closed',
    default: '30000',
  },
} as const satisfies Record<string, CliOptionSpec>

/** `--headers-timeout` and `--request-timeout` as server options (absent ones left out). */
export function readServerTimeouts(options: CommandInput['options']): {
  headersTimeoutMs?: number
  requestTimeoutMs?: number
} {
  const rule = { min: 1, max: 2_147_483_647 }
  const headersTimeoutMs = readNumberOption(options, 'headersTimeout', '--headers-timeout', rule)
  const requestTimeoutMs = readNumberOption(options, 'requestTimeout', '--request-timeout', rule)
  if (headersTimeoutMs !== undefined && headersTimeoutMs > (requestTimeoutMs ?? 30_000)) {
    throw new CliUsageError(
      `Invalid option "--headers-timeout": expected at most "--request-timeout" (${requestTimeoutMs ?? 30_000}), got "${headersTimeoutMs}".`,
    )
  }
  return {
    ...(headersTimeoutMs === undefined ? {} : { headersTimeoutMs }),
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  }
}

/** `--port` with a command's default. */
export function portOption(port: number): CliOptionSpec {
  return {
    flags: '--port <port>',
    description: 'Port to listen on; 0 picks a free one',
    default: String(port),
  }
}

/** A number option within bounds, or a usage error naming the flag; `undefined` when absent. */
export function readNumberOption(
  options: CommandInput['options'],
  key: string,
  flag: string,
  rule: { min: number; max: number; integer?: boolean },
): number | undefined {
  const text = readStringOption(options, key)
  if (text === undefined) return undefined
  const value = Number(text)
  const integer = rule.integer !== false
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < rule.min ||
    value > rule.max
  ) {
    const what = integer ? 'a whole number' : 'a number'
    throw new CliUsageError(
      `Invalid option "${flag}": expected ${what} from ${rule.min} to ${rule.max}, got "${text}".`,
    )
  }
  return value
}

/**
 * Starts listening for the stop signal at once (Ctrl-C / SIGTERM, or the hooks'), so that a
 * Ctrl-C right after the URL is printed already stops the server cleanly; the returned function
 * waits for it. Call it before printing the URL. @internal
 */
export function listenForStop(hooks: ServeHooks): (url: string) => Promise<void> {
  if (hooks.untilStopped) {
    const untilStopped = hooks.untilStopped
    return async (url) => {
      await untilStopped({ url })
    }
  }
  const signal = untilProcessSignal()
  return async () => {
    await signal
  }
}

/**
 * One line per mock or proxy request: status, method, path, event and the first violation.
 * Values from the request are quoted or escaped, so no control character reaches the terminal.
 */
export function formatRequestLine(record: PrismRequestRecord, style: Style): string {
  const errors = record.violations.filter(
    (v) => v.location[0] !== 'response' && v.severity === 'Error',
  )
  const ok = record.status >= 200 && record.status <= 299 && errors.length === 0
  const mark = ok ? style.green('✔') : record.status >= 500 ? style.yellow('✖') : style.red('✖')
  const event = record.eventType === null ? '' : ` ${quoteForTerminal(record.eventType)}`
  const id = record.eventId === null ? '' : ` ${quoteForTerminal(record.eventId)}`
  const notes: string[] = []
  if (record.injected) notes.push('failure injected')
  if (record.upstreamError !== undefined)
    notes.push(`receiver unreachable: ${record.upstreamError}`)
  const first = errors[0]
  if (first) {
    const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : ''
    notes.push(`${escapeControls(first.message)}${more}`)
  }
  const response = record.violations.find((v) => v.location[0] === 'response')
  if (response) notes.push(`receiver: ${escapeControls(response.message)}`)
  const tail = notes.length === 0 ? '' : ` ${style.dim('·')} ${notes.join('; ')}`
  return `${mark} ${record.status} ${record.method} ${escapeControls(record.path)}${event}${id} ${style.dim(`${record.durationMs.toFixed(1)} ms`)}${tail}`
}

/**
 * `mock`: Prism in-process as a mock IDaaS webhook receiver on the kit's OpenAPI document.
 * `hooks` replace Ctrl-C as the stop signal (tests).
 */
export function createMockCommand(hooks: ServeHooks = {}): CliCommand {
  return {
    name: 'mock',
    description:
      'Run a mock IDaaS webhook receiver (Prism, validating every delivery against the contract)',
    options: [
      portOption(4010),
      serveOptions.host,
      {
        flags: '--fail-rate <rate>',
        description: 'Share of valid deliveries answered with --status, from 0 to 1 (seeded)',
      },
      {
        flags: '--status <status>',
        description:
          'The 5xx status of failed deliveries; alone, every valid delivery fails (default: 503)',
      },
      { flags: '--seed <seed>', description: 'Seed of the --fail-rate draws', default: '1' },
      serveOptions.headersTimeout,
      serveOptions.requestTimeout,
      serveOptions.quiet,
    ],
    examples: [
      'idaas-webhook-kit mock',
      'idaas-webhook-kit mock --port 0 --fail-rate 0.3 --status 503 --seed 7',
      'idaas-webhook-kit mock --status 503   # every valid delivery gets 503: watch the retries',
    ],
    run: (input, context) => runMock(input, context, hooks),
  }
}

/** `mock`, stopped with Ctrl-C. */
export const mockCommand: CliCommand = createMockCommand()

async function runMock(
  input: CommandInput,
  context: CommandContext,
  hooks: ServeHooks,
): Promise<number> {
  const { options } = input
  const { io, style } = context
  const port = readNumberOption(options, 'port', '--port', { min: 0, max: 65_535 }) ?? 4010
  const host = readStringOption(options, 'host') ?? '127.0.0.1'
  const status = readNumberOption(options, 'status', '--status', { min: 500, max: 599 })
  const failRate = readNumberOption(options, 'failRate', '--fail-rate', {
    min: 0,
    max: 1,
    integer: false,
  })
  const seed = readNumberOption(options, 'seed', '--seed', {
    min: -(2 ** 31),
    max: 2 ** 32,
    integer: false,
  })
  const quiet = readBooleanOption(options, 'quiet')
  const timeouts = readServerTimeouts(options)

  const [
    { startMockReceiver },
    { formatPrismSummary },
    { OPENAPI_DOCUMENT_FILE },
    prismModule,
    { createRequestLog },
  ] = await Promise.all([
    import('../../prism/mock-receiver.js'),
    import('../../prism/summary.js'),
    import('../../prism/document.js'),
    import('../../prism/prism-module.js'),
    import('../../prism/request-log.js'),
  ])
  // Batched and capped per interval: a line per request written at once costs a loaded mock
  // more throughput than Prism's validation of the request does.
  const log = quiet
    ? undefined
    : createRequestLog({
        write: (text) => io.stdout.write(text),
        format: (record) => formatRequestLine(record, style),
      })
  const mock = await startMockReceiver({
    port,
    host,
    ...(status === undefined ? {} : { status }),
    ...(failRate === undefined ? {} : { failRate }),
    ...(seed === undefined ? {} : { seed }),
    ...timeouts,
    ...(log === undefined ? {} : { onRequest: (r) => log.add(r) }),
  }).catch(rethrowAsUsageError)
  const waitForStop = listenForStop(hooks)
  const out = (text: string) => io.stdout.write(`${text}\n`)
  out(`Mock IDaaS receiver listening on ${style.cyan(mock.url)}`)
  out(
    style.dim(
      `  Prism (${prismModule.PRISM_HTTP_PACKAGE} ${prismModule.PRISM_HTTP_VERSION}) in-process on generated/${OPENAPI_DOCUMENT_FILE}; self-test passed (POST {} → 422).`,
    ),
  )
  const rate = failRate ?? (status === undefined ? 0 : 1)
  if (rate > 0) {
    out(
      style.dim(
        `  ${Math.round(rate * 1000) / 10}% of valid deliveries get ${status ?? 503} (seed ${seed ?? 1}).`,
      ),
    )
  }
  out(style.dim('  Press Ctrl-C to stop.'))
  try {
    await waitForStop(mock.url)
  } finally {
    await mock.close()
    log?.flush()
  }
  out('')
  out(formatPrismSummary(mock.summary(), 'mock'))
  return EXIT_OK
}
