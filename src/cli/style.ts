import type { CliOutput } from './command.js'

/** Colour helpers; each returns its input unchanged when colours are off. */
export interface Style {
  enabled: boolean
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  cyan(text: string): string
}

// Tiny ANSI helpers instead of `util.styleText`: on Node 22.13+ styleText decides on colour from
// `process.stdout` by default, not from the injected stream, which would make output differ
// between Node versions and between the bin and in-process tests.
const paint = (open: number, close: number) => (text: string) =>
  `\u001b[${open}m${text}\u001b[${close}m`
const plain = (text: string) => text

/**
 * Colours only when `output` is a TTY and `NO_COLOR` is unset or empty (https://no-color.org).
 */
export function createStyle(
  output: CliOutput,
  env: Readonly<Record<string, string | undefined>>,
): Style {
  const enabled = output.isTTY === true && !env.NO_COLOR
  if (!enabled) {
    return {
      enabled,
      bold: plain,
      dim: plain,
      red: plain,
      green: plain,
      yellow: plain,
      cyan: plain,
    }
  }
  return {
    enabled,
    bold: paint(1, 22),
    dim: paint(2, 22),
    red: paint(31, 39),
    green: paint(32, 39),
    yellow: paint(33, 39),
    cyan: paint(36, 39),
  }
}

/** Removes ANSI colour codes, e.g. to measure the visible width of a table cell. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}
