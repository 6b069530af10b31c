import { writeFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import type { CaptureRecord } from '../../capture/format.js'
import { escapeControls, quoteForTerminal } from '../../terminal-text.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_OK,
} from '../command.js'
import { describeFsError } from '../fs-errors.js'
import {
  readBooleanOption,
  readSchemesOption,
  readStringOption,
  readUrlOption,
  schemesOption,
} from '../options.js'
import type { Style } from '../style.js'
import {
  listenForStop,
  portOption,
  readNumberOption,
  readServerTimeouts,
  type ServeHooks,
  serveOptions,
} from './mock.js'
import { readKeyEncoding, rethrowAsUsageError, signingOptions, TOKEN_ENV } from './sign.js'

/**
 * One line per captured request; never a header value, the token or a signature. Values from
 * the request are quoted or escaped, so no control character reaches the terminal.
 */
export function formatCaptureLine(record: CaptureRecord, style: Style): string {
  const path = (() => {
    try {
      const url = new URL(record.url)
      return escapeControls(`${url.pathname}${url.search}`)
    } catch {
      return escapeControls(record.url)
    }
  })()
  let event = ''
  if (record.body?.encoding === 'utf8') {
    try {
      const value = JSON.parse(record.body.data) as { type?: unknown; id?: unknown }
      if (typeof value?.type === 'string') event += ` ${quoteForTerminal(value.type)}`
      if (typeof value?.id === 'string') event += ` ${quoteForTerminal(value.id)}`
    } catch {
      event = ' (body is not JSON)'
    }
  }
  const size =
    record.body === null
      ? `${record.tooLarge?.receivedBytes ?? '?'} B, too large`
      : `${record.body.bytes} B`
  const signature = !record.signature.checked
    ? style.dim('signature not checked')
    : record.signature.ok
      ? style.green('signature valid')
      : style.red(`signature invalid (${record.signature.reason})`)
  const mark = record.response.status === 204 ? style.green('✔') : style.red('✖')
  return `${mark} #${record.seq} ${record.method} ${path}${event} ${style.dim(size)} → ${record.response.status}, ${signature}`
}

/** `capture`: a recording receiver for real deliveries. `hooks` replace Ctrl-C as the stop signal (tests). */
export function createCaptureCommand(hooks: ServeHooks = {}): CliCommand {
  return {
    name: 'capture',
    description:
      'Record real IDaaS deliveries (raw headers and body, one JSON line each) for check and replay',
    options: [
      portOption(4012),
      serveOptions.host,
      {
        flags: '-o, --out <file>',
        description: 'Capture file to append to (JSON lines, created if missing)',
        default: 'deliveries.jsonl',
      },
      {
        flags: '--token <token>',
        description: `Verify each signature and record the result (default: $${TOKEN_ENV} if set; never printed)`,
      },
      signingOptions.keyEncoding,
      schemesOption,
      {
        flags: '--public-url <url>',
        description:
          'The callback URL registered in IDaaS (your tunnel URL): the signed @target-uri (A5)',
      },
      {
        flags: '--tls',
        description: 'Serve HTTPS (TLS 1.2+) with a generated self-signed certificate',
      },
      {
        flags: '--cert-out <file>',
        description: 'With --tls: write the certificate (PEM) here for clients to trust',
      },
      {
        flags: '--max-body <bytes>',
        description: 'Bodies above this get 413 and are recorded without the body (A14)',
        default: '1048576',
      },
      {
        flags: '--fsync',
        description: 'fdatasync after every line (survives a power cut, costs ms)',
      },
      serveOptions.headersTimeout,
      serveOptions.requestTimeout,
      serveOptions.quiet,
    ],
    examples: [
      'idaas-webhook-kit capture --out deliveries.jsonl',
      'idaas-webhook-kit capture --public-url https://abc.trycloudflare.com/webhooks/idaas --token "$IDAAS_WEBHOOK_TOKEN"',
      'idaas-webhook-kit capture --tls --cert-out capture-cert.pem --port 8443',
    ],
    run: (input, context) => runCapture(input, context, hooks),
  }
}

/** `capture`, stopped with Ctrl-C. */
export const captureCommand: CliCommand = createCaptureCommand()

async function runCapture(
  input: CommandInput,
  context: CommandContext,
  hooks: ServeHooks,
): Promise<number> {
  const { options } = input
  const { io, style } = context
  const port = readNumberOption(options, 'port', '--port', { min: 0, max: 65_535 }) ?? 4012
  const host = readStringOption(options, 'host') ?? '127.0.0.1'
  const outName = readStringOption(options, 'out') ?? 'deliveries.jsonl'
  if (outName === '-') {
    throw new CliUsageError(
      'Invalid option "--out": capture writes to a file, not to stdout ("-").',
    )
  }
  const out = resolve(io.cwd, outName)
  const token = readStringOption(options, 'token') ?? (io.env[TOKEN_ENV] || undefined)
  const keyEncoding = readKeyEncoding(options)
  const schemes = readSchemesOption(options)
  const publicUrl = readUrlOption(options, 'publicUrl', '--public-url')
  const tls = readBooleanOption(options, 'tls')
  const certOut = readStringOption(options, 'certOut')
  if (certOut !== undefined && !tls) {
    throw new CliUsageError(
      'Option "--cert-out" needs "--tls": there is no certificate without it.',
    )
  }
  const maxBodyBytes =
    readNumberOption(options, 'maxBody', '--max-body', { min: 1, max: Number.MAX_SAFE_INTEGER }) ??
    1024 * 1024
  const quiet = readBooleanOption(options, 'quiet')

  const [{ startCaptureReceiver, captureLineBytesFor }, { CAPTURE_MAX_LINE_BYTES }] =
    await Promise.all([
      import('../../capture/capture-receiver.js'),
      import('../../capture/read-captures.js'),
    ])
  const capture = await startCaptureReceiver({
    port,
    host,
    out,
    ...(token === undefined ? {} : { token, keyEncoding, schemes }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
    tls,
    maxBodyBytes,
    ...readServerTimeouts(options),
    fsync: readBooleanOption(options, 'fsync'),
    ...(quiet ? {} : { onCapture: (r) => io.stdout.write(`${formatCaptureLine(r, style)}\n`) }),
  }).catch(rethrowAsUsageError)
  const write = (text: string) => io.stdout.write(`${text}\n`)
  try {
    if (certOut !== undefined && capture.certificate !== undefined) {
      try {
        await writeFile(resolve(io.cwd, certOut), capture.certificate)
      } catch (error) {
        throw new CliUsageError(
          `Failed to write "--cert-out" file "${certOut}": ${describeFsError(error)}.`,
        )
      }
    }
    const shown = relative(io.cwd, out) || out
    const waitForStop = listenForStop(hooks)
    write(`Capture receiver listening on ${style.cyan(capture.url)} (any path is recorded)`)
    write(
      style.dim(
        `  Appending one JSON line per request to ${shown}; answering 204 (413 above ${maxBodyBytes} bytes).`,
      ),
    )
    write(
      style.dim(
        token === undefined
          ? '  Signatures are not verified (no --token); "check --token" can verify them later.'
          : `  Verifying signatures (key encoding "${keyEncoding}"${publicUrl ? `, @target-uri ${publicUrl}` : ''}); only the result is recorded.`,
      ),
    )
    if (capture.fingerprint256 !== undefined) {
      write(
        style.dim(`  TLS (1.2 minimum), self-signed certificate SHA-256 ${capture.fingerprint256}`),
      )
      if (certOut !== undefined)
        write(
          style.dim(
            `  Certificate written to ${certOut}: trust it in clients (curl --cacert ${certOut}).`,
          ),
        )
    }
    if (capture.discardedBytes > 0) {
      write(
        style.yellow(
          `  Removed an incomplete last line (${capture.discardedBytes} bytes) that an interrupted capture left in ${shown}.`,
        ),
      )
    }
    const lineBytes = captureLineBytesFor(maxBodyBytes)
    if (lineBytes > CAPTURE_MAX_LINE_BYTES) {
      write(
        style.yellow(
          `  Lines may reach ${lineBytes} bytes with --max-body ${maxBodyBytes}: read them with "check --max-line-bytes ${lineBytes}" (and replay).`,
        ),
      )
    }
    write(style.dim('  Press Ctrl-C to stop.'))
    await waitForStop(capture.url)
  } finally {
    await capture.close()
  }
  write('')
  write(
    `Captured ${capture.count} ${capture.count === 1 ? 'request' : 'requests'} to ${relative(io.cwd, out) || out}.`,
  )
  if (capture.count > 0)
    write(style.dim(`  Next: ${context.bin} check ${relative(io.cwd, out) || out}`))
  return EXIT_OK
}
