import { describe, expect, it } from 'vitest'
import { type InputRecord, readEvents, splitLines } from '../../src/cli/read-events.js'

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function* chunksOf(...chunks: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  yield* chunks
}

describe('splitLines', () => {
  it('splits LF and CRLF lines and numbers them from 1', async () => {
    const lines = await collect(splitLines(chunksOf('a\r\nb\n', '\nc'), 100))
    expect(lines).toEqual([
      { line: 1, text: 'a', tooLong: false },
      { line: 2, text: 'b', tooLong: false },
      { line: 3, text: '', tooLong: false },
      { line: 4, text: 'c', tooLong: false },
    ])
  })

  it('keeps a multi-byte character that is split across two chunks', async () => {
    const bytes = Buffer.from('"é€"\n', 'utf8')
    const lines = await collect(
      splitLines(chunksOf(bytes.subarray(0, 2), bytes.subarray(2, 5), bytes.subarray(5)), 100),
    )
    expect(lines).toEqual([{ line: 1, text: '"é€"', tooLong: false }])
  })

  it('drops a byte order mark at the start of the input', async () => {
    const lines = await collect(splitLines(chunksOf('\uFEFF{"a":1}\n\uFEFFx'), 100))
    expect(lines.map((l) => l.tooLong === false && l.text)).toEqual(['{"a":1}', '\uFEFFx'])
  })

  it('reports a line over the cap once, without its text, and carries on with the next line', async () => {
    const lines = await collect(splitLines(chunksOf('12345', '6789\nok\n'), 8))
    expect(lines).toEqual([
      { line: 1, tooLong: true },
      { line: 2, text: 'ok', tooLong: false },
    ])
  })
})

describe('readEvents', () => {
  it('reads one pretty-printed document as one value on its first non-blank line', async () => {
    const records = await collect(readEvents(chunksOf('\n{\n  "a": 1\n}\n'), { lines: false }))
    expect(records).toEqual<InputRecord[]>([{ kind: 'value', line: 2, value: { a: 1 } }])
  })

  it('reads every line on its own when told the input is JSON lines, even the first broken one', async () => {
    const records = await collect(readEvents(chunksOf('{\n{"a":1}\n'), { lines: true }))
    expect(records.map((r) => [r.kind, r.line])).toEqual([
      ['error', 1],
      ['value', 2],
    ])
  })

  it('stops reading a document once it passes the cap', async () => {
    let pulled = 0
    async function* endless(): AsyncGenerator<string> {
      yield '{\n'
      for (;;) {
        pulled++
        yield '"x": 1,\n'
      }
    }
    const records = await collect(readEvents(endless(), { lines: false, maxBytes: 64 }))
    expect(records).toEqual([
      {
        kind: 'error',
        line: 1,
        reason: 'size',
        message: 'document too large: more than 64 bytes, far more than any IDaaS event (skipped)',
      },
    ])
    expect(pulled).toBeLessThan(20)
  })

  it('reports input with no JSON in it as empty', async () => {
    const records = await collect(readEvents(chunksOf(' \r\n\t\n'), { lines: false }))
    expect(records).toEqual([
      {
        kind: 'error',
        reason: 'empty',
        message: 'empty input: expected a JSON event, or one JSON event per line',
      },
    ])
  })
})
