import { spawn } from 'node:child_process'
import type { RequestListener, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
// The examples import the package by name: in this repository that resolves to dist/ through the
// package's own "exports" (Node's self-reference), so `npm run build` must have run.
import { createReceiver as createAcceptsForgeries } from '../../examples/broken/accepts-forgeries.mjs'
import { createReceiver as createOlderHeaderOnly } from '../../examples/broken/older-header-only.mjs'
import { createApp as createReserializing } from '../../examples/broken/reserializing.mjs'
import { createReceiver as createSlow } from '../../examples/broken/slow.mjs'
import { createReceiver as createStrictSchema } from '../../examples/broken/strict-schema.mjs'
import { createApp as createExpressApp } from '../../examples/express/server.mjs'
import { createApp as createFastifyApp } from '../../examples/fastify/server.mjs'
import { createApp as createHonoApp } from '../../examples/hono/app.mjs'
import { createReceiver as createNodeReceiver } from '../../examples/node-http/server.mjs'
import { createIdaasNodeHandler, type VerifyReport } from '../../src/index.js'
import { verifyReceiver } from '../../src/testing.js'
import { cleanEnv, runProcess } from '../e2e/run.js'
import { listen } from '../support/listen.js'

const TOKEN = 'whsec_examples-token-0123456789abcdef'
const root = fileURLToPath(new URL('../../', import.meta.url))

/** The callback URL of a receiver served on 127.0.0.1:0 until the test finishes. */
async function serve(receiver: Server | RequestListener): Promise<string> {
  return `${await listen(receiver)}/webhooks/idaas`
}

/** Runs `node <file>` with PORT=0 and resolves with the URL it prints; killed when the test finishes. */
async function startExample(file: string): Promise<string> {
  const child = spawn(process.execPath, [file], {
    cwd: root,
    env: cleanEnv({ IDAAS_WEBHOOK_TOKEN: TOKEN, PORT: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onTestFinished(() => {
    child.kill()
  })
  let output = ''
  return new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const match = /on (http:\/\/localhost:[1-9]\d*\/webhooks\/idaas)\n/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code}: ${output}`)))
  })
}

const errors = (report: VerifyReport) =>
  report.checks.filter((c) => c.status === 'failed' && c.severity === 'error').map((c) => c.id)
const warnings = (report: VerifyReport) =>
  report.checks.filter((c) => c.status === 'failed' && c.severity === 'warning').map((c) => c.id)

describe('the reference receivers in examples/ pass the full verify', () => {
  it('node-http/server.mjs, and its queue does each envelope id once', async () => {
    const worked: string[] = []
    const url = await serve(
      createNodeReceiver({ token: TOKEN, work: (event) => worked.push(event.id) }),
    )
    const report = await verifyReceiver({ url }, { token: TOKEN })
    expect(errors(report)).toEqual([])
    expect(warnings(report)).toEqual(['uses-https']) // http:// on loopback
    // The queue works after the 204: wait for it rather than for a fixed time.
    await vi.waitFor(() => expect(worked.length).toBeGreaterThanOrEqual(25 + 50))
    expect(new Set(worked).size).toBe(worked.length)
  })

  it('express/server.mjs', async () => {
    const app = createExpressApp({ token: TOKEN, work: () => {} })
    const url = await serve(app)
    const report = await verifyReceiver({ url }, { token: TOKEN })
    expect(errors(report)).toEqual([])
  })

  it('fastify/server.mjs', async () => {
    const app = await createFastifyApp({ token: TOKEN, work: () => {} })
    await app.listen({ port: 0, host: '127.0.0.1' })
    onTestFinished(() => app.close())
    const { port } = app.server.address() as AddressInfo
    const report = await verifyReceiver(
      { url: `http://127.0.0.1:${port}/webhooks/idaas` },
      { token: TOKEN },
    )
    expect(errors(report)).toEqual([])
  })

  it('hono/app.mjs, in-process through app.fetch with no port', async () => {
    const app = createHonoApp({ token: TOKEN, work: () => {} })
    const report = await verifyReceiver({ handler: app.fetch }, { token: TOKEN })
    expect(report.checks.filter((c) => c.status === 'failed')).toEqual([])
    expect(report.checks.find((c) => c.id === 'uses-https')?.details.skipped).toBe(
      'in-process handler',
    )
  })
})

describe('the broken receivers in examples/ are caught with the right check ids', () => {
  it('broken/slow.mjs fails responds-in-time', async () => {
    const url = await serve(createSlow({ token: TOKEN, delayMs: 400 }))
    const report = await verifyReceiver({ url }, { token: TOKEN, timeoutMs: 250 })
    expect(errors(report)).toContain('responds-in-time')
    expect(errors(report)).toEqual([
      'accepts-every-event-type',
      'tolerates-unknown-fields',
      'responds-in-time',
      'handles-burst',
    ])
    const slow = report.checks.find((c) => c.id === 'responds-in-time')
    expect(slow?.details.failures?.map((f) => f.case)).toEqual([
      'user.created',
      'user.created + top-level fields',
    ])
  })

  it('broken/reserializing.mjs fails verifies-raw-body only', async () => {
    const app = createReserializing({ token: TOKEN })
    const url = await serve(app)
    const report = await verifyReceiver({ url }, { token: TOKEN })
    expect(errors(report)).toEqual(['verifies-raw-body'])
  })

  it('broken/accepts-forgeries.mjs fails every forgery check', async () => {
    const url = await serve(createAcceptsForgeries())
    const report = await verifyReceiver({ url }, { token: TOKEN })
    expect(errors(report)).toEqual([
      'rejects-missing-signature',
      'rejects-wrong-token',
      'rejects-tampered-body',
    ])
    expect(warnings(report)).toEqual(['uses-https', 'rejects-stale-signature'])
    expect(report.ok).toBe(false)
  })

  it('broken/older-header-only.mjs fails every check that needs a 2xx, and the report says it checks only x-sha2-signature', async () => {
    const url = await serve(createOlderHeaderOnly({ token: TOKEN }))
    const report = await verifyReceiver({ url }, { token: TOKEN })
    expect(errors(report)).toEqual([
      'accepts-every-event-type',
      'verifies-raw-body',
      'tolerates-unknown-event-type',
      'tolerates-unknown-fields',
      'accepts-redelivery',
      'handles-burst',
    ])
    const accepts = report.checks.find((c) => c.id === 'accepts-every-event-type')
    expect(accepts?.message).toContain('The receiver checks only the older x-sha2-signature header')
    expect(accepts?.details.diagnosis).toContain(
      'disables the webhook after 100 consecutive failures',
    )
    expect(accepts?.details.diagnosis).toContain("schemes: ['rfc9421', 'x-sha2']")
  })

  it('broken/older-header-only.mjs passes verify --schemes x-sha2, with the freshness check skipped', async () => {
    const url = await serve(createOlderHeaderOnly({ token: TOKEN }))
    const report = await verifyReceiver({ url }, { token: TOKEN, schemes: ['x-sha2'] })
    expect(errors(report)).toEqual([])
    expect(report.ok).toBe(true)
    expect(report.schemes).toEqual(['x-sha2'])
    const stale = report.checks.find((c) => c.id === 'rejects-stale-signature')
    expect(stale).toMatchObject({ status: 'skipped', ok: false })
    expect(stale?.details.skipped).toMatch(/freshness \(A4\) cannot be checked/)
    const wrong = report.checks.find((c) => c.id === 'rejects-wrong-token')
    expect(wrong?.status).toBe('passed')
    expect(wrong?.details.notTested).toMatch(/URL \(@target-uri\) or the method cannot be tested/)
  })

  it('the kit handler accepting both schemes refuses a right x-sha2-signature beside a wrong RFC 9421 signature', async () => {
    const url = await serve(
      createIdaasNodeHandler({ token: TOKEN, schemes: ['rfc9421', 'x-sha2'], onEvent: () => {} }),
    )
    const report = await verifyReceiver({ url }, { token: TOKEN, schemes: ['rfc9421', 'x-sha2'] })
    expect(errors(report)).toEqual([])
    const wrong = report.checks.find((c) => c.id === 'rejects-wrong-token')
    expect(wrong?.status).toBe('passed')
    const deliveries = (wrong?.details.deliveries ?? []) as Array<{ case: string }>
    const cases = deliveries.map((d) => d.case)
    expect(cases).toContain('wrong-target-uri')
    expect(cases).toContain('x-sha2-wrong-beside-valid-rfc9421')
  })

  it('broken/strict-schema.mjs fails the tolerance checks', async () => {
    const url = await serve(createStrictSchema({ token: TOKEN }))
    const report = await verifyReceiver({ url }, { token: TOKEN })
    // reordered-keys, one of the byte-tricky bodies, carries an unknown field as well.
    expect(errors(report)).toEqual([
      'verifies-raw-body',
      'tolerates-unknown-event-type',
      'tolerates-unknown-fields',
    ])
  })
})

describe('running the examples from the repository', () => {
  it('resolves "idaas-webhook-kit" to the built dist/ through the package self-reference', async () => {
    const result = await runProcess(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('idaas-webhook-kit'))"],
      { cwd: root, env: cleanEnv() },
    )
    expect(result.stdout.trim()).toBe(new URL('../../dist/src/index.js', import.meta.url).href)
  })

  it.each([
    [
      'accepts-forgeries',
      ['rejects-missing-signature', 'rejects-wrong-token', 'rejects-tampered-body'],
    ],
    ['reserializing', ['verifies-raw-body']],
    [
      'older-header-only',
      [
        'accepts-every-event-type',
        'verifies-raw-body',
        'tolerates-unknown-event-type',
        'tolerates-unknown-fields',
        'accepts-redelivery',
        'handles-burst',
      ],
    ],
    [
      'strict-schema',
      ['verifies-raw-body', 'tolerates-unknown-event-type', 'tolerates-unknown-fields'],
    ],
  ])(
    'broken/%s.mjs started with node on PORT fails verify with the ids in its header',
    async (name, ids) => {
      const url = await startExample(`examples/broken/${name}.mjs`)
      const report = await verifyReceiver({ url }, { token: TOKEN })
      expect(errors(report)).toEqual(ids)
    },
  )

  it('broken/slow.mjs started with node on PORT answers a delivery', async () => {
    const url = await startExample('examples/broken/slow.mjs')
    // Unsigned: refused at once, before the slow work.
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401)
  })

  it('a reference receiver started with node refuses to start without IDAAS_WEBHOOK_TOKEN', async () => {
    const result = await runProcess(process.execPath, ['examples/node-http/server.mjs'], {
      cwd: root,
      env: cleanEnv({ IDAAS_WEBHOOK_TOKEN: '' }),
    })
    expect(result).toMatchObject({
      code: 2,
      stderr: 'Set IDAAS_WEBHOOK_TOKEN to the webhook token IDaaS showed you.\n',
    })
  })
})
