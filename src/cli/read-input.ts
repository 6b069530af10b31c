import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import type { CliInput, CommandInput } from './command.js'
import { CliUsageError } from './command.js'
import { readNumberOption } from './commands/mock.js'
import { describeFsError } from './fs-errors.js'

/** The most a command reads from one file or stdin by default: 16 MiB (IDaaS events are a few hundred bytes). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024

/** `--max-input`, for commands that read a body or a headers file whole. */
export const maxInputOption = {
  flags: '--max-input <bytes>',
  description: `Largest body or headers file read from a file or stdin (default: ${MAX_INPUT_BYTES}, 16 MiB)`,
} as const

/** The value of `--max-input`, or its default. */
export function readMaxInputBytes(options: CommandInput['options']): number {
  return (
    readNumberOption(options, 'maxInput', '--max-input', {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    }) ?? MAX_INPUT_BYTES
  )
}

/**
 * Reads a whole file (resolved against `cwd`) or stdin, but never more than `maxBytes`: past
 * that it stops reading, closes the file and fails naming the input and `--max-input`, so
 * `/dev/zero` or an endless pipe costs no more than the cap. Each chunk is kept once and joined
 * at the end.
 */
export async function readCappedInput(
  source: { file: string; cwd: string } | { stdin: CliInput },
  maxBytes: number,
  shown: string,
): Promise<Buffer> {
  const stream: AsyncIterable<string | Uint8Array> =
    'file' in source ? createReadStream(resolve(source.cwd, source.file)) : source.stdin
  const chunks: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk)
      total += bytes.byteLength
      if (total > maxBytes) {
        throw new CliUsageError(
          `Failed to read ${shown}: it is larger than ${maxBytes} bytes, the limit of "--max-input". Pass a larger "--max-input" if it really is that big.`,
        )
      }
      chunks.push(bytes)
    }
  } catch (error) {
    if (error instanceof CliUsageError) throw error
    throw new CliUsageError(`Failed to read ${shown}: ${describeFsError(error)}.`)
  } finally {
    // Leaving the loop early closes a file stream; stdin is left to the process.
    if ('file' in source && 'destroy' in stream) (stream as { destroy(): void }).destroy()
  }
  return Buffer.concat(chunks, total)
}
