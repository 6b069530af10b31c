import { constants, createReadStream } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
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
import { readBooleanOption, readChoiceOption, sharedOptions } from '../options.js'
import type { EventReport } from '../validate-report.js'

const STDIN = '-'
const JSON_LINES_EXTENSIONS = new Set(['.jsonl', '.ndjson'])

/** `validate [...files]`: checks IDaaS event payloads against the schemas. */
export const validateCommand: CliCommand = {
  name: 'validate',
  args: '[...files]',
  description: 'Validate event payloads (JSON or JSON lines; files or stdin) against the schemas',
  options: [
    sharedOptions.strict,
    sharedOptions.reporter,
    {
      flags: '--examples',
      description: 'Also validate every Entrust example bundled with the kit',
    },
    {
      flags: '--verbose',
      description:
        'Also print a line for each valid event (pretty reporter); by default only problems, notes and the summary',
    },
  ],
  examples: [
    'idaas-webhook-kit validate event.json',
    'idaas-webhook-kit validate events.jsonl --strict',
    'cat delivery.json | idaas-webhook-kit validate',
    'idaas-webhook-kit validate captured/*.json --reporter json > report.json',
    'idaas-webhook-kit validate --examples --strict',
  ],
  run: runValidate,
}

/** One input of a run: a file or stdin (the bundled examples are checked separately). */
type Source = { kind: 'file'; name: string; path: string } | { kind: 'stdin' }

async function runValidate(input: CommandInput, context: CommandContext): Promise<number> {
  const { io, style } = context
  const strict = readBooleanOption(input.options, 'strict')
  const reporterName = readChoiceOption(
    input.options,
    'reporter',
    '--reporter',
    ['pretty', 'json'],
    'pretty',
  )
  const withExamples = readBooleanOption(input.options, 'examples')
  const sources = await resolveSources(input.args, withExamples, context)

  const [{ validateEvent }, { readEvents }, reporters] = await Promise.all([
    import('../../schema/validate.js'),
    import('../read-events.js'),
    import('../validate-report.js'),
  ])
  const reporter =
    reporterName === 'json'
      ? reporters.createJsonReporter(io.stdout)
      : reporters.createPrettyReporter(
          io.stdout,
          style,
          strict,
          readBooleanOption(input.options, 'verbose'),
        )
  const mode = strict ? 'strict' : 'tolerant'
  let failed = false
  let readFailed = false
  const report = (entry: EventReport) => {
    if (!entry.ok) failed = true
    return reporter.add(entry)
  }
  const check = (source: string, value: unknown) => {
    const result = validateEvent(value, { mode })
    return report({
      source,
      ok: result.ok,
      type: typeOf(value),
      issues: result.issues,
      notes: result.notes,
    })
  }

  if (withExamples) {
    const { ENTRUST_EXAMPLES } = await import('../../../generated/entrust-examples.js')
    for (const [type, example] of Object.entries(ENTRUST_EXAMPLES)) {
      await check(`example:${type}`, example)
    }
  }
  for (const source of sources) {
    const name = source.kind === 'stdin' ? '<stdin>' : source.name
    const lines =
      source.kind === 'file' && JSON_LINES_EXTENSIONS.has(extname(source.name).toLowerCase())
    const chunks = source.kind === 'stdin' ? io.stdin : createReadStream(source.path)
    try {
      for await (const record of readEvents(chunks, { lines })) {
        const where = record.line === undefined ? name : `${name}:${record.line}`
        if (record.kind === 'value') {
          // Await only when the output asked to wait: an await per event would cost a tick each.
          const wait = check(where, record.value)
          if (wait) await wait
        } else {
          const problem = { reason: record.reason, message: record.message }
          await report({ source: where, ok: false, type: null, issues: [], notes: [], problem })
        }
      }
    } catch (error) {
      // The file was readable when checked; an I/O error now is not the input's fault.
      if (typeof (error as { code?: unknown } | null)?.code !== 'string') throw error
      readFailed = true
      const message = `failed to read: ${describeFsError(error)}`
      await report({
        source: name,
        ok: false,
        type: null,
        issues: [],
        notes: [],
        problem: { reason: 'read', message },
      })
    }
  }
  await reporter.finish()
  if (readFailed) return EXIT_USAGE
  return failed ? EXIT_FAILURE : EXIT_OK
}

async function resolveSources(
  args: readonly string[],
  withExamples: boolean,
  { io, bin }: CommandContext,
): Promise<Source[]> {
  const names = args.length > 0 || withExamples ? args : [STDIN]
  if (names.filter((n) => n === STDIN).length > 1) {
    throw new CliUsageError('Standard input ("-") can be read only once.')
  }
  if (args.length === 0 && !withExamples && io.stdin.isTTY === true) {
    throw new CliUsageError(
      `Nothing to validate: no file given and stdin is a terminal. Run "${bin} validate --help" for examples.`,
    )
  }
  const sources: Source[] = []
  for (const name of names) {
    if (name === STDIN) {
      sources.push({ kind: 'stdin' })
      continue
    }
    const path = resolve(io.cwd, name)
    await assertReadableFile(name, path)
    sources.push({ kind: 'file', name, path })
  }
  return sources
}

async function assertReadableFile(name: string, path: string): Promise<void> {
  try {
    const stats = await stat(path)
    if (stats.isDirectory()) throw new CliUsageError(`Failed to read "${name}": it is a directory.`)
    await access(path, constants.R_OK)
  } catch (error) {
    if (error instanceof CliUsageError) throw error
    throw new CliUsageError(`Failed to read "${name}": ${describeFsError(error)}.`)
  }
}

function typeOf(value: unknown): string | null {
  const type =
    value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined
  return typeof type === 'string' ? type : null
}
