import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'

/** A TypeScript code block of a Markdown file. */
export interface Snippet {
  /** The Markdown file, relative to the project root. */
  file: string
  /** The 1-based line of the block's first code line in that file. */
  line: number
  /** The words of the info string after the language, e.g. `['user-module']`. */
  flags: string[]
  code: string
}

const FENCE = /^```(ts|typescript)((?:[ \t]+[\w-]+)*)[ \t]*$/

/** Every ```ts (or ```typescript) block of `markdown`, with its position and info-string flags. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n')
  const snippets: Snippet[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '')
    if (!open) continue
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end] !== '```') end++
    if (end === lines.length) throw new Error(`${file}:${i + 1}: the code block is not closed`)
    snippets.push({
      file,
      line: start + 1,
      flags: (open[2] ?? '').trim().split(/\s+/).filter(Boolean),
      code: lines.slice(start, end).join('\n'),
    })
    i = end
  }
  return snippets
}

/** README.md, every Markdown file under docs/ and bench/README.md, relative to `root`. */
export async function documentationFiles(root: string): Promise<string[]> {
  const files = ['README.md', 'bench/README.md']
  for (const entry of await readdir(join(root, 'docs'), { recursive: true }).catch(() => [])) {
    if (entry.endsWith('.md')) files.push(relative(root, join(root, 'docs', entry)))
  }
  const present: string[] = []
  for (const file of files) {
    if (
      await readFile(join(root, file)).then(
        () => true,
        () => false,
      )
    )
      present.push(file)
  }
  return present.sort()
}
