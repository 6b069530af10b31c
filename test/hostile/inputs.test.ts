import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { COMMANDS, runCLI } from '../../src/cli/index.js'
import { MAX_INPUT_BYTES } from '../../src/cli/read-input.js'
import { cli, tempDir } from '../cli/helpers.js'

const TOKEN = 'whsec_hostile-inputs'
const URL_ = 'https://example.com/webhooks/idaas'

/** Runs the CLI with a stdin that never ends: `chunk` forever, counting what was pulled. */
async function withEndlessStdin(argv: string[], chunk: Buffer) {
  let pulled = 0
  async function* endless() {
    for (;;) {
      pulled += chunk.byteLength
      yield chunk
    }
  }
  let stderr = ''
  const stdin = Object.assign(Readable.from(endless()), { isTTY: false })
  const code = await runCLI(
    argv,
    {
      stdout: { write: () => true },
      stderr: {
        write: (text: string) => {
          stderr += text
        },
      },
      stdin,
      env: { IDAAS_WEBHOOK_TOKEN: TOKEN },
      cwd: process.cwd(),
    },
    COMMANDS,
  )
  stdin.destroy()
  return { code, stderr, pulled }
}

const commands = [
  ['sign', '--url', URL_],
  ['verify-signature', '--url', URL_, '--headers', '__HEADERS__'],
] as const

describe('sign and verify-signature read at most --max-input bytes', () => {
  it.each(commands.flatMap((argv) => [16, 4096, 65_536].map((size) => [argv, size] as const)))(
    'stop an endless stdin at the cap and name the flag: %o, chunks of %i bytes',
    async (argv, size) => {
      const dir = await tempDir()
      const headers = join(dir, 'headers.txt')
      await writeFile(headers, 'Content-Type: application/json\n')
      const cap = 100_000
      const args = [
        ...argv.map((a) => (a === '__HEADERS__' ? headers : a)),
        '--max-input',
        String(cap),
        '-',
      ]
      const run = await withEndlessStdin(args, Buffer.alloc(size, 0x7b))
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(
        `Failed to read stdin: it is larger than ${cap} bytes, the limit of "--max-input". Pass a larger "--max-input" if it really is that big.`,
      )
      // Bounded: reading stopped within a chunk or so of the cap (the stream may read ahead a little).
      expect(run.pulled).toBeLessThan(cap + 64 * 1024 + 2 * size)
      expect(run.stderr).not.toContain(TOKEN)
    },
  )

  it.each(commands)('stop /dev/zero at the default cap of 16 MiB: %o', async (...argv) => {
    const dir = await tempDir()
    const headers = join(dir, 'headers.txt')
    await writeFile(headers, 'Content-Type: application/json\n')
    const args = [...argv.map((a) => (a === '__HEADERS__' ? headers : String(a))), '/dev/zero']
    const run = await cli(args, { env: { IDAAS_WEBHOOK_TOKEN: TOKEN } })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      `Failed to read "/dev/zero": it is larger than ${MAX_INPUT_BYTES} bytes, the limit of "--max-input".`,
    )
  })

  it('caps the --headers file of verify-signature too', async () => {
    const run = await cli(
      ['verify-signature', '--url', URL_, '--headers', '/dev/zero', '--max-input', '1000', '-'],
      { env: { IDAAS_WEBHOOK_TOKEN: TOKEN }, stdin: '{}' },
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'Failed to read "/dev/zero": it is larger than 1000 bytes, the limit of "--max-input".',
    )
  })

  it('signs a body of exactly --max-input bytes, and refuses a value that is not a whole number of bytes', async () => {
    const body = '{"id":"x"}'
    const ok = await cli(['sign', '--url', URL_, '--max-input', String(body.length), '-'], {
      env: { IDAAS_WEBHOOK_TOKEN: TOKEN },
      stdin: body,
    })
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('Content-Digest: sha-256=')
    for (const value of ['lots', '0', '-5']) {
      const bad = await cli(['sign', '--url', URL_, '--max-input', value, '-'], {
        env: { IDAAS_WEBHOOK_TOKEN: TOKEN },
        stdin: body,
      })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain(
        `Invalid option "--max-input": expected a whole number from 1 to 9007199254740991, got "${value}".`,
      )
    }
  })
})
