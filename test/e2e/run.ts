import { spawn } from 'node:child_process'
import { stripVTControlCharacters } from 'node:util'

/** What a spawned process printed and how it ended. */
export interface ProcessResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Written to stdin, which is then closed. */
  input?: string
  /** Kill the process after this many milliseconds. @default 60000 */
  timeout?: number
}

/** Spawns `command` without a shell and resolves when it exits; ANSI codes are stripped. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeout ?? 60_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      resolve({
        code,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
      })
    })
    child.stdin.end(options.input ?? '')
  })
}

/** The environment without the variables `npm run` sets for the kit's own package. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    // npm_config_local_prefix would make a nested npm act on this repository, not the scratch project.
    if (/^npm_(package_|lifecycle_|config_local_prefix$|command$)/.test(key) || key === 'INIT_CWD')
      continue
    env[key] = value
  }
  delete env.NO_COLOR
  return { ...env, ...extra }
}
