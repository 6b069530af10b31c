import { readFileSync } from 'node:fs'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { type CliCommand, CliUsageError, COMMANDS, parseCLI } from '../../src/cli/index.js'
import { main } from '../../src/cli/main.js'
import { cli, hasStackTrace } from './helpers.js'

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as {
  version: string
}

describe('idaas-webhook-kit (global flags)', () => {
  it('prints the version from package.json for --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const run = await cli([flag])
      expect(run).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' })
    }
  })

  it('prints the root help with every command and an example of each for --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await cli([flag])
      expect(run.code).toBe(0)
      expect(run.stderr).toBe('')
      expect(run.stdout).toMatch(/^idaas-webhook-kit \d+\.\d+\.\d+: contract tests/)
      expect(run.stdout).toContain('  $ idaas-webhook-kit <command> [options]')
      for (const command of COMMANDS) {
        expect(run.stdout).toMatch(
          new RegExp(`^  ${command.name}\\b.*${escapeRegExp(command.description)}$`, 'm'),
        )
        expect(run.stdout).toContain(`  $ ${command.examples[0]}`)
      }
      expect(run.stdout).toContain(
        'Exit codes: 0 success, 1 invalid input or failed check, 2 usage error.',
      )
    }
  })

  it('gives every command a help with its options and at least one example', async () => {
    for (const command of COMMANDS) {
      expect(command.examples.length).toBeGreaterThan(0)
      const run = await cli([command.name, '--help'])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`  $ idaas-webhook-kit ${command.name}`)
      for (const option of command.options) expect(run.stdout).toContain(option.flags)
      expect(run.stdout).toContain('-h, --help')
      expect(run.stdout).toMatch(/^Examples:\n {2}\$ idaas-webhook-kit /m)
      for (const example of command.examples) expect(run.stdout).toContain(`  $ ${example}`)
    }
  })

  it('rejects a missing command with exit 2 and lists the commands', async () => {
    const run = await cli([])
    expect(run).toMatchObject({ code: 2, stdout: '' })
    const names = COMMANDS.map((c) => `"${c.name}"`).join(', ')
    expect(names).toMatch(/^"events", "validate", "types", .*"demo"$/)
    expect(run.stderr).toBe(
      `[idaas-webhook-kit] Missing command: expected one of ${names}. Run "idaas-webhook-kit --help" for usage.\n`,
    )
  })

  it('rejects an unknown command with exit 2 and suggests the closest one', async () => {
    const run = await cli(['valdiate', 'event.json'])
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unknown command "valdiate". Did you mean "validate"?\n',
    )
  })

  it('rejects an unknown command that resembles none with a pointer to --help', async () => {
    const run = await cli(['frobnicate'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unknown command "frobnicate". Run "idaas-webhook-kit --help" to see the commands.\n',
    )
  })

  it('rejects a misspelt flag with exit 2, naming it and suggesting the right one', async () => {
    const run = await cli(['validate', '--strcit', 'event.json'])
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--strcit". Did you mean "--strict"?\n',
    )
  })

  it("rejects a flag the command does not take, pointing to that command's help", async () => {
    const run = await cli(['events', '--strict'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--strict". Run "idaas-webhook-kit events --help" to see the options.\n',
    )
  })

  it('rejects an unknown short flag and an unknown --no- flag', async () => {
    expect((await cli(['validate', '-x'])).stderr).toBe(
      '[idaas-webhook-kit] Unknown option "-x". Run "idaas-webhook-kit validate --help" to see the options.\n',
    )
    expect((await cli(['events', '--no-colour'])).stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--no-colour". Run "idaas-webhook-kit events --help" to see the options.\n',
    )
  })

  it('judges a flag placed before the command name against that command', async () => {
    const run = await cli(['--strcit', 'validate', 'event.json'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--strcit". Did you mean "--strict"?\n',
    )
  })

  it('rejects an unknown flag without a command', async () => {
    const run = await cli(['--verbose'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--verbose". Run "idaas-webhook-kit --help" to see the options.\n',
    )
  })

  it('rejects an option given without its value with exit 2', async () => {
    const run = await cli(['validate', 'event.json', '--reporter'])
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Missing value for option "--reporter": expected <name>. Run "idaas-webhook-kit validate --help" for usage.\n',
    )
  })

  it('rejects arguments a command does not take with exit 2', async () => {
    const run = await cli(['events', 'user.created'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unexpected argument "user.created": command "events" takes no arguments.\n',
    )
  })

  it('keeps number-like values exactly as typed, leading zeros included', () => {
    const parsed = parseCLI([
      'sign',
      '--url',
      'https://app.test/h',
      '--token',
      '0012',
      '--nonce=007',
      '-',
    ])
    expect(parsed).toMatchObject({
      kind: 'run',
      input: { args: ['-'], options: { token: '0012', nonce: '007', url: 'https://app.test/h' } },
    })
  })

  it('takes a value that starts with "-" as the value of the flag before it', () => {
    expect(
      parseCLI(['send', 'http://127.0.0.1:9/h', 'user.created', '--seed', '-5', '--token', '-abc']),
    ).toMatchObject({
      kind: 'run',
      input: {
        args: ['http://127.0.0.1:9/h', 'user.created'],
        options: { seed: '-5', token: '-abc' },
      },
    })
    expect(parseCLI(['types', '-o', '-x.ts'])).toMatchObject({
      kind: 'run',
      input: { options: { out: '-x.ts' } },
    })
  })

  it('never echoes a dash-led --token value as an unknown flag', async () => {
    const run = await cli(['sign', '--token', '-abc', '--bogus'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--bogus". Run "idaas-webhook-kit sign --help" to see the options.\n',
    )
  })

  it('never prints a stack trace for a bad command line', async () => {
    const badLines = [
      ['validate', '--strcit'],
      ['nope'],
      ['types', '--out'],
      ['types', '--out', 'x.js'],
      ['validate', '--reporter', 'xml'],
      ['validate', 'missing.json'],
      ['--', '--'],
      ['-'],
    ]
    for (const argv of badLines) {
      const run = await cli(argv)
      expect(run.code, argv.join(' ')).toBe(2)
      expect(run.stderr, argv.join(' ')).toMatch(/^\[idaas-webhook-kit\] [^\n]+\n$/)
      expect(hasStackTrace(run.stderr), argv.join(' ')).toBe(false)
    }
  })
})

describe('a command added to the list (the pattern for new commands)', () => {
  const echo: CliCommand = {
    name: 'echo',
    args: '<word> [more]',
    description: 'Print a word',
    options: [{ flags: '--upper', description: 'Upper-case it' }],
    examples: ['idaas-webhook-kit echo hello --upper'],
    async run({ args, options }, { io }) {
      const [word = '', more] = args
      if (word === 'usage') throw new CliUsageError('Invalid argument "usage".')
      if (word === 'crash') throw new Error('boom.')
      const text = more ? `${word} ${more}` : word
      io.stdout.write(`${options.upper ? text.toUpperCase() : text}\n`)
      return 0
    },
  }
  const commands = [...COMMANDS, echo]

  it('gets parsing, help and flag checks with no other change', async () => {
    expect(await cli(['echo', 'hi', '--upper'], { commands })).toMatchObject({
      code: 0,
      stdout: 'HI\n',
    })
    expect((await cli(['--help'], { commands })).stdout).toMatch(
      /^ {2}echo <word> \[more\] +Print a word$/m,
    )
    expect((await cli(['echo', '--help'], { commands })).stdout).toContain(
      '  $ idaas-webhook-kit echo hello --upper',
    )
    expect((await cli(['echo', 'hi', '--uper'], { commands })).stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--uper". Did you mean "--upper"?\n',
    )
  })

  it('rejects a missing required argument and one too many with exit 2', async () => {
    const missing = await cli(['echo'], { commands })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe(
      '[idaas-webhook-kit] Missing argument <word> for command "echo". Run "idaas-webhook-kit echo --help" for usage.\n',
    )
    const extra = await cli(['echo', 'a', 'b', 'c'], { commands })
    expect(extra.code).toBe(2)
    expect(extra.stderr).toBe(
      '[idaas-webhook-kit] Unexpected argument "c": command "echo" takes at most 2 arguments.\n',
    )
  })

  it('prints a thrown CliUsageError as one line with exit 2', async () => {
    const run = await cli(['echo', 'usage'], { commands })
    expect(run).toMatchObject({
      code: 2,
      stderr: '[idaas-webhook-kit] Invalid argument "usage".\n',
    })
  })

  it('reports an unexpected error as a bug with exit 1, with its stack only when debugging', async () => {
    const run = await cli(['echo', 'crash'], { commands })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unexpected error in "echo": boom. This is a bug; please report it with the command you ran.\n',
    )
    const debug = await cli(['echo', 'crash'], { commands, env: { IDAAS_WEBHOOK_KIT_DEBUG: '1' } })
    expect(debug.stderr).toMatch(
      /^\[idaas-webhook-kit\] Unexpected error in "echo": boom\. [^\n]+\nError: boom\.\n\s+at /,
    )
  })
})

describe('parseCLI', () => {
  it('returns the command with its arguments and camelCased options, running nothing', () => {
    const parsed = parseCLI(['validate', 'a.json', 'b.jsonl', '--strict', '--reporter', 'json'])
    expect(parsed.kind).toBe('run')
    if (parsed.kind !== 'run') return
    expect(parsed.command.name).toBe('validate')
    expect(parsed.input.args).toEqual(['a.json', 'b.jsonl'])
    expect(parsed.input.options).toMatchObject({ strict: true, reporter: 'json' })
  })

  it('keeps a lone "-" as an argument and as an option value', () => {
    const stdin = parseCLI(['validate', '-', 'b.json'])
    expect(stdin.kind === 'run' && stdin.input.args).toEqual(['-', 'b.json'])
    const stdout = parseCLI(['types', '--out', '-'])
    expect(stdout.kind === 'run' && stdout.input.options.out).toBe('-')
  })

  it('passes arguments after "--" through, so files may start with a dash', () => {
    const parsed = parseCLI(['validate', '--strict', '--', '--odd-name.json'])
    expect(parsed.kind === 'run' && parsed.input.args).toEqual(['--odd-name.json'])
  })

  it('asks for help instead of running when --help is given with a command', () => {
    const parsed = parseCLI(['types', '--out', 'x.ts', '--help'])
    expect(parsed).toMatchObject({ kind: 'help', command: { name: 'types' } })
  })
})

describe('main (the entry point of the bin)', () => {
  const quietStdout = () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    onTestFinished(() => write.mockRestore())
  }

  it('listens for stdout errors once, however often it runs', async () => {
    quietStdout()
    const before = process.stdout.listenerCount('error')
    expect(await main(['--version'])).toBe(0)
    expect(await main(['--version'])).toBe(0)
    expect(process.stdout.listenerCount('error')).toBe(before + 1)
  })

  it('turns a stdout write error into one prefixed line and exit code 1, not an uncaught exception', async () => {
    quietStdout()
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const exitCode = process.exitCode
    onTestFinished(() => {
      stderr.mockRestore()
      process.exitCode = exitCode
    })
    await main(['--version'])
    const error = Object.assign(new Error('write EIO'), { code: 'EIO' })
    expect(() => process.stdout.emit('error', error)).not.toThrow()
    expect(stderr).toHaveBeenCalledWith(
      '[idaas-webhook-kit] Failed to write to stdout: write EIO.\n',
    )
    expect(process.exitCode).toBe(1)
    expect(await main(['--version'])).toBe(1)
    expect(() =>
      process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
    ).not.toThrow()
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
