import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const src = fileURLToPath(new URL('../../src/', import.meta.url))

/** Every source file reachable from `entry` through relative imports (static or dynamic). */
function reachable(entry: string): Map<string, string> {
  const files = new Map<string, string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    const text = readFileSync(file, 'utf8')
    files.set(file, text)
    for (const match of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const target = resolve(dirname(file), `${match[1]}.ts`)
      if (target.startsWith(src)) visit(target)
    }
  }
  visit(entry)
  return files
}

const mentionsPrism = (files: Map<string, string>) =>
  [...files]
    .filter(([, text]) => /['"]@stoplight\//.test(text))
    .map(([file]) => file.slice(src.length))

describe('entry points', () => {
  it('keeps the package root free of @stoplight imports, even lazy ones', () => {
    expect(mentionsPrism(reachable(`${src}index.ts`))).toEqual([])
  })

  it('loads Prism only through idaas-webhook-kit/prism, from one module', () => {
    expect(mentionsPrism(reachable(`${src}prism/index.ts`))).toEqual(['prism/prism-module.ts'])
    const module = readFileSync(`${src}prism/prism-module.ts`, 'utf8')
    expect(module).toContain("PRISM_HTTP_PACKAGE = '@stoplight/prism-http'")
    expect(module).toMatch(/await import\(PRISM_HTTP_PACKAGE\)/)
  })

  it('loads the Prism subpath lazily from the CLI, so --help stays fast', () => {
    for (const command of ['mock', 'proxy']) {
      const text = readFileSync(`${src}cli/commands/${command}.ts`, 'utf8')
      expect(text).not.toMatch(/^import [^t].*from '\.\.\/\.\.\/prism\//m)
    }
  })
})
