import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { IDAAS_EVENT_TYPES, validateEvent } from '../../src/index.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'

const fixturesDir = new URL('../fixtures/entrust/', import.meta.url)
const schemasDir = new URL('../../schemas/', import.meta.url)

// The fixtures are Entrust's published payloads copied from the event pages (each schema's
// "x-idaas-source"); only whitespace may differ from the published text.
const fixtureNames = (await readdir(fixturesDir)).filter((n) => n.endsWith('.json')).sort()
const fixtures = await Promise.all(
  fixtureNames.map(async (name) => ({
    type: name.replace(/\.json$/, ''),
    text: await readFile(new URL(name, fixturesDir), 'utf8'),
  })),
)

async function schemaExamples(): Promise<Map<string, unknown>> {
  const examples = new Map<string, unknown>()
  for (const name of await readdir(schemasDir)) {
    const schema = JSON.parse(await readFile(new URL(name, schemasDir), 'utf8'))
    for (const def of Object.values<Record<string, unknown>>(schema.$defs ?? {})) {
      if (Array.isArray(def.examples)) examples.set(String(def['x-idaas-type']), def.examples[0])
    }
  }
  return examples
}

const examplesInSchemas = await schemaExamples()

describe("Entrust's published examples", () => {
  it('are eight, one per event type with a published payload', () => {
    expect(fixtures.map((f) => f.type)).toEqual(
      IDAAS_EVENT_TYPES.filter((t) => t.hasPublishedExample)
        .map((t) => t.type)
        .sort(),
    )
  })

  it.each(fixtures)(
    '$type is reproduced in its schema with the same keys in the same order',
    async ({ type, text }) => {
      const published = JSON.parse(text)
      const inSchema = examplesInSchemas.get(type)
      expect(JSON.stringify(inSchema)).toBe(JSON.stringify(published))
      expect(JSON.stringify(ENTRUST_EXAMPLES[type as keyof typeof ENTRUST_EXAMPLES])).toBe(
        JSON.stringify(published),
      )
    },
  )

  it.each(fixtures)('$type validates in strict mode with no notes', ({ text }) => {
    const result = validateEvent(JSON.parse(text), { mode: 'strict' })
    expect(result.issues).toEqual([])
    expect(result).toMatchObject({ ok: true, known: true, notes: [] })
  })

  it.each(fixtures)('$type validates in tolerant mode with no notes', ({ text }) => {
    expect(validateEvent(JSON.parse(text))).toMatchObject({ ok: true, known: true, notes: [] })
  })
})
