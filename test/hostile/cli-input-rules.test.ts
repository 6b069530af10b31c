import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { cli, tempDir } from '../cli/helpers.js'

const valid = Buffer.from(JSON.stringify(ENTRUST_EXAMPLES['user.created']))
const name = '"entityName":"'
const at = valid.indexOf(name) + name.length

/** Byte sequences that are not UTF-8: stray continuation, truncated, overlong, surrogate, > U+10FFFF. */
const INVALID = [
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff],
]

function withBytes(bytes: number[]): Buffer {
  return Buffer.concat([valid.subarray(0, at), Buffer.from(bytes), valid.subarray(at)])
}

describe('validate: bytes that are not UTF-8 are invalid JSON', () => {
  it.each(INVALID.map((b) => [Buffer.from(b).toString('hex'), b] as const))(
    'reports an event holding the bytes %s as invalid JSON, in a file, a JSON-lines file and stdin',
    async (_hex, bytes) => {
      const dir = await tempDir()
      await writeFile(join(dir, 'e.json'), withBytes(bytes))
      await writeFile(
        join(dir, 'e.jsonl'),
        Buffer.concat([valid, Buffer.from('\n'), withBytes(bytes), Buffer.from('\n')]),
      )
      const file = await cli(['validate', 'e.json'], { cwd: dir })
      expect(file.code).toBe(1)
      expect(file.stdout).toContain('e.json:1: invalid JSON: the bytes are not valid UTF-8')
      const lines = await cli(['validate', 'e.jsonl', '--verbose'], { cwd: dir })
      expect(lines.code).toBe(1)
      expect(lines.stdout).toContain('e.jsonl:1: "user.created" is valid.')
      expect(lines.stdout).toContain('e.jsonl:2: invalid JSON: the bytes are not valid UTF-8')
      const stdin = await cli(['validate', '--reporter', 'json'], { stdin: [withBytes(bytes)] })
      expect(stdin.code).toBe(1)
      expect(JSON.parse(stdin.stdout)).toMatchObject({
        ok: false,
        results: [
          { issues: [{ keyword: 'json', message: 'invalid JSON: the bytes are not valid UTF-8' }] },
        ],
      })
    },
  )

  it('keeps a multi-byte character split across chunks, and a leading BOM, valid', async () => {
    const text = Buffer.from(JSON.stringify({ ...ENTRUST_EXAMPLES['user.created'], id: 'é✔😀' }))
    const cut = text.indexOf(Buffer.from('✔')) + 1
    const run = await cli(['validate', '--verbose'], {
      stdin: [Buffer.from([0xef, 0xbb, 0xbf]), text.subarray(0, cut), text.subarray(cut)],
    })
    expect(run.stdout).toContain('<stdin>:1: "user.created" is valid.')
    expect(run.code).toBe(0)
  })
})
