import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { DeliverableEvent } from '../../delivery/engine.js'
import type { FetchLike } from '../../delivery/in-process.js'
import { NULL_BODY_STATUSES } from '../../delivery/node-fetch.js'
import type { DeliveryAttempt } from '../../delivery/report.js'
import { isKitError } from '../../errors.js'
import { redactSecrets } from '../../internal/redact.js'
import {
  escapeControls,
  escapeControlsKeepingLines,
  quoteForTerminal,
} from '../../terminal-text.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  type CommandInput,
  EXIT_FAILURE,
  EXIT_OK,
} from '../command.js'
import { describeFsError } from '../fs-errors.js'
import {
  readBooleanOption,
  readSchemesOption,
  readStringOption,
  schemesOption,
} from '../options.js'
import { readKeyEncoding, requireToken, rethrowAsUsageError, signingOptions } from './sign.js'
import { deliveryOptions, readCa, readOptionalUrl, readUrlArgument } from './verify.js'

/** `send <url> [type]`: one event under the IDaaS policy, in real time, every attempt printed. */
export const sendCommand: CliCommand = {
  name: 'send',
  args: '<url> [type]',
  description:
    'Deliver one signed event to a receiver under the IDaaS policy, in real time, printing every attempt',
  options: [
    signingOptions.token,
    {
      flags: '--set <path=value>',
      description:
        'Set a field of the event, e.g. data.entityName=jane; the value is read as JSON when it is JSON (repeatable)',
      repeatable: true,
    },
    { flags: '--seed <n>', description: 'Seed of the generated event', default: '1' },
    {
      flags: '--file <file>',
      description: 'Send the event in this JSON file instead of a generated one',
    },
    {
      flags: '--unsigned',
      description: 'Leave out Content-Digest, Signature-Input and Signature (expect a 401)',
    },
    deliveryOptions.publicUrl,
    deliveryOptions.timeout,
    deliveryOptions.ca,
    signingOptions.keyEncoding,
    schemesOption,
  ],
  examples: [
    'idaas-webhook-kit send http://localhost:3000/webhooks/idaas user.created --token "$IDAAS_WEBHOOK_TOKEN"',
    'idaas-webhook-kit send http://localhost:3000/webhooks/idaas user.created --set data.entityName=jane --seed 7',
    'idaas-webhook-kit send http://localhost:3000/webhooks/idaas --file captured.json',
    'idaas-webhook-kit send http://localhost:3000/webhooks/idaas user.created --unsigned',
  ],
  run: runSend,
}

async function runSend(input: CommandInput, context: CommandContext): Promise<number> {
  const { options } = input
  const { io, style } = context
  const url = readUrlArgument(input.args[0], '<url>')
  const unsigned = readBooleanOption(options, 'unsigned')
  // An unsigned delivery needs no token.
  const token = unsigned ? undefined : requireToken(options, context)
  const publicUrl = readOptionalUrl(options, 'publicUrl', '--public-url')
  const timeoutMs = readTimeout(options)
  const keyEncoding = readKeyEncoding(options)
  const schemes = readSchemesOption(options)
  const ca = await readCa(options, context)
  const event = await readEvent(input, context)

  const [
    { deliver },
    policy,
    { createTransport },
    { describeDelivery, describeStatus },
    { validateEvent },
    { excerpt },
  ] = await Promise.all([
    import('../../delivery/engine.js'),
    import('../../delivery/policy.js'),
    import('../../verify/transport.js'),
    import('../../delivery/report.js'),
    import('../../schema/validate.js'),
    import('../../verify/evidence.js'),
  ])
  const checked = validateEvent(event)
  if (!checked.ok) {
    io.stderr.write(
      `${style.yellow('⚠')} The event is not valid (sent anyway): ${escapeControls(checked.issues.map((i) => `${i.path || '/'} ${i.message}`).join('; '))}\n`,
    )
  }
  const transport = createTransport({ url }, { sendUrl: url, ca })
  // The first 200 characters of an answer, without the token or a signature it may echo.
  const redact = (text: string) =>
    redactSecrets(
      text,
      token === undefined ? transport.signatures : [token, ...transport.signatures],
    )
  let lastBody = ''
  const fetch: FetchLike = async (target, init = {}) => {
    const response = await transport.fetch(target, init)
    // Read the (capped) body here, to print it for every attempt, 2xx included.
    lastBody = await response.text()
    const status = response.status >= 200 && response.status <= 599 ? response.status : 500
    return new Response(NULL_BODY_STATUSES.has(status) ? null : lastBody, {
      status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
  const signUrl = publicUrl ?? url
  const mode = unsigned ? style.yellow('unsigned') : `signed for ${signUrl}`
  io.stdout.write(
    `${style.bold('POST')} ${url}  ${quoteForTerminal(String(event.type))} ${escapeControls(String(event.id))}  ${mode}\n${style.dim(`  IDaaS policy: deadline ${timeoutMs} ms, up to 3 attempts, only 5xx retried after ~2 s and ~4 s (real time)`)}\n`,
  )
  const onAttempt = (attempt: DeliveryAttempt) => {
    // A status text and a network error's message come from the receiver's side.
    const outcome = escapeControls(
      attempt.status !== undefined
        ? describeStatus(attempt.status, attempt.statusText)
        : `${attempt.outcome}${attempt.error ? `: ${attempt.error}` : ''}`,
    )
    const painted = attempt.outcome === 'success' ? style.green(outcome) : style.red(outcome)
    const body =
      attempt.status !== undefined && lastBody !== ''
        ? `  ${style.dim(excerpt(lastBody, redact))}`
        : ''
    io.stdout.write(
      `  #${attempt.number}  ${painted}  ${attempt.durationMs.toFixed(1)} ms${body}\n`,
    )
    lastBody = ''
    if (attempt.nextAttemptAt !== undefined) {
      const waitMs = (attempt.delayMs ?? 0) + (attempt.jitterMs ?? 0)
      io.stdout.write(style.dim(`      retrying in ${(waitMs / 1000).toFixed(2)} s\n`))
    }
  }
  try {
    const report = await deliver(
      event,
      token === undefined ? { url: signUrl } : { url: signUrl, token },
      {
        policy:
          timeoutMs === policy.IDAAS_POLICY.deadlineMs
            ? policy.IDAAS_POLICY
            : policy.createDeliveryPolicy({ name: 'idaas', deadlineMs: timeoutMs }),
        clock: context.io.clock ?? 'real',
        fetch,
        sign: !unsigned,
        signing: { keyEncoding },
        schemes,
        onAttempt,
      },
    ).catch(rethrowAsUsageError)
    const mark = report.ok ? style.green('✔') : style.red('✖')
    io.stdout.write(`${mark} ${escapeControlsKeepingLines(describeDelivery(report))}\n`)
    return report.ok ? EXIT_OK : EXIT_FAILURE
  } finally {
    transport.close()
  }
}

function readTimeout(options: CommandInput['options']): number {
  const value = readStringOption(options, 'timeout') ?? '3000'
  const ms = Number(value)
  if (!/^\d+$/.test(value) || ms < 1 || ms > 600_000) {
    throw new CliUsageError(
      `Invalid option "--timeout": expected a whole number from 1 to 600000, got "${value}".`,
    )
  }
  return ms
}

/** Path segments that could reach `Object.prototype` instead of a field of the event. */
const FORBIDDEN_SEGMENTS = ['__proto__', 'constructor', 'prototype']

/** The `--set` overrides as one nested object: `data.entityName=jane` → `{ data: { entityName: 'jane' } }`. */
export function readOverrides(value: unknown): Record<string, unknown> {
  const overrides: Record<string, unknown> = {}
  const items = value === undefined ? [] : Array.isArray(value) ? value : [value]
  for (const item of items.map(String)) {
    const equals = item.indexOf('=')
    const path = equals > 0 ? item.slice(0, equals).split('.') : []
    if (equals <= 0 || path.some((part) => part === '')) {
      throw new CliUsageError(
        `Invalid option "--set": expected path=value such as "data.entityName=jane", got "${item}".`,
      )
    }
    const forbidden = path.find((part) => FORBIDDEN_SEGMENTS.includes(part))
    if (forbidden !== undefined) {
      throw new CliUsageError(
        `Invalid option "--set": the path may not contain "${forbidden}", got "${item}".`,
      )
    }
    const raw = item.slice(equals + 1)
    let parsed: unknown = raw
    try {
      parsed = JSON.parse(raw)
    } catch {
      parsed = raw
    }
    let node = overrides
    for (const [index, part] of path.entries()) {
      if (index === path.length - 1) {
        Object.defineProperty(node, part, {
          value: parsed,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      } else {
        const next = Object.hasOwn(node, part) ? node[part] : undefined
        if (next === null || typeof next !== 'object' || Array.isArray(next)) {
          const child: Record<string, unknown> = {}
          Object.defineProperty(node, part, {
            value: child,
            enumerable: true,
            writable: true,
            configurable: true,
          })
          node = child
        } else {
          node = next as Record<string, unknown>
        }
      }
    }
  }
  return overrides
}

function mergeInto(target: Record<string, unknown>, overrides: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(overrides)) {
    const current = Object.hasOwn(target, key) ? target[key] : undefined
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object' &&
      !Array.isArray(current)
    ) {
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>)
    } else {
      Object.defineProperty(target, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
  }
}

async function readEvent(
  input: CommandInput,
  { io, bin }: CommandContext,
): Promise<DeliverableEvent & Record<string, unknown>> {
  const { options } = input
  const type = input.args[1]
  const file = readStringOption(options, 'file')
  const overrides = readOverrides(options.set)
  if (file === undefined) {
    if (type === undefined) {
      throw new CliUsageError(
        `Missing argument [type]: give an event type such as "user.created", or "--file <file>". Run "${bin} events" for the types.`,
      )
    }
    const seed = readStringOption(options, 'seed') ?? '1'
    if (!/^-?\d+$/.test(seed)) {
      throw new CliUsageError(`Invalid option "--seed": expected a whole number, got "${seed}".`)
    }
    const { createEvent } = await import('../../schema/factories.js')
    try {
      return createEvent(type as 'user.created', overrides as never, {
        seed: Number(seed),
      }) as never
    } catch (error) {
      if (isKitError(error)) rethrowAsUsageError(error)
      throw error
    }
  }
  if (options.seed !== undefined && String(options.seed) !== '1') {
    throw new CliUsageError(
      'Option "--seed" has no effect with "--file": the file is sent as it is.',
    )
  }
  let text: string
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8')
  } catch (error) {
    throw new CliUsageError(
      `Failed to read "${file}" (option "--file"): ${describeFsError(error)}.`,
    )
  }
  let event: unknown
  try {
    event = JSON.parse(text)
  } catch {
    throw new CliUsageError(`Failed to read "${file}" (option "--file"): it is not JSON.`)
  }
  if (
    event === null ||
    typeof event !== 'object' ||
    Array.isArray(event) ||
    typeof (event as { id?: unknown }).id !== 'string' ||
    typeof (event as { type?: unknown }).type !== 'string'
  ) {
    throw new CliUsageError(
      `Invalid event in "${file}" (option "--file"): expected a JSON object with a string "id" and "type".`,
    )
  }
  const record = event as DeliverableEvent & Record<string, unknown>
  mergeInto(record, overrides)
  if (type !== undefined && type !== record.type) {
    throw new CliUsageError(
      `Argument [type] "${type}" does not match the type "${record.type}" in "${file}": leave it out or fix one of them.`,
    )
  }
  return record
}
