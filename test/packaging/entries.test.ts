import { existsSync, readFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { fileURLToPath } from 'node:url'
import { init, parse } from 'es-module-lexer'
import { beforeAll, describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>
}

/** The entries that are modules of the kit (not the schemas or the manifest), by subpath. */
const entries = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
  typeof target === 'string' ? [] : [[subpath, new URL(target.default, root)] as const],
)

/**
 * Every module the static imports of `entry` reach (`import … from` and `export … from`, not
 * `import()`), as file URLs and `node:` specifiers. Built JavaScript carries no `import type`.
 */
function staticGraph(entry: URL): Set<string> {
  const seen = new Set<string>()
  const pending = [entry.href]
  while (pending.length > 0) {
    const href = pending.pop() as string
    if (seen.has(href)) continue
    seen.add(href)
    if (href.startsWith('node:')) continue
    const [imports] = parse(readFileSync(fileURLToPath(href), 'utf8'), href)
    for (const found of imports) {
      if (found.d !== -1 || found.n === undefined) continue
      const specifier = found.n
      if (isBuiltin(specifier)) {
        pending.push(specifier.startsWith('node:') ? specifier : `node:${specifier}`)
      } else if (specifier.startsWith('.')) {
        pending.push(new URL(specifier, href).href)
      } else {
        pending.push(import.meta.resolve(specifier, href))
      }
    }
  }
  return seen
}

describe('the package entries', () => {
  beforeAll(async () => {
    if (!existsSync(new URL('dist/src/index.js', root))) {
      throw new Error('dist/ is missing: run "npm run build" before these tests')
    }
    await init
  })

  it('are the root, testing, msw, prism, types and vitest modules', () => {
    expect(entries.map(([subpath]) => subpath).sort()).toEqual([
      '.',
      './msw',
      './prism',
      './testing',
      './types',
      './vitest',
      './vitest/setup',
    ])
  })

  it.each(entries)('%s starts with a @module comment that says who imports it', (_, built) => {
    const source = fileURLToPath(built).replace('/dist/src/', '/src/').replace(/\.js$/, '.ts')
    const text = readFileSync(source, 'utf8')
    expect(text).toMatch(/^\/\*\*\n \* @module\n \* \S/)
  })

  it('the root entry reaches no Node module other than node:crypto and node:buffer', () => {
    const graph = staticGraph(entries.find(([subpath]) => subpath === '.')?.[1] as URL)
    const nodeModules = [...graph].filter((href) => href.startsWith('node:')).sort()
    expect(nodeModules.filter((name) => name !== 'node:buffer' && name !== 'node:crypto')).toEqual(
      [],
    )
    expect(nodeModules).toContain('node:crypto')
    // The walk follows the kit's own files and its runtime dependencies alike.
    expect([...graph].some((href) => href.includes('/node_modules/structured-headers/'))).toBe(true)
  })

  it('the testing entry reaches modules the root entry never loads, such as node:http', () => {
    // The walk is not vacuous: the same check finds the Node modules of the testing side.
    const graph = staticGraph(entries.find(([subpath]) => subpath === './testing')?.[1] as URL)
    expect([...graph]).toEqual(expect.arrayContaining(['node:http', 'node:crypto']))
  })

  it('the root entry loads none of msw, vitest or Prism', () => {
    const graph = staticGraph(entries.find(([subpath]) => subpath === '.')?.[1] as URL)
    const packages = [...graph].filter((href) => href.includes('/node_modules/'))
    expect(
      packages.filter((href) => /\/node_modules\/(msw|vitest|@stoplight)\//.test(href)),
    ).toEqual([])
  })
})
