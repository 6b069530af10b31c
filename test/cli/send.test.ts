import { writeFile } from 'node:fs/promises'
import type { IncomingHttpHeaders, RequestListener } from 'node:http'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createIdaasNodeHandler, type IdaasEvent } from '../../src/index.js'
import { createEvent, createVirtualClock } from '../../src/testing.js'
import { listen } from '../support/listen.js'
import { cli, tempDir } from './helpers.js'

const TOKEN = 'whsec_cli-send-token-abcdefghijklmnop'

interface Seen {
  headers: IncomingHttpHeaders
  event: IdaasEvent | undefined
  /** When the request arrived, by the receiver's clock. */
  at: number
}

async function serve(listener: RequestListener): Promise<string> {
  return `${await listen(listener)}/webhooks/idaas`
}

/** The kit's node handler, recording what it was sent; `answers` scripts statuses first. */
async function receiver(
  answers: number[] = [],
  options: { publicUrl?: string } = {},
  now: () => number = Date.now,
) {
  const seen: Seen[] = []
  const handler = createIdaasNodeHandler({
    token: TOKEN,
    ...options,
    onEvent: (event) => {
      const last = seen.at(-1)
      if (last) last.event = event
    },
  })
  const url = await serve((request, response) => {
    seen.push({ headers: request.headers, event: undefined, at: now() })
    const status = answers.shift()
    if (status !== undefined) {
      request.resume()
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(`{"scripted":${status}}`)
      return
    }
    void handler(request, response)
  })
  return { url, seen }
}

describe('idaas-webhook-kit send', () => {
  it('delivers a generated event with --set overrides and prints the attempt', async () => {
    const { url, seen } = await receiver()
    const run = await cli([
      'send',
      url,
      'user.created',
      '--token',
      TOKEN,
      '--set',
      'data.entityName=jane',
      '--seed',
      '7',
    ])
    expect(run.code).toBe(0)
    const expected = createEvent('user.created', { data: { entityName: 'jane' } }, { seed: 7 })
    expect(seen.map((s) => s.event)).toEqual([expected])
    expect(run.stdout).toMatch(
      new RegExp(
        `^POST ${url.replaceAll('.', '\\.')} {2}"user\\.created" ${expected.id} {2}signed for ${url.replaceAll('.', '\\.')}\n`,
      ),
    )
    expect(run.stdout).toContain(
      '  IDaaS policy: deadline 3000 ms, up to 3 attempts, only 5xx retried after ~2 s and ~4 s (real time)\n',
    )
    expect(run.stdout).toMatch(/^ {2}#1 {2}204 No Content {2}[\d.]+ ms$/m)
    expect(run.stdout).toContain(
      `✔ Delivered "user.created" to POST ${url}: 1 attempt, last status 204 No Content.\n`,
    )
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
  })

  it('retries a 503 after the IDaaS delay of the clock it is given, printing each attempt with its body, and exits 0 once delivered', async () => {
    const clock = createVirtualClock()
    const { url, seen } = await receiver([503], {}, () => clock.now())
    const run = await cli(['send', url, 'grid.created', '--token', TOKEN], { clock })
    expect(run.code).toBe(0)
    // A8: ~2 s (plus jitter) after the end of the first attempt, on the virtual clock.
    const [first, second] = seen.map((s) => s.at)
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(2000)
    expect(run.stdout).toMatch(
      /^ {2}#1 {2}503 Service Unavailable {2}[\d.]+ ms {2}\{"scripted":503\}\n {6}retrying in 2\.\d\d s\n {2}#2 {2}204 No Content {2}[\d.]+ ms$/m,
    )
    expect(seen).toHaveLength(2)
    // A6: the same envelope id on both attempts, a fresh signature each time.
    expect(seen[0]?.headers.signature).not.toBe(seen[1]?.headers.signature)
  })

  it('exits 1 when the receiver refuses, showing the answer', async () => {
    const { url } = await receiver([400])
    const run = await cli(['send', url, 'user.deleted', '--token', TOKEN])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^ {2}#1 {2}400 Bad Request {2}[\d.]+ ms {2}\{"scripted":400\}$/m)
    expect(run.stdout).toContain(
      `✖ Failed to deliver "user.deleted" to POST ${url}: 1 attempt, last status 400 Bad Request.\n`,
    )
  })

  it('reports a 304 answer as a failed attempt, without retrying it (A7)', async () => {
    const { url, seen } = await receiver([304])
    const run = await cli(['send', url, 'user.deleted', '--token', TOKEN])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^ {2}#1 {2}304 Not Modified {2}[\d.]+ ms$/m)
    expect(run.stdout).toContain(
      `✖ Failed to deliver "user.deleted" to POST ${url}: 1 attempt, last status 304 Not Modified (redirects are not followed).\n`,
    )
    expect(seen).toHaveLength(1)
  })

  it('sends without signature headers with --unsigned (no token needed): the receiver refuses it', async () => {
    const { url, seen } = await receiver()
    const run = await cli(['send', url, 'user.created', '--unsigned'])
    expect(run.code).toBe(1)
    expect(seen[0]?.headers).not.toHaveProperty('signature')
    expect(seen[0]?.headers).not.toHaveProperty('signature-input')
    expect(seen[0]?.headers).not.toHaveProperty('content-digest')
    expect(run.stdout).toMatch(
      /^ {2}#1 {2}401 Unauthorized {2}[\d.]+ ms {2}\{"error":"missing-header"/m,
    )
  })

  it('sends the event of --file as it is, and signs for --public-url (A5)', async () => {
    const publicUrl = 'https://hooks.example.com/webhooks/idaas'
    const { url, seen } = await receiver([], { publicUrl })
    const dir = await tempDir()
    const event = createEvent('passkey.created', undefined, { seed: 4 })
    await writeFile(join(dir, 'event.json'), JSON.stringify(event))
    const run = await cli(
      [
        'send',
        url,
        '--file',
        'event.json',
        '--public-url',
        publicUrl,
        '--set',
        'data.sourceIp="10.0.0.1"',
      ],
      { cwd: dir, env: { IDAAS_WEBHOOK_TOKEN: TOKEN } },
    )
    expect(run.code).toBe(0)
    expect(seen[0]?.event).toEqual({ ...event, data: { ...event.data, sourceIp: '10.0.0.1' } })
    expect(run.stdout).toContain(`signed for ${publicUrl}`)
  })

  it('warns about an invalid event from --file but sends it', async () => {
    const { url } = await receiver()
    const dir = await tempDir()
    await writeFile(
      join(dir, 'odd.json'),
      JSON.stringify({ id: 'x1', type: 'user.created', data: {} }),
    )
    const run = await cli(['send', url, '--file', 'odd.json', '--token', TOKEN], { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^⚠ The event is not valid \(sent anyway\): /)
    expect(run.stdout).toMatch(/#1 {2}400 Bad Request/)
  })

  it.each([
    [
      ['send', 'http://127.0.0.1:9/h', 'user.creatd', '--token', TOKEN],
      'Unknown event type "user.creatd". Did you mean "user.created"?',
    ],
    [
      ['send', 'http://127.0.0.1:9/h', '--token', TOKEN],
      'Missing argument [type]: give an event type such as "user.created", or "--file <file>". Run "idaas-webhook-kit events" for the types.',
    ],
    [
      ['send', 'http://127.0.0.1:9/h', 'user.created'],
      'Missing token: pass "--token <token>" or set IDAAS_WEBHOOK_TOKEN.',
    ],
    [
      ['send', 'ftp://x/h', 'user.created', '--token', TOKEN],
      'Invalid argument "<url>": expected an absolute http: or https: URL, got "ftp://x/h".',
    ],
    [
      ['send', 'http://127.0.0.1:9/h', 'user.created', '--token', TOKEN, '--set', 'entityName'],
      'Invalid option "--set": expected path=value such as "data.entityName=jane", got "entityName".',
    ],
    [
      ['send', 'http://127.0.0.1:9/h', 'user.created', '--token', TOKEN, '--seed', 'abc'],
      'Invalid option "--seed": expected a whole number, got "abc".',
    ],
    [
      ['send', 'http://127.0.0.1:9/h', '--file', 'missing.json', '--token', TOKEN],
      'Failed to read "missing.json" (option "--file"): no such file.',
    ],
  ])('exits 2 for a usage error: %j', async (argv, message) => {
    const run = await cli(argv)
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(`[idaas-webhook-kit] ${message}\n`)
  })

  it('refuses a --set path through __proto__, constructor or prototype, leaving Object.prototype alone', async () => {
    const dir = await tempDir()
    await writeFile(
      join(dir, 'proto.json'),
      '{"id":"x1","type":"user.created","__proto__":{"polluted":1},"data":{}}',
    )
    const cases: Array<[string[], string]> = [
      [['user.created', '--set', '__proto__.polluted=1'], '__proto__'],
      [['user.created', '--set', 'data.constructor.prototype.polluted=1'], 'constructor'],
      [['user.created', '--set', 'prototype.polluted=1'], 'prototype'],
      [['--file', 'proto.json', '--set', '__proto__.polluted=1'], '__proto__'],
    ]
    try {
      for (const [args, segment] of cases) {
        const set = args.at(-1)
        const run = await cli(['send', 'http://127.0.0.1:9/h', ...args, '--token', TOKEN], {
          cwd: dir,
        })
        expect(run).toMatchObject({ code: 2, stdout: '' })
        expect(run.stderr).toBe(
          `[idaas-webhook-kit] Invalid option "--set": the path may not contain "${segment}", got "${set}".\n`,
        )
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted
    }
  })

  it('exits 2 with the issue when --set makes the event invalid', async () => {
    const run = await cli([
      'send',
      'http://127.0.0.1:9/h',
      'grid.created',
      '--token',
      TOKEN,
      '--set',
      'data.entityAttributes.serialNumber="2"',
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^\[idaas-webhook-kit\] Invalid override for "grid\.created":\n✖ must be number/,
    )
  })

  it('exits 1 with the network error for an unreachable URL', async () => {
    const run = await cli(['send', 'http://127.0.0.1:9/h', 'user.created', '--token', TOKEN])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /^ {2}#1 {2}network: connect ECONNREFUSED 127\.0\.0\.1:9 {2}[\d.]+ ms$/m,
    )
  })
})
