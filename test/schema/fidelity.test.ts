import { readdir, readFile } from 'node:fs/promises'
import { Validator } from '@cfworker/json-schema'
import { describe, expect, it } from 'vitest'
import * as strictCompiled from '../../generated/validate-strict.js'
import * as tolerantCompiled from '../../generated/validate-tolerant.js'
import {
  hasPublishedExample,
  strictSchema,
  tolerantSchema,
  withOpenData,
} from '../../scripts/schema-forms.mjs'
import {
  createIdaasWebhookHandler,
  IDAAS_EVENT_TYPES,
  type IdaasEventType,
  validateEvent,
} from '../../src/index.js'
import { createEvent, createSignedDelivery, ENTRUST_EXAMPLES } from '../../src/testing.js'
import { CREATED, NOW, TOKEN } from '../signing/helpers.js'

type Json = Record<string, unknown> & { data: Record<string, unknown> }
type Schema = Record<string, unknown> & { $id: string; $defs?: Record<string, Schema> }

const schemasDir = new URL('../../schemas/', import.meta.url)
const files: Schema[] = await Promise.all(
  (await readdir(schemasDir))
    .filter((name) => name.endsWith('.schema.json'))
    .sort()
    .map(async (name) => JSON.parse(await readFile(new URL(name, schemasDir), 'utf8')) as Schema),
)
const ROOT_ID = 'https://unpkg.com/idaas-webhook-kit/schemas/event.schema.json'

/**
 * What validateEvent decides in strict mode, as plain JSON Schema: strict, with the data of a type
 * whose payload Entrust never published left open (its unknown fields are notes, not issues).
 */
function strictVerdictForm(schema: Schema): Schema {
  const defs = Object.fromEntries(
    Object.entries(schema.$defs ?? {}).map(([name, def]) => [
      name,
      typeof def['x-idaas-type'] === 'string' && !hasPublishedExample(def)
        ? withOpenData(def)
        : def,
    ]),
  )
  return strictSchema(schema.$defs ? { ...schema, $defs: defs } : schema) as Schema
}

/**
 * A second JSON Schema 2020-12 implementation (@cfworker/json-schema) over one schema form. It has
 * no discriminator, so the root's oneOf tries all 26 branches (about 16 ms an event); an event of
 * a known type goes straight to its own branch, which is what the discriminator picks.
 */
function secondImplementation(form: (schema: Schema) => Schema): (value: unknown) => boolean {
  const forms = files.map(form)
  const validatorFor = (schema: Schema) => {
    const validator = new Validator(schema, '2020-12', false)
    for (const other of forms) if (other.$id !== schema.$id) validator.addSchema(other)
    return validator
  }
  const root = validatorFor(forms.find((schema) => schema.$id === ROOT_ID) as Schema)
  const branches = new Map(
    IDAAS_EVENT_TYPES.map((info) => {
      const file = files.find((f) => f.$id.endsWith(`/${info.schema.replace('schemas/', '')}`))
      const name = Object.entries(file?.$defs ?? {}).find(
        ([, def]) => def['x-idaas-type'] === info.type,
      )?.[0]
      const ref = { $id: `urn:branch:${info.type}`, $ref: `${file?.$id}#/$defs/${name}` }
      return [info.type as string, validatorFor(ref as Schema)]
    }),
  )
  return (value) => {
    const type = (value as { type?: unknown }).type
    const validator = typeof type === 'string' ? (branches.get(type) ?? root) : root
    return validator.validate(value).valid
  }
}

const second = {
  strict: secondImplementation((s) => strictSchema(s) as Schema),
  tolerant: secondImplementation((s) => tolerantSchema(s) as Schema),
  strictVerdict: secondImplementation(strictVerdictForm),
}

const TYPES = IDAAS_EVENT_TYPES.map((info) => info.type)
const clone = <T>(value: T): T => structuredClone(value)

/** Base events: every factory type with a few seeds, and Entrust's published examples. */
function baseEvents(): Json[] {
  const events: Json[] = []
  for (const type of TYPES) {
    for (const seed of [1, 2])
      events.push(createEvent(type, undefined, { seed }) as unknown as Json)
  }
  for (const example of Object.values(ENTRUST_EXAMPLES)) {
    events.push(clone(example) as unknown as Json)
  }
  return events
}

const TIMES = [
  '2026-01-01T00:00:00+00:00',
  '2026-01-01T05:30:00+05:30',
  '2025-12-31T19:00:00-05:00',
  '2026-01-01T00:00:00.1Z',
  '2026-01-01T00:00:00.123456Z',
  '2026-01-01T00:00:00.123456789Z',
  '2026-01-01t00:00:00z',
  '2026-01-01 00:00:00Z',
  '2026-01-01T00:00:00.1234567890Z',
  '2026-01-01T00:00:00',
  '2026-01-01T00:00:00+0100',
  1767225600,
]

/** Mutations of one event: fields omitted, added, retyped; times; a broken envelope. */
function mutationsOf(event: Json): Json[] {
  const out: Json[] = []
  const push = (change: (copy: Json) => void) => {
    const copy = clone(event)
    change(copy)
    out.push(copy)
  }
  for (const key of Object.keys(event.data)) {
    push((e) => delete e.data[key])
    push((e) => {
      e.data[key] = 42
    })
    push((e) => {
      e.data[key] = null
    })
  }
  push((e) => {
    e.data = {}
  })
  push((e) => {
    e.data.printJobId = 'PJ-1'
  })
  push((e) => {
    e.deliveryAttempt = 2
  })
  push((e) => {
    e.data.entityAttributes = { ...(e.data.entityAttributes as object), color: 'blue' }
  })
  for (const eventTime of TIMES) {
    push((e) => {
      e.eventTime = eventTime
    })
  }
  for (const key of ['id', 'type', 'accountId', 'eventTime', 'data']) push((e) => delete e[key])
  push((e) => {
    e.id = ''
  })
  push((e) => {
    e.accountId = 7
  })
  push((e) => {
    e.data = [] as never
  })
  return out
}

const corpus = baseEvents().flatMap((event) => [event, ...mutationsOf(event)])

describe('a second JSON Schema 2020-12 implementation (@cfworker/json-schema)', () => {
  it('gets a corpus of more than 500 generated and mutated events, valid and invalid in both modes', () => {
    expect(corpus.length).toBeGreaterThan(500)
    for (const verdict of [second.strict, second.tolerant]) {
      expect(corpus.filter(verdict).length).toBeGreaterThan(100)
      expect(corpus.filter((e) => !verdict(e)).length).toBeGreaterThan(100)
    }
  })

  it('agrees with the generated strict and tolerant validators on every event', () => {
    const disagreements = corpus.flatMap((event) => {
      const found: string[] = []
      if (strictCompiled.validateEvent(event) !== second.strict(event)) found.push('strict')
      if (tolerantCompiled.validateEvent(event) !== second.tolerant(event)) found.push('tolerant')
      return found.length > 0 ? [{ modes: found, event }] : []
    })
    expect(disagreements).toEqual([])
  })

  it('agrees with validateEvent in both modes, where strict turns unpublished types’ unknown data fields into notes', () => {
    const disagreements = corpus.flatMap((event) => {
      const found: string[] = []
      if (validateEvent(event).ok !== second.tolerant(event)) found.push('tolerant')
      if (validateEvent(event, { mode: 'strict' }).ok !== second.strictVerdict(event)) {
        found.push('strict')
      }
      return found.length > 0 ? [{ modes: found, event }] : []
    })
    expect(disagreements).toEqual([])
  })
})

// --- Plausible real-world variants ----------------------------------------------------------------

interface Variant {
  name: string
  event: Json
  /** What strict mode says: `ok` with these note kinds, or the paths of its issues. */
  strict: { notes: string[] } | { issues: string[] }
}

const REQUIRED_IN_STRICT = ['subject', 'subjectName', 'subjectType', 'resourceName', 'sourceIp']

function variantsOf(type: IdaasEventType): Variant[] {
  const base = createEvent(type, undefined, { seed: 11 }) as unknown as Json
  const published = IDAAS_EVENT_TYPES.find((info) => info.type === type)?.hasPublishedExample
  const variants: Variant[] = []
  const add = (name: string, change: (e: Json) => void, strict: Variant['strict']) => {
    const event = clone(base)
    change(event)
    variants.push({ name, event, strict })
  }
  for (const key of Object.keys(base.data)) {
    const required = published && REQUIRED_IN_STRICT.includes(key)
    add(
      `without data.${key}`,
      (e) => delete e.data[key],
      required ? { issues: [`/data/${key}`] } : { notes: [] },
    )
  }
  add(
    'with an unknown data field',
    (e) => {
      e.data.failureReason = 'USER_NOT_FOUND'
    },
    published ? { issues: ['/data/failureReason'] } : { notes: ['unknown-field'] },
  )
  add(
    'with an unknown top-level field',
    (e) => {
      e.webhookId = 'wh_1a2b3c4d5e6f7g8h'
    },
    { issues: ['/webhookId'] },
  )
  for (const eventTime of [
    '2026-01-01T00:00:00+00:00',
    '2026-03-16T12:33:05-05:00',
    '2026-03-16T17:33:05.1Z',
    '2026-03-16T17:33:05.123456Z',
    '2026-03-16T17:33:05.123456789+01:00',
  ]) {
    const offset = !eventTime.endsWith('Z')
    const digits = /\.(\d+)/.exec(eventTime)?.[1]?.length ?? 0
    const kinds = [
      ...(offset ? ['unusual-timestamp'] : []),
      ...(digits !== 0 && digits !== 3 ? ['unusual-timestamp'] : []),
    ]
    add(
      `with eventTime ${eventTime}`,
      (e) => {
        e.eventTime = eventTime
      },
      { notes: kinds },
    )
  }
  return variants
}

describe('plausible real-world variants of every type', () => {
  const handler = createIdaasWebhookHandler({ token: TOKEN, now: NOW, onEvent: () => {} })
  const url = 'https://receiver.example.com/webhooks/idaas'

  describe.each(TYPES)('%s', (type) => {
    const variants = variantsOf(type)

    it('passes tolerant mode and the Fetch receiver helper with a signed request, every variant', async () => {
      const refused: string[] = []
      for (const { name, event } of variants) {
        const result = validateEvent(event)
        if (!result.ok || !result.known) refused.push(`${name}: validateEvent`)
        const body = JSON.stringify(event)
        const delivery = createSignedDelivery({ url, body, token: TOKEN, created: CREATED })
        const response = await handler(
          new Request(url, { method: 'POST', headers: delivery.headers, body }),
        )
        if (response.status < 200 || response.status > 299) {
          refused.push(`${name}: receiver answered ${response.status} ${await response.text()}`)
        }
      }
      expect(refused).toEqual([])
    })

    it('gets from strict mode exactly the notes or issues the provenance rules give', () => {
      const got = variants.map(({ name, event }) => {
        const result = validateEvent(event, { mode: 'strict' })
        const strict = result.ok
          ? { notes: result.notes.map((note) => note.kind) }
          : { issues: result.issues.map((issue) => issue.path) }
        return { name, strict }
      })
      expect(got).toEqual(variants.map(({ name, strict }) => ({ name, strict })))
    })
  })

  it('accepts the two deliveries the kit used to refuse: a failed sign-in without a subject, and a +00:00 eventTime', async () => {
    const failed = createEvent('authentication.failed', undefined, { seed: 3 }) as unknown as Json
    delete failed.data.subject
    const plusZero = {
      ...(createEvent('user.created', undefined, { seed: 3 }) as unknown as Json),
      eventTime: '2026-01-01T00:00:00+00:00',
    }
    const received: unknown[] = []
    const recording = createIdaasWebhookHandler({
      token: TOKEN,
      now: NOW,
      onEvent: (event) => {
        received.push(event)
      },
    })
    for (const event of [failed, plusZero]) {
      const body = JSON.stringify(event)
      const delivery = createSignedDelivery({ url, body, token: TOKEN, created: CREATED })
      const response = await recording(
        new Request(url, { method: 'POST', headers: delivery.headers, body }),
      )
      expect(response.status).toBe(204)
    }
    expect(received).toEqual([failed, plusZero])
  })
})
