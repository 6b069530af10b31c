import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, runProcess } from './run.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'bin', 'idaas-webhook-kit.js')
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string
}

/** Runs the built bin as a user would: `node bin/idaas-webhook-kit.js ...`. */
const kit = (args: string[], options: { cwd?: string; input?: string } = {}) =>
  runProcess(process.execPath, [bin, ...args], { ...options, env: cleanEnv() })

const STACK_TRACE = /^\s+at .+[:(]/m

describe('the built bin (node bin/idaas-webhook-kit.js)', () => {
  let dir = ''
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
      throw new Error('dist/src/cli/main.js is missing: run "npm run build" before these tests')
    }
    dir = await mkdtemp(join(tmpdir(), 'idaas-webhook-kit-bin-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('prints the version from package.json', async () => {
    const result = await kit(['--version'])
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it('lists the 26 event types', async () => {
    const result = await kit(['events'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^TYPE +CATEGORY +PROVENANCE +EXAMPLE +INTERFACE\n/)
    expect(result.stdout).toMatch(/^grid\.created +grid +documented +yes +GridCreatedEvent$/m)
    expect(result.stdout).toContain('\n26 event types: 16 documented, 9 api-enum-only')
  })

  it('exits 1 for an invalid event and names the file, line and field', async () => {
    const event = JSON.parse(
      readFileSync(join(root, 'test', 'fixtures', 'entrust', 'grid.created.json'), 'utf8'),
    ) as { data: { entityAttributes: { serialNumber: unknown } } }
    event.data.entityAttributes.serialNumber = '2'
    await writeFile(join(dir, 'events.jsonl'), `{}\n\n${JSON.stringify(event)}\n`)
    const result = await kit(['validate', 'events.jsonl'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain(
      'events.jsonl:3: "grid.created" is invalid:\n✖ must be number, got string "2"\n  → at /data/entityAttributes/serialNumber\n',
    )
  })

  it('reads stdin and exits 0 for a valid event', async () => {
    const input = readFileSync(
      join(root, 'test', 'fixtures', 'entrust', 'user.created.json'),
      'utf8',
    )
    const result = await kit(['validate', '--strict', '--verbose'], { input })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('<stdin>:1: "user.created" is valid.\n')
  })

  it('exits 2 with one clear line and no stack trace for a malformed command line', async () => {
    for (const args of [
      ['validate', '--strcit'],
      ['validate', 'no-such-file.json'],
      ['types', '--out'],
    ]) {
      const result = await kit(args, { cwd: dir })
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^\[idaas-webhook-kit\] [^\n]+\n$/)
      expect(result.stderr).not.toMatch(STACK_TRACE)
    }
    expect((await kit(['validate', '--strcit'])).stderr).toBe(
      '[idaas-webhook-kit] Unknown option "--strcit". Did you mean "--strict"?\n',
    )
  })

  it('runs the demo that npm start runs', async () => {
    const result = await kit(['demo'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('✔ All 8 examples are valid in both modes.')
  })
})
