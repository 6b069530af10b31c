import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { IDAAS_EVENT_TYPES } from '../src/index.js'

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')

/** The catalogue table as the README must show it. */
function catalogueTable(): string {
  const rows = IDAAS_EVENT_TYPES.map(
    (t) =>
      `| \`${t.type}\` | \`${t.title}\` | ${t.category} | ${t.provenance} | ${t.hasPublishedExample ? 'yes' : 'no'} |`,
  )
  return [
    '| type | interface | category | provenance | published example |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n')
}

describe('README', () => {
  it('shows the event catalogue exactly as IDAAS_EVENT_TYPES holds it', () => {
    const match = readme.match(/<!-- catalogue:start[^>]*-->\n([\s\S]*?)\n<!-- catalogue:end -->/)
    expect(match?.[1]).toBe(catalogueTable())
  })

  it('lists every row A1–A17 in its Assumptions table with a status and what Entrust says', () => {
    const section = readme.slice(readme.indexOf('## Assumptions'), readme.indexOf('## Benchmarks'))
    for (let n = 1; n <= 17; n++) {
      expect(section).toMatch(
        new RegExp(
          `^\\| A${n} \\| [^|]+ \\| (documented|partly documented|assumption) \\| [^|]+ \\|`,
          'm',
        ),
      )
    }
    // Entrust's sentences that settle A7 and A13, quoted exactly (idaas-webhooks.md §8.1, §10.1).
    expect(section).toContain(
      '"IDaaS retries webhook deliveries only for server-side failures that return a 5xx response."',
    )
    expect(section).toContain(
      '"The webhook token is shown only once, immediately after the webhook is created.',
    )
  })

  it('gives npm install and npm test as the set-up', () => {
    expect(readme).toContain('npm install   #')
    expect(readme).toContain('npm test      #')
  })
})
