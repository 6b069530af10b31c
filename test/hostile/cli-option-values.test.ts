import { describe, expect, it } from 'vitest'
import { COMMANDS, parseCLI } from '../../src/cli/index.js'
import { cli } from '../cli/helpers.js'

/** Every value-taking flag of every command, read from the command definitions. */
const VALUE_FLAGS = COMMANDS.flatMap((command) =>
  command.options.flatMap((option) => {
    const placeholder = /<[^>]+>|\[[^\]]+\]/.exec(option.flags)?.[0]
    if (placeholder === undefined) return []
    const names = option.flags.split(/[\s,]+/).filter((part) => part.startsWith('-'))
    const flag = names.find((name) => name.startsWith('--')) ?? (names[0] as string)
    return names.map((spelling) => ({
      command,
      spelling,
      flag,
      placeholder,
      repeatable: option.repeatable === true,
    }))
  }),
)

/** The command's required positional arguments, with harmless values. */
function requiredArgs(args: string | undefined): string[] {
  return [...(args ?? '').matchAll(/<([^>]+)>/g)].map((m) =>
    m[1] === 'url' ? 'http://127.0.0.1:9/hook' : 'user.created',
  )
}

const cases = VALUE_FLAGS.map((c) => ({
  ...c,
  name: `${c.command.name} ${c.spelling}`,
  base: [c.command.name, ...requiredArgs(c.command.args)],
}))

describe('empty, missing and repeated option values', () => {
  it('covers a value-taking flag of every command that has one', () => {
    const commandsWithValues = COMMANDS.filter((c) => c.options.some((o) => /[<[]/.test(o.flags)))
    expect(new Set(cases.map((c) => c.command.name)).size).toBe(commandsWithValues.length)
    expect(cases.length).toBeGreaterThan(40)
  })

  for (const blank of ['', ' ', '\t', '  \n']) {
    it.each(cases)(
      `rejects ${JSON.stringify(blank)} as the value of $name, naming the flag`,
      ({ base, spelling, flag, placeholder }) => {
        for (const argv of [
          [...base, spelling, blank],
          ...(spelling.startsWith('--') ? [[...base, `${spelling}=${blank}`]] : []),
        ]) {
          const parsed = parseCLI(argv)
          expect(parsed).toEqual({
            kind: 'error',
            message: `[idaas-webhook-kit] Invalid option "${flag}": expected ${placeholder}, got an empty value. Is the shell variable it comes from set?`,
          })
        }
      },
    )
  }

  it.each(cases)(
    'rejects $name given last, with no value, naming the flag',
    ({ base, command, spelling, flag, placeholder }) => {
      expect(parseCLI([...base, spelling])).toEqual({
        kind: 'error',
        message: `[idaas-webhook-kit] Missing value for option "${flag}": expected ${placeholder}. Run "idaas-webhook-kit ${command.name} --help" for usage.`,
      })
    },
  )

  it.each(cases)(
    'rejects $name followed by another long flag instead of its value',
    ({ base, spelling, flag }) => {
      const parsed = parseCLI([...base, spelling, `${flag}=x`])
      expect(parsed.kind).toBe('error')
      expect(parsed.kind === 'error' && parsed.message).toContain(
        `Missing value for option "${flag}"`,
      )
    },
  )

  it.each(cases.filter((c) => !c.repeatable))(
    'rejects $name given twice, as it takes one value',
    ({ base, spelling, flag }) => {
      const parsed = parseCLI([...base, spelling, 'v1-secret', spelling, 'v2-secret'])
      expect(parsed).toEqual({
        kind: 'error',
        message: `[idaas-webhook-kit] Invalid option "${flag}": given more than once, but it takes one value. Give it once.`,
      })
      expect(parsed.kind === 'error' && parsed.message).not.toContain('secret')
    },
  )

  it.each(cases.filter((c) => c.repeatable))(
    'accepts $name given twice, as it is repeatable',
    ({ base, spelling }) => {
      const parsed = parseCLI([...base, spelling, 'a', spelling, 'b'])
      expect(parsed.kind).toBe('run')
    },
  )

  it('counts "--token x" and "--token=y" as the same flag given twice', () => {
    const parsed = parseCLI(['sign', '--token', 'x', '--token=y'])
    expect(parsed.kind === 'error' && parsed.message).toContain('Invalid option "--token": given')
  })

  it('counts "-o" and "--out" as the same flag given twice', () => {
    const parsed = parseCLI(['types', '-o', 'a.ts', '--out', 'b.ts'])
    expect(parsed.kind === 'error' && parsed.message).toContain('Invalid option "--out": given')
  })

  it('keeps "-" and values starting with "-" as values, not as missing ones', () => {
    expect(parseCLI(['types', '-o', '-']).kind).toBe('run')
    expect(parseCLI(['send', 'http://127.0.0.1:9/', 'user.created', '--seed', '-5']).kind).toBe(
      'run',
    )
  })

  it('does not look at arguments after "--"', () => {
    expect(parseCLI(['validate', '--', '--reporter', '']).kind).toBe('run')
  })

  it('stops "verify --token $UNSET" with exit 2 before contacting the receiver', async () => {
    const run = await cli(['verify', 'http://127.0.0.1:9/hook', '--token', ''], {
      env: { IDAAS_WEBHOOK_TOKEN: 'from-the-environment' },
    })
    expect(run).toEqual({
      code: 2,
      stdout: '',
      rawStdout: '',
      stderr:
        '[idaas-webhook-kit] Invalid option "--token": expected <token>, got an empty value. Is the shell variable it comes from set?\n',
    })
  })
})
