/**
 * @module
 * Entry point of the `idaas-webhook-kit` bin: runs the CLI with the real process streams.
 */
import { formatMessage } from '../errors.js'
import { EXIT_FAILURE } from './command.js'
import { runCLI } from './index.js'

let stdoutFailed = false
let listening = false

// `idaas-webhook-kit events | head -1` closes the pipe early: stop quietly, not with an EPIPE trace.
// Any other write error is one line on stderr and a failed exit, never an uncaught exception.
function onStdoutError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') return
  if (!stdoutFailed) {
    process.stderr.write(
      `${formatMessage(`Failed to write to stdout: ${error.message.replace(/\.$/, '')}.`)}\n`,
    )
  }
  stdoutFailed = true
  process.exitCode = EXIT_FAILURE
}

/**
 * Runs the CLI on `argv` (default: `process.argv.slice(2)`) and resolves to the exit code; the
 * bin sets `process.exitCode` from it and lets the process end on its own. A failed write to
 * stdout makes the code 1.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  if (!listening) {
    process.stdout.on('error', onStdoutError)
    listening = true
  }
  const code = await runCLI(argv)
  return stdoutFailed && code === 0 ? EXIT_FAILURE : code
}
