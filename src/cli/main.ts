/**
 * @module
 * Entry point of the `idaas-webhook-kit` bin: runs the CLI with the real process streams.
 */
import { runCLI } from './index.js'

/**
 * Runs the CLI on `argv` (default: `process.argv.slice(2)`) and resolves to the exit code; the
 * bin sets `process.exitCode` from it and lets the process end on its own.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // `idaas-webhook-kit events | head -1` closes the pipe early: stop quietly, not with an EPIPE trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
  return runCLI(argv)
}
