import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { IDAAS_EVENT_TYPES } from '../../src/index.js'

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8')
const events = await read('docs/events.md')
const assumptions = await read('docs/assumptions.md')
const developing = await read('docs/developing.md')
const readme = await read('README.md')

/** The catalogue table as docs/events.md must show it. */
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

describe('the documentation tables', () => {
  it('docs/events.md shows the event catalogue exactly as IDAAS_EVENT_TYPES holds it', () => {
    const match = events.match(/<!-- catalogue:start[^>]*-->\n([\s\S]*?)\n<!-- catalogue:end -->/)
    expect(match?.[1]).toBe(catalogueTable())
  })

  it('docs/assumptions.md lists every row A1–A17 with a status and what Entrust says', () => {
    const section = assumptions
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

  it('docs/developing.md gives npm install and npm test as the set-up', () => {
    expect(developing).toContain('npm install   #')
    expect(developing).toContain('npm test      #')
  })

  it('keeps the README a front door of at most 300 lines that links every page of docs/', async () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(300)
    const { readdir } = await import('node:fs/promises')
    for (const page of await readdir(new URL('../../docs/', import.meta.url))) {
      if (page.endsWith('.md')) expect(readme, page).toContain(`](docs/${page})`)
    }
  })
})
