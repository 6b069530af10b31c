import { describe, expect, it } from 'vitest'
import { IDAAS_EVENT_TYPES } from '../../generated/event-catalogue.js'
import { cli } from './helpers.js'

describe('idaas-webhook-kit events', () => {
  it('prints a table row per event type with category, provenance, example and interface', async () => {
    const run = await cli(['events'])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    const lines = run.stdout.split('\n')
    expect(lines[0]).toMatch(/^TYPE +CATEGORY +PROVENANCE +EXAMPLE +INTERFACE$/)
    for (const info of IDAAS_EVENT_TYPES) {
      const row = lines.find((l) => l.startsWith(`${info.type} `))
      expect(row?.split(/ {2,}/), info.type).toEqual([
        info.type,
        info.category,
        info.provenance,
        info.hasPublishedExample ? 'yes' : 'no',
        info.title,
      ])
    }
    expect(
      lines.filter((l) => /^[a-z.]+ {2,}[a-z]+ {2,}(documented|api-enum-only|assumption) /.test(l)),
    ).toHaveLength(26)
    expect(run.stdout).toContain(
      "\n\n26 event types: 16 documented, 9 api-enum-only (named only in the Admin API), 1 assumption (the kit's test delivery, A12); 8 with a published example.\n",
    )
  })

  it('aligns the columns', async () => {
    const { stdout } = await cli(['events'])
    const rows = stdout.split('\n').slice(0, 27)
    const start = (row: string, word: string) => row.indexOf(` ${word}`) + 1
    const categoryColumn = start(rows[0] ?? '', 'CATEGORY')
    for (const row of rows.slice(1)) expect(row[categoryColumn - 1], row).toBe(' ')
    expect(
      new Set(rows.slice(1).map((r) => r.search(/ (documented|api-enum-only|assumption) /))),
    ).toHaveProperty('size', 1)
  })

  it('prints the catalogue as JSON with --json', async () => {
    const run = await cli(['events', '--json'])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(JSON.parse(run.stdout)).toEqual(IDAAS_EVENT_TYPES)
  })
})
