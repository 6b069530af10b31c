import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRequestLog } from '../../src/prism/request-log.js'
import type { PrismRequestRecord } from '../../src/prism/summary.js'

const record = (number: number, status = 204): PrismRequestRecord => ({
  number,
  receivedAt: '2026-03-16T17:33:05.000Z',
  method: 'POST',
  path: '/webhooks/idaas',
  eventType: 'user.created',
  eventId: null,
  violations: [],
  injected: false,
  status,
  outcome: status === 204 ? 'accepted' : 'rejected',
  durationMs: 1,
})

afterEach(() => {
  vi.useRealTimers()
})

describe('the mock request log', () => {
  it('writes the lines of one interval together, once, after the interval', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const log = createRequestLog({
      write: (text) => writes.push(text),
      format: (r) => `#${r.number} ${r.status}`,
      intervalMs: 200,
    })
    log.add(record(1))
    log.add(record(2, 422))
    expect(writes).toEqual([])
    vi.advanceTimersByTime(200)
    expect(writes).toEqual(['#1 204\n#2 422\n'])
    log.add(record(3))
    vi.advanceTimersByTime(200)
    expect(writes).toEqual(['#1 204\n#2 422\n', '#3 204\n'])
  })

  it('counts the requests past the per-interval cap by status instead of formatting them', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const format = vi.fn((r: PrismRequestRecord) => `#${r.number}`)
    const log = createRequestLog({
      write: (text) => writes.push(text),
      format,
      linesPerInterval: 2,
    })
    for (let i = 1; i <= 1500; i++) log.add(record(i, i % 500 === 0 ? 422 : 204))
    vi.advanceTimersByTime(200)
    expect(format).toHaveBeenCalledTimes(2)
    expect(writes).toEqual(['#1\n#2\n… 1,498 more requests not shown (1,495 × 204, 3 × 422)\n'])
  })

  it('writes what is pending at once on flush and then nothing more', () => {
    vi.useFakeTimers()
    const writes: string[] = []
    const log = createRequestLog({
      write: (text) => writes.push(text),
      format: (r) => `#${r.number}`,
    })
    log.add(record(1))
    log.flush()
    expect(writes).toEqual(['#1\n'])
    expect(vi.getTimerCount()).toBe(0)
    log.flush()
    expect(writes).toEqual(['#1\n'])
  })

  it('never keeps the process alive while a batch waits', () => {
    const log = createRequestLog({ write: () => {}, format: () => '' })
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    log.add(record(1))
    // An unref'd timer is not listed as an active resource.
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before)
    log.flush()
  })
})
