import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { onTestFinished } from 'vitest'
import type { ServeHooks } from '../../src/cli/commands/mock.js'
import { type CliCommand, runCLI } from '../../src/cli/index.js'

/** A long-running command (mock, proxy, capture) started in-process, stopped by the test. */
export interface ServeRun {
  /** The URL the command printed and handed to its stop hook. */
  url: string
  /** stdout so far, ANSI codes removed. */
  stdout(): string
  /** Stops it as Ctrl-C would and resolves with its exit code and output. */
  stop(): Promise<{ code: number; stdout: string; stderr: string }>
}

/**
 * Runs `idaas-webhook-kit <argv>` in-process with the command made by `create`, whose stop hook
 * is the test's instead of Ctrl-C; resolves once it is ready (it called the hook with its URL),
 * rejects if it ends before that. Stopped when the current test finishes.
 */
export async function startServeCommand(
  create: (hooks: ServeHooks) => CliCommand,
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<ServeRun> {
  let stdout = ''
  let stderr = ''
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let onReady: (url: string) => void = () => {}
  const ready = new Promise<string>((resolve) => {
    onReady = resolve
  })
  const command = create({
    untilStopped: async ({ url }) => {
      onReady(url)
      await released
    },
  })
  const done = runCLI(
    argv,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: Object.assign(Readable.from([]), { isTTY: false }),
      env: options.env ?? {},
      cwd: options.cwd ?? process.cwd(),
    },
    [command],
  )
  const url = await Promise.race([
    ready,
    done.then((code) => {
      throw new Error(`the command ended with ${code} before it was ready:\n${stderr}${stdout}`)
    }),
  ])
  let result: Promise<{ code: number; stdout: string; stderr: string }> | undefined
  const stop = () => {
    result ??= (async () => {
      release()
      const code = await done
      return {
        code,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
      }
    })()
    return result
  }
  onTestFinished(async () => {
    await stop()
  })
  return { url, stdout: () => stripVTControlCharacters(stdout), stop }
}

const root = fileURLToPath(new URL('../../', import.meta.url))

/** A spawned `node bin/idaas-webhook-kit.js …` process, for Ctrl-C tests against the built CLI. */
export interface SpawnedCli {
  /** The first URL printed on a "listening on" line. */
  url: string
  stdout(): string
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code and output once the process ended by itself. */
  interrupt(): Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    stdout: string
    stderr: string
  }>
}

/** Spawns the built bin in its own process group and waits for its "listening on <url>" line. */
export async function spawnServeCli(args: readonly string[], cwd = root): Promise<SpawnedCli> {
  const main = join(root, 'dist', 'src', 'cli', 'commands', 'mock.js')
  if (!existsSync(main)) {
    throw new Error(
      'dist/src/cli/commands/mock.js is missing: run "npm run build" before these tests',
    )
  }
  const child = spawn(process.execPath, [join(root, 'bin', 'idaas-webhook-kit.js'), ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  onTestFinished(() => {
    // Whatever happened, leave no process group behind.
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  })
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /listening on (\S+)/.exec(stdout)
      if (match?.[1]) {
        child.stdout.off('data', onData)
        resolve(match[1])
      }
    }
    child.stdout.on('data', onData)
    exited.then(({ code }) =>
      reject(new Error(`exited with ${code} before it was ready:\n${stderr}${stdout}`)),
    )
  })
  return {
    url,
    stdout: () => stdout,
    async interrupt() {
      // A terminal's Ctrl-C goes to the whole foreground process group.
      process.kill(-(child.pid as number), 'SIGINT')
      const { code, signal } = await exited
      return { code, signal, stdout, stderr }
    },
  }
}
