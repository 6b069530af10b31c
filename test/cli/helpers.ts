import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { stripVTControlCharacters } from 'node:util'
import { onTestFinished } from 'vitest'
import { type CliCommand, COMMANDS, runCLI } from '../../src/cli/index.js'
import type { ClockOption } from '../../src/index.js'

/** What one in-process CLI run printed and returned. */
export interface CliRun {
  code: number
  /** stdout with ANSI codes removed. */
  stdout: string
  /** stderr with ANSI codes removed. */
  stderr: string
  /** stdout as written, colour codes included. */
  rawStdout: string
}

/** Options of {@link cli}. */
export interface CliRunOptions {
  /** Text piped to stdin; by default stdin is empty and not a terminal. */
  stdin?: string | readonly (string | Uint8Array)[]
  /** Pretend stdin is a terminal (nothing piped). */
  stdinIsTTY?: boolean
  /** Pretend stdout is a terminal (colours on unless NO_COLOR). */
  stdoutIsTTY?: boolean
  cwd?: string
  env?: Record<string, string | undefined>
  /** Replaces the command list, to test the wiring with stand-in commands. */
  commands?: readonly CliCommand[]
  /** Where the commands' time comes from; by default the real clock. */
  clock?: ClockOption
}

/** Runs `idaas-webhook-kit <argv>` in-process through `runCLI` and captures its output. */
export async function cli(argv: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const chunks = typeof options.stdin === 'string' ? [options.stdin] : (options.stdin ?? [])
  const stdin = Object.assign(Readable.from(chunks), { isTTY: options.stdinIsTTY === true })
  const code = await runCLI(
    argv,
    {
      stdout: {
        write: (text: string) => {
          stdout += text
        },
        isTTY: options.stdoutIsTTY === true,
      },
      stderr: {
        write: (text: string) => {
          stderr += text
        },
      },
      stdin,
      env: options.env ?? {},
      cwd: options.cwd ?? process.cwd(),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    },
    options.commands ?? COMMANDS,
  )
  return {
    code,
    stdout: stripVTControlCharacters(stdout),
    stderr: stripVTControlCharacters(stderr),
    rawStdout: stdout,
  }
}

/** A fresh temporary directory, removed when the current test finishes. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idaas-webhook-kit-cli-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** True when `text` looks like it contains a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]/m.test(text) || /\bError: /.test(text)
}
