import type { CliCommand, CliOptionSpec } from './command.js'
import { sharedOptions } from './options.js'
import type { Style } from './style.js'

/** What the help needs to know about the program. */
export interface HelpContext {
  bin: string
  version: string
  style: Style
}

/** What the kit is, in one line. */
export const SUMMARY = 'contract tests, mocks and types for receivers of Entrust IDaaS webhooks.'

const GLOBAL_OPTIONS: readonly CliOptionSpec[] = [sharedOptions.help, sharedOptions.version]
const EXIT_CODES = 'Exit codes: 0 success, 1 invalid input or failed check, 2 usage error.'

/** The help of the program: commands, global options, one example per command. */
export function renderRootHelp(commands: readonly CliCommand[], context: HelpContext): string {
  const { bin, style } = context
  const usages = commands.map((c) => (c.args ? `${c.name} ${c.args}` : c.name))
  const width = Math.max(...usages.map((u) => u.length))
  const examples = commands.flatMap((c) => c.examples.slice(0, 1))
  return joinSections([
    `${style.bold(`${bin} ${context.version}`)}: ${SUMMARY}`,
    section(style, 'Usage', `  $ ${bin} <command> [options]`),
    section(
      style,
      'Commands',
      commands.map((c, i) => `  ${(usages[i] ?? '').padEnd(width)}  ${c.description}`).join('\n'),
    ),
    section(style, 'Options', renderOptions(GLOBAL_OPTIONS)),
    section(style, 'Examples', examples.map((e) => `  $ ${e}`).join('\n')),
    `Run "${bin} <command> --help" for a command's options and examples.\n${EXIT_CODES}`,
  ])
}

/** The help of one command: usage, options (its own and the global ones), examples. */
export function renderCommandHelp(command: CliCommand, context: HelpContext): string {
  const { bin, style } = context
  const args = command.args ? ` ${command.args}` : ''
  return joinSections([
    `${style.bold(`${bin} ${command.name}`)}: ${command.description}`,
    section(style, 'Usage', `  $ ${bin} ${command.name}${args} [options]`),
    section(style, 'Options', renderOptions([...command.options, sharedOptions.help])),
    section(style, 'Examples', command.examples.map((e) => `  $ ${e}`).join('\n')),
    EXIT_CODES,
  ])
}

function renderOptions(options: readonly CliOptionSpec[]): string {
  const width = Math.max(...options.map((o) => o.flags.length))
  return options
    .map((o) => {
      const fallback = o.default === undefined ? '' : ` (default: ${String(o.default)})`
      return `  ${o.flags.padEnd(width)}  ${o.description}${fallback}`
    })
    .join('\n')
}

function section(style: Style, title: string, body: string): string {
  return `${style.bold(`${title}:`)}\n${body}`
}

function joinSections(sections: string[]): string {
  return `${sections.join('\n\n')}\n`
}
