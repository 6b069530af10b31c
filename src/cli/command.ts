import { createGuard, KitError } from '../errors.js'
import type { ClockOption } from '../internal/clock.js'
import type { Style } from './style.js'

/** Where a command writes: `process.stdout`, `process.stderr`, or a test's string collector. */
export interface CliOutput {
  write(text: string): unknown
  /** Colours are used only when this is `true` (and `NO_COLOR` is unset). */
  isTTY?: boolean | undefined
}

/** Where a command reads piped input from: `process.stdin`, or a test's `Readable.from([...])`. */
export type CliInput = AsyncIterable<string | Uint8Array> & { isTTY?: boolean | undefined }

/** Everything the CLI touches outside itself, injectable so that tests run in-process. */
export interface CliIo {
  stdout: CliOutput
  stderr: CliOutput
  stdin: CliInput
  /** Environment variables, e.g. `NO_COLOR`. */
  env: Readonly<Record<string, string | undefined>>
  /** Directory that relative file arguments are resolved against. */
  cwd: string
  /**
   * Where time comes from for the waits of a command, e.g. the retry delays of `send`; tests
   * pass a virtual clock so that retries cost no wall time. @default 'real'
   */
  clock?: ClockOption
}

/** One option of a command, in cac's syntax: `--strict`, `--reporter <name>`, `-o, --out <file>`. */
export interface CliOptionSpec {
  flags: string
  description: string
  /** Shown in the help and used when the option is absent. */
  default?: string | boolean
  /** The flag may be given several times (`--set a=1 --set b=2`); otherwise once. @default false */
  repeatable?: boolean
}

/** What a command's `run` receives: positional arguments and cac's parsed options (camelCased). */
export interface CommandInput {
  args: string[]
  options: Readonly<Record<string, unknown>>
}

/** What a command's `run` may use besides its input. */
export interface CommandContext {
  io: CliIo
  /** Colours for stdout (no-ops when stdout is not a TTY or `NO_COLOR` is set). */
  style: Style
  /** The name users type, for messages: `idaas-webhook-kit`. */
  bin: string
}

/**
 * One CLI command (prism style: one file per command in `src/cli/commands/`). `run` returns the
 * exit code: 0 success, 1 invalid input or failed checks, 2 usage error (or throw {@link CliUsageError}).
 * Load heavy modules inside `run` with `await import(...)` so `--help` stays fast.
 */
export interface CliCommand {
  /** The word users type: `validate`. */
  name: string
  /** Positional arguments in cac's syntax, e.g. `[...files]` or `<url>`; omit when there are none. */
  args?: string
  /** One line for the command list. */
  description: string
  options: readonly CliOptionSpec[]
  /** Complete command lines, without the leading `$ `, e.g. `idaas-webhook-kit events --json`. */
  examples: readonly string[]
  run(input: CommandInput, context: CommandContext): Promise<number>
}

/** Exit codes of every command. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/**
 * A bad invocation: unknown or malformed flag, unreadable file. `runCLI` prints the message on
 * stderr, without a stack trace, and exits with 2.
 */
export class CliUsageError extends KitError {
  override name = 'CliUsageError'
}

/** True for a {@link CliUsageError}, also across realms and copies of the kit. */
export const isCliUsageError = createGuard('CliUsageError', CliUsageError)
