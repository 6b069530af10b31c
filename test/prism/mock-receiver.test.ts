import { writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { IDAAS_EVENT_TYPES, isKitError } from '../../src/index.js'
import {
  type MockReceiver,
  type MockReceiverOptions,
  startMockReceiver,
} from '../../src/prism/index.js'
import { createEvent, ENTRUST_EXAMPLES, signDelivery } from '../../src/testing.js'
import { cleanEnv, runProcess } from '../e2e/run.js'
import { type ProblemBody, signedPost } from './helpers.js'

// One Prism for the whole file: loading Prism takes about a second.
let mock: MockReceiver
beforeAll(async () => {
  mock = await startMockReceiver()
})
afterAll(() => mock?.close())

/** One event type per schema category (the ten files in schemas/). */
// credential.print types none of its data fields and webhook.test has none of its own (A12), so
// neither has a typed data.subject to break: each category is represented by a type that has one.
const withTypedSubject = IDAAS_EVENT_TYPES.filter(
  (t) => t.type !== 'credential.print' && t.type !== 'webhook.test',
)
const perCategory = [...new Map(withTypedSubject.map((t) => [t.category, t.type])).entries()]

describe('startMockReceiver', () => {
  it('listens on loopback and serves the receiver path', () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/idaas$/)
    expect(mock.origin).toBe(mock.url.replace('/webhooks/idaas', ''))
  })

  it.each(Object.entries(ENTRUST_EXAMPLES))(
    "answers 204 to Entrust's published %s example, signed",
    async (_type, example) => {
      const response = await fetch(mock.url, signedPost(mock.url, JSON.stringify(example, null, 2)))
      expect(response.status).toBe(204)
      expect(response.headers.get('sl-violations')).toBeNull()
    },
  )

  it('lists ten categories to check', () => {
    expect(perCategory.map(([category]) => category)).toHaveLength(10)
  })

  it.each(perCategory)(
    'answers 422 naming the offending field for an invalid %s delivery',
    async (_category, type) => {
      const event = createEvent(type, undefined, { seed: 3 }) as unknown as {
        data: Record<string, unknown>
      }
      event.data.subject = 42
      const response = await fetch(mock.url, signedPost(mock.url, JSON.stringify(event)))
      expect(response.status).toBe(422)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      const problem = (await response.json()) as ProblemBody
      expect(problem.type).toBe('https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY')
      const errors = problem.validation?.filter((v) => v.code !== 'if')
      expect(errors).toEqual([
        {
          location: ['body', 'data', 'subject'],
          severity: 'Error',
          code: 'type',
          message: 'Request body property data.subject must be string',
        },
      ])
    },
  )

  it('answers 422 for an unknown field: the contract is strict (A15 tolerance is the receiver’s job)', async () => {
    const event = { ...ENTRUST_EXAMPLES['user.created'], region: 'eu' }
    const response = await fetch(mock.url, signedPost(mock.url, JSON.stringify(event)))
    const problem = (await response.json()) as ProblemBody
    expect(response.status).toBe(422)
    expect(problem.validation?.[0]).toMatchObject({
      location: ['body'],
      code: 'unevaluatedProperties',
      message: "Request body must NOT have unevaluated properties: 'region'",
    })
  })

  it('answers 422 naming each missing signature header of an unsigned delivery', async () => {
    const response = await fetch(mock.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ENTRUST_EXAMPLES['grid.created']),
    })
    const problem = (await response.json()) as ProblemBody
    expect(response.status).toBe(422)
    expect(problem.validation?.map((v) => v.message)).toEqual([
      "Request header must have required property 'content-digest'",
      "Request header must have required property 'signature-input'",
      "Request header must have required property 'signature'",
    ])
  })

  it('answers 422 with one error at /type for an unknown event type', async () => {
    const event = { ...ENTRUST_EXAMPLES['user.created'], type: 'user.create' }
    const response = await fetch(mock.url, signedPost(mock.url, JSON.stringify(event)))
    const problem = (await response.json()) as ProblemBody
    expect(response.status).toBe(422)
    expect(problem.validation).toHaveLength(1)
    expect(problem.validation?.[0]).toMatchObject({ location: ['body', 'type'], code: 'enum' })
  })

  it('answers 415 to a body that is not JSON', async () => {
    const body = JSON.stringify(ENTRUST_EXAMPLES['user.created'])
    const headers = {
      ...signDelivery({ url: mock.url, body, token: 't' }),
      'Content-Type': 'text/plain',
    }
    const response = await fetch(mock.url, { method: 'POST', headers, body })
    expect(response.status).toBe(415)
  })

  it('honours Prefer: code=503 for a valid delivery, with an empty body', async () => {
    const init = signedPost(mock.url, JSON.stringify(ENTRUST_EXAMPLES['user.created']))
    const response = await fetch(mock.url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), Prefer: 'code=503' },
    })
    expect(response.status).toBe(503)
    expect(await response.text()).toBe('')
  })

  it('refuses a body above 1 MiB with 413 (A14)', async () => {
    const big = JSON.stringify({
      ...ENTRUST_EXAMPLES['user.created'],
      pad: 'x'.repeat(1024 * 1024),
    })
    const response = await fetch(mock.url, signedPost(mock.url, big))
    expect(response.status).toBe(413)
    expect(((await response.json()) as ProblemBody).type).toBe(
      'urn:idaas-webhook-kit:error:payload-too-large',
    )
  })

  it('still answers and keeps the connection when onRequest throws, and prints the error', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    const throwing = await startMockReceiver({
      onRequest: () => {
        throw new Error('the callback broke')
      },
    })
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      const post = () =>
        new Promise<{ status: number; socket: Socket }>((resolve, reject) => {
          const init = signedPost(throwing.url, JSON.stringify(ENTRUST_EXAMPLES['user.created']))
          const req = request(
            throwing.url,
            { method: 'POST', agent, headers: init.headers as Record<string, string> },
            (res) => {
              res.resume()
              res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: res.socket }))
            },
          )
          req.on('error', reject)
          req.end(init.body as string)
        })
      const first = await post()
      const second = await post()
      agent.destroy()
      expect([first.status, second.status]).toEqual([204, 204])
      expect(second.socket).toBe(first.socket) // the connection was kept
      expect(printed).toHaveBeenCalledWith(
        '[idaas-webhook-kit] The "onRequest" callback threw: the callback broke',
      )
    } finally {
      await throwing.close()
    }
  })

  it('records each request with its status, outcome, event and violations', async () => {
    const before = mock.requests.length
    const event = ENTRUST_EXAMPLES['passkey.created']
    await fetch(mock.url, signedPost(mock.url, JSON.stringify(event)))
    await fetch(mock.url, signedPost(mock.url, JSON.stringify({ ...event, id: '' })))
    const [accepted, rejected] = mock.requests.slice(before)
    expect(accepted).toMatchObject({
      status: 204,
      outcome: 'accepted',
      eventType: 'passkey.created',
      eventId: event.id,
      injected: false,
      violations: [],
    })
    expect(rejected).toMatchObject({ status: 422, outcome: 'rejected', eventId: '' })
    expect(rejected?.violations).toEqual([
      expect.objectContaining({ location: ['request', 'body', 'id'], code: 'minLength' }),
    ])
    expect(mock.summary().requests).toBeGreaterThanOrEqual(before + 2)
  })
})

describe('startMockReceiver start-up and shutdown', () => {
  it('is ready when it resolves: the very first request is answered, no retry needed', async () => {
    const second = await startMockReceiver()
    try {
      const response = await fetch(
        second.url,
        signedPost(second.url, JSON.stringify(ENTRUST_EXAMPLES['user.created'])),
      )
      expect(response.status).toBe(204)
    } finally {
      await second.close()
    }
  })

  it('fails loudly when the document would make Prism validate nothing (the start-up self-test)', async () => {
    const path = join(tmpdir(), `kit-openapi-no-validation-${process.pid}.json`)
    await writeFile(
      path,
      JSON.stringify({
        openapi: '3.1.0',
        jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
        info: { title: 'no validation', version: '1' },
        paths: {
          '/webhooks/idaas': {
            post: {
              requestBody: { required: true, content: { 'application/json': { schema: {} } } },
              responses: { 204: { description: 'ok' } },
            },
          },
        },
      }),
    )
    const error = await startMockReceiver({ document: path }).catch((e: unknown) => e)
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toBe(
      `[idaas-webhook-kit] Failed to start Prism: the self-test POST {} to "/webhooks/idaas" got 204, not 422 with a "validation" list. Prism is not validating request bodies of "${path}": is a schema with "$id" used twice (a Prism bug), or is "jsonSchemaDialect" missing?`,
    )
  })

  it('close() stops listening and drops idle keep-alive connections', async () => {
    const third = await startMockReceiver()
    const agent = new Agent({ keepAlive: true })
    const { status, socket } = await new Promise<{ status: number; socket: Socket }>(
      (resolve, reject) => {
        const req = request(third.url, { method: 'GET', agent }, (res) => {
          const socket = res.socket
          res.resume()
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket }))
        })
        req.on('error', reject)
        req.end()
      },
    )
    expect(status).toBe(405)
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    const started = performance.now()
    await third.close()
    await socketClosed
    expect(performance.now() - started).toBeLessThan(1000)
    await expect(fetch(third.url, { method: 'POST' })).rejects.toThrow()
    await third.close() // twice is fine
    agent.destroy()
  })

  it('refuses a busy port with a message naming it', async () => {
    const port = Number(new URL(mock.origin).port)
    const error = await startMockReceiver({ port }).catch((e: unknown) => e)
    expect((error as Error).message).toBe(
      `[idaas-webhook-kit] Failed to start the mock receiver: port ${port} on "127.0.0.1" is already in use. Pass another "port" (CLI "--port"), or 0 for a free one.`,
    )
  })

  it.each([
    [
      { status: 404 },
      'Invalid option "status": expected a 5xx status (500 to 599), got number 404. IDaaS retries only 5xx.',
    ],
    [
      { status: '503' },
      'Invalid option "status": expected a 5xx status (500 to 599), got string "503". IDaaS retries only 5xx.',
    ],
    [
      { failRate: 1.5 },
      'Invalid option "failRate": expected a number from 0 to 1, got number 1.5.',
    ],
    [
      { failRate: 'abc' },
      'Invalid option "failRate": expected a number from 0 to 1, got string "abc".',
    ],
    [{ seed: 'abc' }, 'Invalid option "seed": expected a finite number, got string "abc".'],
    [{ port: -1 }, 'Invalid option "port": expected 0 to 65535, got number -1.'],
    [
      { host: '' },
      'Invalid option "host": expected an address such as "127.0.0.1", got string "".',
    ],
  ])('rejects bad options before starting anything: %o', async (options, message) => {
    await expect(startMockReceiver(options as MockReceiverOptions)).rejects.toThrow(
      `[idaas-webhook-kit] ${message}`,
    )
  })

  it('says how to install Prism when it is missing, pinning prism-core to a release for Node 20', async () => {
    // A real ESM resolution failure, in a child process: a module hook hides Prism.
    const hook = `export async function resolve(specifier, context, next) {
      if (specifier === '@stoplight/prism-http') throw Object.assign(new Error('not found'), { code: 'ERR_MODULE_NOT_FOUND' })
      return next(specifier, context)
    }`
    const prismModule = pathToFileURL(
      fileURLToPath(new URL('../../dist/src/prism/prism-module.js', import.meta.url)),
    ).href
    const script = `import { register } from 'node:module'
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))
      const { loadPrismHttp } = await import(${JSON.stringify(prismModule)})
      await loadPrismHttp().catch((error) => console.log(error.message))`
    const { stdout } = await runProcess(process.execPath, ['--input-type=module', '-e', script], {
      env: cleanEnv(),
    })
    expect(stdout.trim()).toBe(
      '[idaas-webhook-kit] Failed to load Prism: "@stoplight/prism-http" is not installed. It is an optional peer dependency of idaas-webhook-kit: run "npm install --save-dev @stoplight/prism-http@5.12.0 @stoplight/prism-core@5.8.0".',
    )
  })
})
