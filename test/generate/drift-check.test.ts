import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const repo = fileURLToPath(new URL('../../', import.meta.url))
const dirs: string[] = []

/** A copy of schemas/, generated/ and scripts/ outside git, sharing node_modules. */
async function scratchCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kit-generate-'))
  dirs.push(dir)
  for (const name of ['schemas', 'generated', 'scripts']) {
    await cp(join(repo, name), join(dir, name), { recursive: true })
  }
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

async function check(dir: string): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run('node', ['scripts/generate.mjs', '--check'], { cwd: dir })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('npm run generate:check', () => {
  it('passes when generated/ matches schemas/', async () => {
    const dir = await scratchCopy()
    const result = await check(dir)
    expect(result).toMatchObject({ code: 0, stdout: 'generated/ is up to date (7 files).\n' })
  })

  it('fails, naming the stale files, when a schema changed without regenerating', async () => {
    const dir = await scratchCopy()
    const file = join(dir, 'schemas/grid.schema.json')
    const text = await readFile(file, 'utf8')
    await writeFile(
      file,
      text.replace('Triggered when a grid card is created.', 'A grid card was created.'),
    )
    const result = await check(dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('✖ generated/types.ts is stale')
    expect(result.stderr).toContain('✖ generated/event-catalogue.ts is stale')
    expect(result.stderr).toContain('Run "npm run generate" and commit the result.')
  })

  it('fails on a file in generated/ that the generator does not produce', async () => {
    const dir = await scratchCopy()
    await writeFile(join(dir, 'generated/leftover.ts'), 'export {}\n')
    const result = await check(dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('✖ generated/leftover.ts is not produced by the generator')
  })

  // Three generator runs: allow for a busy machine.
  it('rewrites generated/ so that the check passes again', { timeout: 90_000 }, async () => {
    const dir = await scratchCopy()
    await writeFile(join(dir, 'generated/types.ts'), '// edited by hand\n')
    expect((await check(dir)).code).toBe(1)
    await run('node', ['scripts/generate.mjs'], { cwd: dir })
    expect((await check(dir)).code).toBe(0)
  })
})

describe('npm run generate', () => {
  it('keeps fields named like schema keywords and accepts null values in schemas', async () => {
    const dir = await scratchCopy()
    const file = join(dir, 'schemas/user.schema.json')
    const schema = JSON.parse(await readFile(file, 'utf8'))
    const attributes = schema.$defs.UserCreatedEvent.properties.data.properties.entityAttributes
    attributes.properties.examples = { type: 'string', description: 'A field named "examples".' }
    attributes.properties.unevaluatedProperties = { type: 'boolean', default: null }
    await writeFile(file, JSON.stringify(schema, null, 2))
    await run('node', ['scripts/generate.mjs'], { cwd: dir })
    const types = await readFile(join(dir, 'generated/types.ts'), 'utf8')
    const block = types.slice(types.indexOf('export interface UserCreatedEntityAttributes'))
    expect(block.slice(0, block.indexOf('\n}'))).toMatch(
      /examples\?: string[\s\S]*unevaluatedProperties\?: boolean/,
    )
    const strict = await readFile(join(dir, 'generated/validate-strict.ts'), 'utf8')
    expect(strict).toContain('"examples"')
    expect(strict).toContain('"unevaluatedProperties"')
  })
})
