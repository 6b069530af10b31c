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

/** The definition of every event type, from every category file. */
function eventDefs(): Array<Record<string, unknown>> {
  return schemas
    .flatMap(({ schema }) => Object.values<Record<string, unknown>>(schema.$defs ?? {}))
    .filter((d) => typeof d['x-idaas-type'] === 'string')
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
      'webhook.schema.json',
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

  it('gives every one of the 26 event types a title, a description and a provenance', () => {
    const events = eventDefs()
    expect(events).toHaveLength(26)
    for (const def of events) {
      expect(def.title).toMatch(/^[A-Z][A-Za-z]+Event$/)
      expect(String(def.description).length).toBeGreaterThan(10)
      expect(['documented', 'api-enum-only', 'assumption']).toContain(def['x-idaas-provenance'])
    }
    expect(IDAAS_EVENT_TYPES.filter((t) => t.provenance === 'documented')).toHaveLength(16)
    expect(IDAAS_EVENT_TYPES.filter((t) => t.provenance === 'api-enum-only')).toHaveLength(9)
    expect(IDAAS_EVENT_TYPES.filter((t) => t.provenance === 'assumption')).toEqual([
      expect.objectContaining({ type: 'webhook.test', hasPublishedExample: false }),
    ])
    expect(IDAAS_EVENT_TYPES.filter((t) => t.hasPublishedExample)).toHaveLength(8)
  })

  it('says for every field where its rule comes from', () => {
    const missing: string[] = []
    const visit = (node: unknown, where: string) => {
      if (node === null || typeof node !== 'object') return
      const schema = node as Record<string, unknown>
      for (const [name, prop] of Object.entries(
        (schema.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        const path = `${where}/${name}`
        if (
          prop.$ref === undefined &&
          name !== 'type' &&
          typeof prop['x-idaas-evidence'] !== 'string'
        ) {
          missing.push(path)
        }
        visit(prop, path)
      }
      for (const member of (schema.allOf ?? []) as unknown[]) visit(member, where)
      if (schema['x-idaas-strict'] !== undefined) {
        const strict = schema['x-idaas-strict'] as Record<string, unknown>
        if (typeof strict['x-idaas-evidence'] !== 'string')
          missing.push(`${where} (x-idaas-strict)`)
        visit(strict, where)
      }
    }
    for (const def of eventDefs()) visit(def, String(def['x-idaas-type']))
    const envelope = schemas.find((s) => s.name === 'envelope.schema.json')?.schema
    visit(envelope, 'envelope')
    for (const [name, def] of Object.entries(envelope.$defs)) visit(def, `envelope#${name}`)
    expect(missing).toEqual([])
  })

  it('requires no data field outside x-idaas-strict, and none at all without a published payload', () => {
    for (const def of eventDefs()) {
      const data = (def.properties as Record<string, Record<string, unknown>>).data
      expect(data?.required, String(def['x-idaas-type'])).toBeUndefined()
      const strict = (data?.['x-idaas-strict'] ?? {}) as Record<string, unknown>
      if (Array.isArray(def.examples)) {
        expect(strict.required).toEqual([
          'subject',
          'subjectName',
          'subjectType',
          'resourceName',
          'sourceIp',
        ])
      } else {
        expect(strict.required, String(def['x-idaas-type'])).toBeUndefined()
      }
    }
  })

  it("lists Entrust's 25 types in the order of the Admin API enum grouped by category", () => {
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
    expect(
      IDAAS_EVENT_TYPES.filter((t) => t.provenance !== 'assumption')
        .map((t) => t.type)
        .sort(),
    ).toEqual([...apiEnum].sort())
  })
})
