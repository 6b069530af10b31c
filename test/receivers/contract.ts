import { expect, it, onTestFinished, vi } from 'vitest'
import type { IdaasEnvelope, IdaasEvent } from '../../generated/types.js'
import type { IdaasDeliveryContext, IdaasHandlerOptions } from '../../src/index.js'
import {
  createEvent,
  createNegativeVectors,
  createSignedDelivery,
  createTrickyDeliveries,
  type SignedDelivery,
} from '../../src/testing.js'
import { CREATED, NOW, signatureValues, TOKEN } from '../signing/helpers.js'

export { CREATED, NOW, TOKEN }

/** What a receiver answered. */
export interface Answer {
  status: number
  headers: Headers
  text: string
}

/** A receiver under test, started with some handler options. */
export interface RunningReceiver {
  /** The URL deliveries are signed for and sent to. */
  url: string
  send(delivery: SignedDelivery): Promise<Answer>
}

/** Starts the adapter under test; cleanup is registered by the setup itself. */
export type StartReceiver = (options: IdaasHandlerOptions) => Promise<RunningReceiver>

/** Sends a delivery with the built-in Fetch client. */
export async function sendWithFetch(url: string, delivery: SignedDelivery): Promise<Answer> {
  const response = await fetch(url, {
    method: delivery.method,
    headers: delivery.headers,
    body: delivery.method === 'GET' ? null : delivery.body,
  })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** Turns a Fetch Response into an {@link Answer}. */
export async function toAnswer(response: Response): Promise<Answer> {
  return { status: response.status, headers: response.headers, text: await response.text() }
}

export function eventDelivery(url: string, event: unknown = createEvent('user.created')) {
  return createSignedDelivery({ url, body: JSON.stringify(event), token: TOKEN, created: CREATED })
}

interface Recorded {
  events: Array<[IdaasEvent, IdaasDeliveryContext]>
  unknown: Array<[IdaasEnvelope, IdaasDeliveryContext]>
  options: IdaasHandlerOptions
}

function recordingOptions(extra: Partial<IdaasHandlerOptions> = {}): Recorded {
  const recorded: Recorded = {
    events: [],
    unknown: [],
    options: {
      token: TOKEN,
      now: NOW,
      onEvent: (event, context) => {
        recorded.events.push([event, context])
      },
      onUnknownEvent: (event, context) => {
        recorded.unknown.push([event, context])
      },
      onError: () => {},
      ...extra,
    },
  }
  return recorded
}

function expectNoSecrets(text: string, delivery: SignedDelivery) {
  expect(text).not.toContain(TOKEN)
  for (const signature of signatureValues(delivery.headers)) expect(text).not.toContain(signature)
}

/**
 * The behaviour every receiver helper must show, as `it` blocks. `options.methodCheck` is false
 * for adapters whose framework routes only POST to the handler.
 */
export function receiverContract(start: StartReceiver, options: { methodCheck?: boolean } = {}) {
  it('answers 204 to a valid delivery and hands onEvent the verified, typed event', async () => {
    const recorded = recordingOptions()
    const receiver = await start(recorded.options)
    const event = createEvent('grid.created', undefined, { seed: 3 })
    const answer = await receiver.send(eventDelivery(receiver.url, event))
    expect(answer.status).toBe(204)
    expect(answer.text).toBe('')
    expect(recorded.events).toHaveLength(1)
    const [received, context] = recorded.events[0] ?? []
    expect(received).toEqual(event)
    expect(context?.notes).toEqual([])
    expect(context?.signature).toMatchObject({ label: 'sig', created: CREATED })
    expect(new TextDecoder().decode(context?.body)).toBe(JSON.stringify(event))
  })

  it('rejects every negative vector with 401 (400 for invalid JSON) and the vector reason', async () => {
    const recorded = recordingOptions()
    const receiver = await start(recorded.options)
    const vectors = createNegativeVectors(eventDelivery(receiver.url), { token: TOKEN })
    expect(vectors).toHaveLength(18)
    // The older header alone is refused by default, with the option that would accept it (A17).
    expect(vectors.find((v) => v.id === 'only-x-sha2-signature')?.reason).toBe(
      'scheme-not-accepted',
    )
    for (const vector of vectors) {
      const answer = await receiver.send(vector.delivery)
      expect(answer.status, vector.id).toBe(vector.reason === 'invalid-json' ? 400 : 401)
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8')
      const body = JSON.parse(answer.text) as { error: string; message: string }
      expect(body.error, vector.id).toBe(vector.reason)
      expect(body.message).toMatch(/^\[idaas-webhook-kit\] Failed to /)
      if (vector.reason === 'scheme-not-accepted') {
        expect(body.message).toContain("pass schemes: ['rfc9421', 'x-sha2'] to accept it")
      }
      expectNoSecrets(answer.text, vector.delivery)
    }
    expect(recorded.events).toEqual([])
  })

  it('accepts every byte-tricky body, verified over its raw bytes', async () => {
    const recorded = recordingOptions()
    const receiver = await start(recorded.options)
    const deliveries = createTrickyDeliveries({ url: receiver.url, token: TOKEN, created: CREATED })
    expect(deliveries).toHaveLength(9)
    for (const delivery of deliveries) {
      const answer = await receiver.send(delivery)
      expect(answer.status, `${delivery.id}: ${answer.text}`).toBe(204)
    }
    expect(recorded.events.map(([event]) => event)).toEqual(
      deliveries.map((d) => JSON.parse(d.body)),
    )
  })

  it('answers 400 with the issues for a correctly signed but invalid event, and no secrets', async () => {
    const recorded = recordingOptions()
    const receiver = await start(recorded.options)
    const event = createEvent('grid.created', undefined, { seed: 1 }) as unknown as {
      data: { entityAttributes: Record<string, unknown> }
    }
    event.data.entityAttributes.serialNumber = '2'
    const delivery = eventDelivery(receiver.url, event)
    const answer = await receiver.send(delivery)
    expect(answer.status).toBe(400)
    const body = JSON.parse(answer.text) as { error: string; message: string; issues: unknown[] }
    expect(body.error).toBe('invalid-event')
    expect(body.message).toBe(
      '[idaas-webhook-kit] Failed to validate "grid.created" event:\n✖ must be number, got string "2"\n  → at /data/entityAttributes/serialNumber',
    )
    expect(body.issues).toEqual([
      expect.objectContaining({
        path: '/data/entityAttributes/serialNumber',
        expected: 'number',
        actual: '2',
      }),
    ])
    expectNoSecrets(answer.text, delivery)
    expect(recorded.events).toEqual([])
  })

  it('accepts unknown fields and unknown event types in tolerant mode, with notes (A15)', async () => {
    const recorded = recordingOptions()
    const receiver = await start(recorded.options)
    const event = { ...createEvent('user.deleted'), region: 'eu' }
    expect((await receiver.send(eventDelivery(receiver.url, event))).status).toBe(204)
    expect(recorded.events[0]?.[1].notes).toEqual([
      { kind: 'unknown-field', path: '/region', message: 'unknown field "region"' },
    ])
    const unknownType = { ...createEvent('user.deleted'), type: 'user.suspended' }
    expect((await receiver.send(eventDelivery(receiver.url, unknownType))).status).toBe(204)
    expect(recorded.unknown.map(([event]) => event)).toEqual([unknownType])
  })

  it('rejects unknown fields with 400 in strict mode', async () => {
    const receiver = await start(recordingOptions({ validation: 'strict' }).options)
    const answer = await receiver.send(
      eventDelivery(receiver.url, { ...createEvent('user.deleted'), region: 'eu' }),
    )
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'invalid-event' })
  })

  it('answers 413 above maxBodyBytes without calling onEvent (A14)', async () => {
    const recorded = recordingOptions({ maxBodyBytes: 2048 })
    const receiver = await start(recorded.options)
    const event = createEvent('user.created', {
      data: { entityAttributes: { lastName: 'x'.repeat(4096) } },
    })
    const answer = await receiver.send(eventDelivery(receiver.url, event))
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.text)).toEqual({
      error: 'payload-too-large',
      message:
        '[idaas-webhook-kit] Failed to receive delivery: the body is larger than 2048 bytes (option "maxBodyBytes").',
    })
    expect(recorded.events).toEqual([])
    const small = await receiver.send(eventDelivery(receiver.url))
    expect(small.status).toBe(204)
  })

  it('accepts a body just under the default 1 MiB limit and rejects one just over it (A14)', async () => {
    const recorded = recordingOptions()
    const receiver = await start(recorded.options)
    const sized = (bytes: number) => {
      const event = createEvent('user.created', { data: { entityAttributes: { lastName: '' } } })
      const padding = bytes - JSON.stringify(event).length
      event.data.entityAttributes = {
        ...event.data.entityAttributes,
        lastName: 'x'.repeat(padding),
      }
      return eventDelivery(receiver.url, event)
    }
    expect((await receiver.send(sized(1024 * 1024))).status).toBe(204)
    expect((await receiver.send(sized(1024 * 1024 + 1))).status).toBe(413)
  })

  it('answers 500 when onEvent throws, so that IDaaS retries, and reports the error', async () => {
    const onError = vi.fn()
    const failure = new Error('database down')
    const receiver = await start({
      ...recordingOptions().options,
      onError,
      onEvent: () => {
        throw failure
      },
    })
    const answer = await receiver.send(eventDelivery(receiver.url, createEvent('passkey.deleted')))
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.text)).toEqual({
      error: 'handler-failed',
      message:
        '[idaas-webhook-kit] Failed to handle "passkey.deleted" delivery: the event handler threw.',
    })
    expect(onError).toHaveBeenCalledWith(failure)
  })

  it('still answers 500 "handler-failed" when onError throws too, logging that error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    onTestFinished(() => logged.mockRestore())
    const onErrorFailure = new Error('logger down')
    const receiver = await start({
      ...recordingOptions().options,
      onError: () => {
        throw onErrorFailure
      },
      onEvent: () => {
        throw new Error('database down')
      },
    })
    const answer = await receiver.send(eventDelivery(receiver.url))
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'handler-failed' })
    expect(logged).toHaveBeenCalledWith(onErrorFailure)
  })

  it('still answers a rejection when onRejected throws, and reports that error to onError', async () => {
    const onError = vi.fn()
    const failure = new Error('log sink down')
    const receiver = await start(
      recordingOptions({
        onError,
        onRejected: () => {
          throw failure
        },
      }).options,
    )
    const [vector] = createNegativeVectors(eventDelivery(receiver.url), { token: TOKEN })
    if (!vector) throw new Error('no vector')
    const answer = await receiver.send(vector.delivery)
    expect(answer.status).toBe(401)
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'missing-header' })
    expect(onError).toHaveBeenCalledWith(failure)
  })

  it('waits for an async onEvent before answering', async () => {
    const order: string[] = []
    const receiver = await start({
      ...recordingOptions().options,
      onEvent: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        order.push('handled')
      },
    })
    const answer = await receiver.send(eventDelivery(receiver.url))
    order.push(`answered ${answer.status}`)
    expect(order).toEqual(['handled', 'answered 204'])
  })

  it('rebuilds @target-uri from publicUrl behind a proxy (A5)', async () => {
    const publicUrl = 'https://hooks.example.com/idaas?tenant=1'
    const delivery = { ...eventDelivery(publicUrl) }
    const plain = await start(recordingOptions().options)
    expect((await plain.send({ ...delivery, url: plain.url })).status).toBe(401)
    const proxied = await start(recordingOptions({ publicUrl }).options)
    expect((await proxied.send({ ...delivery, url: proxied.url })).status).toBe(204)
  })

  it('answers 401 with a reason, never a 5xx, to forged signatures covering prototype-named headers', async () => {
    // A 5xx would make IDaaS retry forged input; Express would also have shown a stack trace.
    for (const profile of ['idaas', 'rfc9421'] as const) {
      const recorded = recordingOptions({ profile })
      const receiver = await start(recorded.options)
      for (const name of [
        'constructor',
        '__proto__',
        'tostring',
        'hasownproperty',
        'Constructor',
      ]) {
        const delivery = eventDelivery(receiver.url)
        const forged = {
          ...delivery,
          headers: {
            ...delivery.headers,
            'Signature-Input': delivery.headers['Signature-Input'].replace(
              '"content-digest")',
              `"content-digest" "${name}")`,
            ),
          },
        }
        for (const sent of [forged, { ...forged, headers: { ...forged.headers, [name]: 'x' } }]) {
          const answer = await receiver.send(sent)
          expect(answer.status, `${profile} ${name}`).toBe(401)
          const body = JSON.parse(answer.text) as { error: string; message: string }
          expect(body.message).toMatch(/^\[idaas-webhook-kit\] Failed to verify signature: /)
          expect(body.message).not.toMatch(/TypeError|\bat /)
        }
      }
      expect(recorded.events).toEqual([])
    }
  })

  it('accepts a delivery that also carries headers named like prototype properties', async () => {
    const recorded = recordingOptions()
    const receiver = await start(recorded.options)
    const delivery = eventDelivery(receiver.url)
    // JSON.parse makes "__proto__" an own key, as node's header parser does.
    const extra = JSON.parse(
      '{"constructor":"a","__proto__":"b","toString":"c","hasOwnProperty":"d"}',
    ) as Record<string, string>
    expect(Object.keys(extra)).toHaveLength(4)
    const headers = { ...delivery.headers }
    for (const [name, value] of Object.entries(extra)) {
      Object.defineProperty(headers, name, { value, enumerable: true })
    }
    expect((await receiver.send({ ...delivery, headers })).status).toBe(204)
    expect(recorded.events).toHaveLength(1)
  })

  it('reports every rejection to onRejected without secrets', async () => {
    const onRejected = vi.fn()
    const receiver = await start(recordingOptions({ onRejected }).options)
    const [vector] = createNegativeVectors(eventDelivery(receiver.url), { token: TOKEN })
    if (!vector) throw new Error('no vector')
    await receiver.send(vector.delivery)
    expect(onRejected).toHaveBeenCalledWith({
      status: 401,
      reason: 'missing-header',
      message:
        '[idaas-webhook-kit] Failed to verify signature: required headers missing: "Signature-Input", "Signature".',
    })
  })

  if (options.methodCheck !== false) {
    it('answers 405 with Allow: POST to other methods', async () => {
      const receiver = await start(recordingOptions().options)
      const answer = await receiver.send({
        method: 'GET',
        url: receiver.url,
        headers: {},
        body: '',
      })
      expect(answer.status).toBe(405)
      expect(answer.headers.get('allow')).toBe('POST')
      expect(JSON.parse(answer.text)).toMatchObject({ error: 'method-not-allowed' })
    })
  }
}
