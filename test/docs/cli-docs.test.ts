import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { CLI_DOCS_PATH, renderCliDocs } from '../../scripts/cli-docs.mjs'
import { COMMANDS, createCLI } from '../../src/cli/index.js'

const docs = await readFile(CLI_DOCS_PATH, 'utf8')

describe('docs/cli.md', () => {
  it('is exactly what the command definitions render (run "npm run docs:cli" after changing a command)', () => {
    expect(docs).toBe(renderCliDocs(createCLI()))
  })

  it('documents every command, each of its flags and its first example', () => {
    for (const command of COMMANDS) {
      const section = docs.slice(docs.indexOf(`\n## ${command.name}\n`))
      expect(section, command.name).not.toBe('')
      const own = section.slice(
        0,
        section.indexOf('\n## ', 1) === -1 ? undefined : section.indexOf('\n## ', 1),
      )
      for (const option of command.options)
        expect(own, `${command.name} ${option.flags}`).toContain(
          `\`${option.flags.replaceAll('|', '\\|')}\``,
        )
      expect(own).toContain(command.examples[0]?.replace(/^\s*\$ /, '') ?? '')
    }
  })
})
