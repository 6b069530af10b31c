import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { IDAAS_EVENT_TYPES } from '../../src/index.js'

const schemasDir = new URL('../../schemas/', import.meta.url)
const names = (await readdir(schemasDir)).filter((n) => n.endsWith('.schema.json')).sort()
const schemas = await Promise.all(
  names.map(async (name) => ({
    name,
    schema: JSON.parse(await readFile(new URL(name, schemasDir), 'utf8')),
  })),
)

/** The one schema that references nothing: the capture line format. */
const STANDALONE = new Set(['capture-record.schema.json'])

function collectRefs(node: unknown, refs: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) collectRefs(child, refs)
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value)
      else collectRefs(value, refs)
    }
  }
  return refs
}

describe('schemas/', () => {
  it('holds the envelope, the root and one file per event category', () => {
    expect(names).toEqual([
      'authentication.schema.json',
      'capture-record.schema.json',
      'credential.schema.json',
      'envelope.schema.json',
      'event.schema.json',
      'face.schema.json',
      'grid.schema.json',
      'kba.schema.json',
      'magiclink.schema.json',
      'passkey.schema.json',
      'password.schema.json',
      'token.schema.json',
      'user.schema.json',
      'verify-report.schema.json',
    ])
  })

  it.each(schemas)(
    '$name is JSON Schema 2020-12 with an $id mirroring its path',
    ({ name, schema }) => {
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
      expect(schema.$id).toBe(`https://unpkg.com/idaas-webhook-kit/schemas/${name}`)
    },
  )

  it.each(schemas.filter(({ name }) => !STANDALONE.has(name)))(
    '$name uses only relative $refs that resolve',
    ({ name, schema }) => {
      const refs = collectRefs(schema)
      expect(refs.length).toBeGreaterThan(0)
      for (const ref of refs) {
        expect(ref).toMatch(/^(\.\/[a-z-]+\.schema\.json)?(#.*)?$/)
        const [path = '', pointer = ''] = ref.split('#')
        const file = path === '' ? name : path.replace('./', '')
        const target = schemas.find((s) => s.name === file)?.schema
        expect(target, ref).toBeDefined()
        let node: unknown = target
        for (const part of pointer.split('/').filter(Boolean)) {
          node = (node as Record<string, unknown> | undefined)?.[part]
        }
        expect(node, `${name}: ${ref}`).toBeTypeOf('object')
      }
    },
  )

  it('leaves only the self-contained schemas without $refs', () => {
    const withoutRefs = schemas.filter(({ schema }) => collectRefs(schema).length === 0)
    expect(withoutRefs.map(({ name }) => name)).toEqual([...STANDALONE])
  })

  it('gives every one of the 25 event types a title, a description and a provenance', () => {
    const defs = schemas.flatMap(({ schema }) =>
      Object.values<Record<string, unknown>>(schema.$defs ?? {}),
    )
    const events = defs.filter((d) => typeof d['x-idaas-type'] === 'string')
    expect(events).toHaveLength(25)
    for (const def of events) {
      expect(def.title).toMatch(/^[A-Z][A-Za-z]+Event$/)
      expect(String(def.description).length).toBeGreaterThan(10)
      expect(['documented', 'api-enum-only']).toContain(def['x-idaas-provenance'])
    }
    expect(IDAAS_EVENT_TYPES.filter((t) => t.provenance === 'documented')).toHaveLength(16)
    expect(IDAAS_EVENT_TYPES.filter((t) => t.provenance === 'api-enum-only')).toHaveLength(9)
  })

  it('lists the 25 types in the order of the Admin API enum grouped by category', () => {
    const apiEnum = [
      'user.created',
      'user.updated',
      'user.deleted',
      'user.registration.completed',
      'authentication.succeeded',
      'authentication.failed',
      'password.updated',
      'magiclink.email.sent',
      'grid.created',
      'grid.email.sent',
      'grid.password.email.sent',
      'passkey.created',
      'passkey.updated',
      'passkey.deleted',
      'kba.question.created',
      'token.created',
      'token.activated',
      'token.activated.online',
      'token.seed.rotated',
      'hardware.token.assigned',
      'face.biometric.created',
      'credential.create',
      'credential.update',
      'credential.delete',
      'credential.print',
    ]
    expect(IDAAS_EVENT_TYPES.map((t) => t.type).sort()).toEqual([...apiEnum].sort())
  })
})
