import type { PrismRequestRecord } from './summary.js'

/** Options of {@link createRequestLog}. */
export interface RequestLogOptions {
  /** Writes a batch of lines (each ending in a newline), e.g. to stdout. */
  write: (text: string) => void
  /** One line for one request, without its newline. */
  format: (record: PrismRequestRecord) => string
  /** How often the batch is written, in milliseconds. @default 200 */
  intervalMs?: number
  /** Lines printed per interval; further requests are counted by status in one line. @default 20 */
  linesPerInterval?: number
}

/** A request log that costs the server almost nothing per request. */
export interface RequestLog {
  /** Logs one answered request (formatted now or counted, written later). */
  add(record: PrismRequestRecord): void
  /** Writes what is pending and stops the timer; later `add` calls start it again. */
  flush(): void
}

/**
 * A batched, capped request log for a long-running server: lines are written together once per
 * interval (one write instead of one per request), and past `linesPerInterval` in an interval
 * the rest are counted by status in a single line, so a load test neither floods the terminal
 * nor slows the server. The timer never keeps the process alive.
 */
export function createRequestLog(options: RequestLogOptions): RequestLog {
  const intervalMs = options.intervalMs ?? 200
  const linesPerInterval = options.linesPerInterval ?? 20
  let lines: string[] = []
  let skipped = new Map<number, number>()
  let skippedCount = 0
  let timer: NodeJS.Timeout | undefined

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (skippedCount > 0) {
      const byStatus = [...skipped]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${count.toLocaleString('en-US')} × ${status}`)
        .join(', ')
      lines.push(
        `… ${skippedCount.toLocaleString('en-US')} more ${skippedCount === 1 ? 'request' : 'requests'} not shown (${byStatus})`,
      )
    }
    if (lines.length > 0) options.write(`${lines.join('\n')}\n`)
    lines = []
    skipped = new Map()
    skippedCount = 0
  }

  return {
    add(record) {
      if (lines.length < linesPerInterval) {
        lines.push(options.format(record))
      } else {
        skipped.set(record.status, (skipped.get(record.status) ?? 0) + 1)
        skippedCount++
      }
      if (timer === undefined) {
        timer = setTimeout(flush, intervalMs)
        timer.unref()
      }
    },
    flush,
  }
}
