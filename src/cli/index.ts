/**
 * @module
 * The `idaas-webhook-kit` command line, built on `cac` the way vitest's `cli/cac.ts` is:
 * `createCLI()` wires the commands, `parseCLI(argv)` parses without running anything, and
 * `runCLI(argv, io)` runs a command in-process and returns its exit code (0 success, 1 invalid
 * input or failed check, 2 usage error). Nothing here calls `process.exit`.
 *
 * Adding a command, e.g. `sign`:
 * 1. Create `src/cli/commands/sign.ts` exporting `signCommand: CliCommand` with `name`, `args`
 *    (cac syntax such as `<url>`, if any), `description`, `options` (reuse `sharedOptions` from
 *    `./options.js`), `examples` (at least one) and `run(input, context)`. `run` loads heavy
 *    modules with `await import(...)`, writes results to `context.io.stdout`, returns the exit
 *    code, and throws `CliUsageError` for a bad invocation (printed without a stack trace, exit 2).
 * 2. Add `signCommand` to `COMMANDS` below. Parsing, unknown-flag and missing-value errors,
 *    `--help` and the exit codes then work for it with no other change.
 * 3. Test it in-process: `await runCLI(['sign', ...], io)` (see `test/cli/helpers.ts`).
 */
import { type CAC, cac } from 'cac'
import { closestMatch } from '../closest-match.js'
import { formatMessage } from '../errors.js'
import { escapeControlsKeepingLines } from '../terminal-text.js'
import {
  type CliCommand,
  type CliIo,
  type CommandInput,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  isCliUsageError,
} from './command.js'
import { captureCommand } from './commands/capture.js'
import { checkCommand } from './commands/check.js'
import { demoCommand } from './commands/demo.js'
import { eventsCommand } from './commands/events.js'
import { mockCommand } from './commands/mock.js'
import { proxyCommand } from './commands/proxy.js'
import { replayCommand } from './commands/replay.js'
import { sendCommand } from './commands/send.js'
import { signCommand } from './commands/sign.js'
import { typesCommand } from './commands/types.js'
import { validateCommand } from './commands/validate.js'
import { verifyCommand } from './commands/verify.js'
import { verifySignatureCommand } from './commands/verify-signature.js'
import { sharedOptions } from './options.js'
import { createStyle } from './style.js'

export type {
  CliCommand,
  CliInput,
  CliIo,
  CliOptionSpec,
  CliOutput,
  CommandContext,
  CommandInput,
} from './command.js'
export { CliUsageError, isCliUsageError } from './command.js'

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CliCommand[] = [
  eventsCommand,
  validateCommand,
  typesCommand,
  signCommand,
  verifySignatureCommand,
  mockCommand,
  proxyCommand,
  captureCommand,
  checkCommand,
  replayCommand,
  verifyCommand,
  sendCommand,
  demoCommand,
]

/** The program name, as users type it. */
export const BIN = 'idaas-webhook-kit'

// mri (inside cac) mangles three kinds of argument, so they are shielded during parsing and
// restored afterwards: a lone "-" (stdin/stdout here) is taken for a flag and dropped, number-like
// values are coerced to numbers ("--nonce 007" would become 7, a token "0012" would become 12),
// and a flag's value that starts with "-" is taken for flags of its own ("--seed -5").
const STDIO_PLACEHOLDER = '\u0000stdio'
const VERBATIM_PREFIX = '\u0000verbatim:'

function shield(arg: string): string {
  if (arg === '-') return STDIO_PLACEHOLDER
  if (arg.startsWith('-')) {
    const eq = arg.indexOf('=')
    return eq > 0 && arg.startsWith('--')
      ? `${arg.slice(0, eq + 1)}${shield(arg.slice(eq + 1))}`
      : arg
  }
  return arg.trim() !== '' && Number.isFinite(Number(arg)) ? `${VERBATIM_PREFIX}${arg}` : arg
}

/** The result of {@link parseCLI}: what `runCLI` would do, without doing it. */
export type ParsedCommandLine =
  | { kind: 'help'; command: CliCommand | undefined }
  | { kind: 'version' }
  | { kind: 'run'; command: CliCommand; input: CommandInput }
  /** A usage error; `message` is complete, with the `[idaas-webhook-kit]` prefix. */
  | { kind: 'error'; message: string }

/** A cac instance with the global flags and every command, its options and examples. */
export function createCLI(commands: readonly CliCommand[] = COMMANDS): CAC {
  const cli = cac(BIN)
  cli.option(sharedOptions.help.flags, sharedOptions.help.description)
  cli.option(sharedOptions.version.flags, sharedOptions.version.description)
  for (const command of commands) {
    const entry = cli.command(
      command.args ? `${command.name} ${command.args}` : command.name,
      command.description,
    )
    for (const option of command.options) {
      entry.option(
        option.flags,
        option.description,
        option.default === undefined ? undefined : { default: option.default },
      )
    }
    for (const example of command.examples) entry.example(`  $ ${example}`)
  }
  return cli
}

/**
 * Parses `argv` (the arguments after the program name) into a command to run, help, the
 * version, or a usage error naming the flag, command or argument at fault.
 * @example parseCLI(['validate', 'events.jsonl', '--strict'])
 */
export function parseCLI(
  argv: readonly string[],
  commands: readonly CliCommand[] = COMMANDS,
): ParsedCommandLine {
  const cli = createCLI(commands)
  const values = flagValueIndexes(argv, cli)
  const shielded = argv.map((arg, i) =>
    values.has(i) && arg.startsWith('-') && arg !== '-' ? `${VERBATIM_PREFIX}${arg}` : shield(arg),
  )
  // run: false: cac only parses; the checks below replace its terse CACError messages.
  const parsed = cli.parse(['node', BIN, ...shielded], { run: false })
  const options = restoreStdio(parsed.options) as Record<string, unknown>
  const doubleDash = Array.isArray(options['--']) ? (options['--'] as unknown[]) : []
  delete options['--']
  const args = [...parsed.args, ...doubleDash].map((a) => restoreStdio(String(a)) as string)
  const command = commands.find((c) => c.name === cli.matchedCommandName)
  const matched = cli.matchedCommand

  if (!command || !matched) {
    // A flag before the command name can swallow it ("--strcit validate" gives strcit=validate):
    // then the flag is the problem, judged against that command's options.
    const named = commands.find((c) => argv.includes(c.name))
    const namedCac = named && cli.commands.find((c) => c.name === named.name)
    const unknownOption = findUnknownOption(argv, values, cli, namedCac)
    if (unknownOption && (named || args.length === 0)) {
      const scopes = namedCac ? [namedCac, cli.globalCommand] : [cli.globalCommand]
      return usageError(unknownOptionMessage(unknownOption, scopes, named))
    }
    const first = args[0]
    if (first !== undefined) {
      const suggestion = closestMatch(
        first,
        commands.map((c) => c.name),
      )
      const hint = suggestion
        ? `Did you mean "${suggestion}"?`
        : `Run "${BIN} --help" to see the commands.`
      return usageError(`Unknown command "${first}". ${hint}`)
    }
    if (options.help) return { kind: 'help', command: undefined }
    if (options.version) return { kind: 'version' }
    const names = commands.map((c) => `"${c.name}"`).join(', ')
    return usageError(`Missing command: expected one of ${names}. Run "${BIN} --help" for usage.`)
  }

  if (options.help) return { kind: 'help', command }
  if (options.version) return { kind: 'version' }

  const unknownOption = findUnknownOption(argv, values, cli, matched)
  if (unknownOption) {
    return usageError(unknownOptionMessage(unknownOption, [matched, cli.globalCommand], command))
  }
  const valueProblem = findOptionValueProblem(argv, command)
  if (valueProblem) return usageError(valueProblem)
  for (const option of matched.options) {
    const value = options[option.name]
    // Should the scan above ever miss a form cac accepts, a flag without its value still fails.
    if (option.required && (value === true || value === false)) {
      const usage = option.rawName.split(', ').find((f) => f.startsWith('--')) ?? option.rawName
      return usageError(
        `Missing value for option "${usage}". Run "${BIN} ${command.name} --help" for usage.`,
      )
    }
  }
  const required = matched.args.filter((a) => a.required)
  const missing = required[args.length]
  if (missing) {
    return usageError(
      `Missing argument <${missing.value}> for command "${command.name}". Run "${BIN} ${command.name} --help" for usage.`,
    )
  }
  const maxArgs = matched.args.some((a) => a.variadic)
    ? Number.POSITIVE_INFINITY
    : matched.args.length
  const extra = args[maxArgs]
  if (extra !== undefined) {
    const takes =
      maxArgs === 0
        ? 'takes no arguments'
        : `takes at most ${maxArgs} argument${maxArgs === 1 ? '' : 's'}`
    return usageError(`Unexpected argument "${extra}": command "${command.name}" ${takes}.`)
  }
  try {
    // cac's own checks, in case its parsing ever disagrees with the ones above.
    matched.checkUnknownOptions()
    matched.checkOptionValue()
  } catch (error) {
    return usageError(
      `Invalid command line: ${error instanceof Error ? error.message : String(error)}.`,
    )
  }
  return { kind: 'run', command, input: { args, options } }
}

/**
 * Runs the CLI in-process and resolves to the exit code. `argv` is what follows the program name;
 * `io` replaces any of stdout, stderr, stdin, env and cwd (tests pass all of them); `commands`
 * replaces the command list (tests of the wiring).
 * @example const code = await runCLI(['validate', 'event.json'], { stdout, stderr })
 */
export async function runCLI(
  argv: readonly string[],
  io: Partial<CliIo> = {},
  commands: readonly CliCommand[] = COMMANDS,
): Promise<number> {
  const fullIo: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    // A getter: touching process.stdin opens it, which only commands that read it should do.
    get stdin() {
      return io.stdin ?? process.stdin
    },
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    ...(io.clock === undefined ? {} : { clock: io.clock }),
  }
  const style = createStyle(fullIo.stdout, fullIo.env)
  const errorStyle = createStyle(fullIo.stderr, fullIo.env)
  // Messages quote what the user typed and what files held: no control character gets through.
  const printError = (message: string) =>
    fullIo.stderr.write(`${errorStyle.red(escapeControlsKeepingLines(message))}\n`)

  const parsed = parseCLI(argv, commands)
  try {
    switch (parsed.kind) {
      case 'error':
        printError(parsed.message)
        return EXIT_USAGE
      case 'version': {
        const { readPackageInfo } = await import('./package-info.js')
        fullIo.stdout.write(`${readPackageInfo().version}\n`)
        return EXIT_OK
      }
      case 'help': {
        const [{ readPackageInfo }, help] = await Promise.all([
          import('./package-info.js'),
          import('./help.js'),
        ])
        const context = { bin: BIN, version: readPackageInfo().version, style }
        fullIo.stdout.write(
          parsed.command
            ? help.renderCommandHelp(parsed.command, context)
            : help.renderRootHelp(commands, context),
        )
        return EXIT_OK
      }
      case 'run':
        return await parsed.command.run(parsed.input, { io: fullIo, style, bin: BIN })
    }
  } catch (error) {
    if (isCliUsageError(error)) {
      printError(error.message)
      return EXIT_USAGE
    }
    const command = parsed.kind === 'run' ? ` in "${parsed.command.name}"` : ''
    const detail = error instanceof Error ? error.message : String(error)
    printError(
      formatMessage(
        `Unexpected error${command}: ${detail.replace(/\.$/, '')}. This is a bug; please report it with the command you ran.`,
      ),
    )
    if (fullIo.env.IDAAS_WEBHOOK_KIT_DEBUG && error instanceof Error && error.stack) {
      fullIo.stderr.write(`${error.stack}\n`)
    }
    return EXIT_FAILURE
  }
}

type CacCommand = CAC['globalCommand']

/**
 * The indexes in `argv` of flag values given as the next argument ("-5" in "--seed -5"), so that
 * they are neither taken for flags nor echoed as one (a "--token" value is a secret). A value
 * starting with "--" is not taken: "--out --json" lacks a value. Every command gives a flag the
 * same kind, so the flags of all commands are used.
 */
function flagValueIndexes(argv: readonly string[], cli: CAC): Set<number> {
  const takesValue = new Set<string>()
  for (const command of [cli.globalCommand, ...cli.commands]) {
    for (const option of command.options) {
      if (option.required !== true) continue
      for (const name of option.names) {
        takesValue.add(name.length === 1 ? `-${name}` : `--${kebabCase(name)}`)
      }
    }
  }
  const indexes = new Set<number>()
  for (let i = 0; i < argv.length - 1; i++) {
    const token = argv[i] ?? ''
    if (token === '--') break
    if (takesValue.has(token) && !(argv[i + 1] ?? '').startsWith('--')) indexes.add(++i)
  }
  return indexes
}

/**
 * The first problem with a value-taking flag of `command` in `argv`, as a message naming the flag:
 * no value ("--token" last, or followed by another "--" flag), an empty or blank value (an unset
 * shell variable in `--token "$IDAAS_WEBHOOK_TOKEN"`), or a flag given twice that takes one value.
 * It reads `argv` itself, as typed: cac turns "" into 0 and merges repeats into arrays.
 */
function findOptionValueProblem(argv: readonly string[], command: CliCommand): string | undefined {
  const specs = new Map<string, { flag: string; placeholder: string; repeatable: boolean }>()
  for (const option of command.options) {
    const placeholder = /<[^>]+>|\[[^\]]+\]/.exec(option.flags)?.[0]
    if (placeholder === undefined) continue
    const names = option.flags.split(/[\s,]+/).filter((part) => part.startsWith('-'))
    const flag = names.find((name) => name.startsWith('--')) ?? names[0] ?? option.flags
    for (const name of names) {
      specs.set(name, { flag, placeholder, repeatable: option.repeatable === true })
    }
  }
  const counts = new Map<string, number>()
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? ''
    if (token === '--') break
    const eq = token.startsWith('-') ? token.indexOf('=') : -1
    const spec = specs.get(eq > 0 ? token.slice(0, eq) : token)
    if (spec === undefined) continue
    let value: string | undefined
    if (eq > 0) {
      value = token.slice(eq + 1)
    } else if (argv[i + 1] !== undefined && !(argv[i + 1] ?? '').startsWith('--')) {
      value = argv[++i]
    }
    if (value === undefined) {
      return `Missing value for option "${spec.flag}": expected ${spec.placeholder}. Run "${BIN} ${command.name} --help" for usage.`
    }
    if (value.trim() === '') {
      return `Invalid option "${spec.flag}": expected ${spec.placeholder}, got an empty value. Is the shell variable it comes from set?`
    }
    const count = (counts.get(spec.flag) ?? 0) + 1
    counts.set(spec.flag, count)
    if (count === 2 && !spec.repeatable) {
      return `Invalid option "${spec.flag}": given more than once, but it takes one value. Give it once.`
    }
  }
  return undefined
}

/**
 * The first flag in `argv` that no command in `scope` (nor the global one) declares, as typed.
 * `values` are the indexes of flag values (see {@link flagValueIndexes}), which are skipped.
 */
function findUnknownOption(
  argv: readonly string[],
  values: ReadonlySet<number>,
  cli: CAC,
  command: CacCommand | undefined,
): string | undefined {
  const known = (name: string) =>
    Boolean(command?.hasOption(name) ?? false) || Boolean(cli.globalCommand.hasOption(name))
  for (const [index, token] of argv.entries()) {
    if (token === '--') break
    if (values.has(index) || !token.startsWith('-') || token === '-') continue
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=')[0] ?? ''
      const positive = name.startsWith('no-') ? name.slice(3) : name
      if (!known(camelCase(name)) && !known(camelCase(positive))) return `--${name}`
      continue
    }
    for (const letter of token.slice(1).split('=')[0] ?? '') {
      if (!known(letter)) return `-${letter}`
    }
  }
  return undefined
}

function unknownOptionMessage(
  flag: string,
  scopes: readonly CacCommand[],
  command: CliCommand | undefined,
): string {
  const longFlags = scopes.flatMap((scope) =>
    scope.options.flatMap((o) =>
      o.names.filter((n) => n.length > 1).map((n) => `--${kebabCase(n)}`),
    ),
  )
  const suggestion = flag.startsWith('--') ? closestMatch(flag, longFlags) : undefined
  const help = command ? `${BIN} ${command.name} --help` : `${BIN} --help`
  const hint = suggestion ? `Did you mean "${suggestion}"?` : `Run "${help}" to see the options.`
  return `Unknown option "${flag}". ${hint}`
}

// cac camelCases option names ("--public-url" is "publicUrl"); compare in its terms.
function camelCase(name: string): string {
  return (name.split('.')[0] ?? '').replace(
    /([a-z])-([a-z])/g,
    (_, a: string, b: string) => a + b.toUpperCase(),
  )
}

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

function restoreStdio(value: unknown): unknown {
  if (value === STDIO_PLACEHOLDER) return '-'
  if (typeof value === 'string' && value.startsWith(VERBATIM_PREFIX)) {
    return value.slice(VERBATIM_PREFIX.length)
  }
  if (Array.isArray(value)) return value.map(restoreStdio)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreStdio(v)]))
  }
  return value
}

function usageError(text: string): ParsedCommandLine {
  return { kind: 'error', message: formatMessage(text) }
}
