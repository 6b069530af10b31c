/**
 * Colours a reporter may use; the CLI's `Style` fits. Each function returns its input unchanged
 * when colours are off.
 */
export interface ReporterStyle {
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
}

const plain = (text: string) => text

/** No colours: for files, non-TTY output and failure messages. */
export const PLAIN_STYLE: ReporterStyle = {
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
}
