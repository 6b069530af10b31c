import { createServer, type RequestListener, type Server } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createIdaasNodeHandler, isKitError } from '../../src/index.js'
import {
  formatGithubAnnotations,
  formatJunitReport,
  formatPrettyReport,
  verifyReceiver,
} from '../../src/testing.js'
import { listen } from '../support/listen.js'
import { check, failedIds, TOKEN } from './support.js'

interface Running {
  url: string
  server: Server
}

/** A node:http server on 127.0.0.1:0, closed with its connections when the test finishes. */
async function serve(listener: RequestListener): Promise<Running> {
  const server = createServer(listener)
  return { url: `${await listen(server)}/webhooks/idaas`, server }
}

/** Resolves when the server holds no connection (the verifier closed all of its sockets). */
async function connectionsClosed(server: Server): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const count = await new Promise<number>((resolve, reject) =>
      server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
    )
    if (count === 0) return 0
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return -1
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}

const goodNodeHandler = (options: Partial<Parameters<typeof createIdaasNodeHandler>[0]> = {}) =>
  createIdaasNodeHandler({ token: TOKEN, onEvent: () => {}, ...options })

describe('verifyReceiver against receivers that misbehave at the transport level', () => {
  it('reports an unreachable URL once, fast, and runs nothing else', async () => {
    const closed = await serve(() => {})
    await new Promise<void>((resolve) => closed.server.close(() => resolve()))
    const started = performance.now()
    const report = await verifyReceiver({ url: closed.url }, { token: TOKEN })
    expect(performance.now() - started).toBeLessThan(2000)
    expect(report.ok).toBe(false)
    expect(failedIds(report)).toEqual(['accepts-every-event-type'])
    const port = new URL(closed.url).port
    expect(check(report, 'accepts-every-event-type').message).toBe(
      `Failed to reach the receiver at POST ${closed.url}: connect ECONNREFUSED 127.0.0.1:${port}. Is it running, and is the URL right? No other check was run.`,
    )
    const others = report.checks.filter((c) => c.id !== 'accepts-every-event-type')
    for (const result of others) {
      expect(result.details.skipped).toBe('receiver unreachable')
      expect(result.message).toBe('Not run: receiver unreachable (see accepts-every-event-type).')
    }
  })

  it('reports a receiver that never answers once, within the deadline, leaving no socket or timer', async () => {
    const before = timeouts()
    const hanging = await serve(() => {})
    const started = performance.now()
    const report = await verifyReceiver({ url: hanging.url }, { token: TOKEN, timeoutMs: 200 })
    expect(performance.now() - started).toBeLessThan(1500)
    expect(failedIds(report)).toEqual(['responds-in-time'])
    expect(check(report, 'responds-in-time').message).toMatch(
      /^The receiver did not answer a valid delivery \("authentication\.succeeded", the probe\) within 200 ms, so no other check was run/,
    )
    expect(await connectionsClosed(hanging.server)).toBe(0)
    expect(timeouts()).toBeLessThanOrEqual(before)
  })

  it('stops sending once a receiver that answered the probe hangs, and says so', async () => {
    let answered = 0
    const hangsLater = await serve((request, response) => {
      if (answered++ === 0) goodNodeHandler()(request, response)
    })
    const started = performance.now()
    const report = await verifyReceiver({ url: hangsLater.url }, { token: TOKEN, timeoutMs: 100 })
    expect(performance.now() - started).toBeLessThan(3000)
    const accepts = check(report, 'accepts-every-event-type')
    expect(accepts.ok).toBe(false)
    const outcomes = accepts.details.failures?.map((f) => f.outcome)
    expect(outcomes?.filter((o) => o === 'timeout')).toHaveLength(6)
    expect(outcomes?.filter((o) => o === 'not-sent')).toHaveLength(19)
    expect(check(report, 'handles-burst').details.skipped).toBe(
      'the receiver stopped answering (6 timeouts in a row)',
    )
    expect(await connectionsClosed(hangsLater.server)).toBe(0)
  })

  it('reports a receiver that resets every connection once, with the error code', async () => {
    const resetting = await serve((request) => request.socket.destroy())
    const report = await verifyReceiver({ url: resetting.url }, { token: TOKEN })
    expect(failedIds(report)).toEqual(['accepts-every-event-type'])
    expect(check(report, 'accepts-every-event-type').message).toBe(
      `Failed to reach the receiver at POST ${resetting.url}: ECONNRESET: socket hang up. Is it running, and is the URL right? No other check was run.`,
    )
  })

  it('reads at most 64 KiB of a 50 MB answer and warns about it', async () => {
    let bytesSent = 0
    const huge = await serve((request, response) => {
      request.resume()
      response.writeHead(200, { 'content-type': 'text/plain' })
      const chunk = Buffer.alloc(1024 * 1024, 'x')
      let left = 50
      const pump = () => {
        while (left > 0) {
          left--
          if (!response.write(chunk)) {
            response.once('drain', pump)
            return
          }
        }
        response.end()
      }
      response.on('close', () => {
        bytesSent += request.socket.bytesWritten
      })
      pump()
    })
    const started = performance.now()
    const report = await verifyReceiver(
      { url: huge.url },
      { token: TOKEN, only: ['accepts-every-event-type', 'rejects-wrong-token'] },
    )
    expect(performance.now() - started).toBeLessThan(5000)
    expect(check(report, 'accepts-every-event-type')).toMatchObject({ ok: true })
    expect(check(report, 'accepts-every-event-type').details.warnings).toEqual([
      '26 responses had a body over 64 KiB (read no further): IDaaS needs no body, answer 204 or a short one.',
    ])
    // 200 to forgeries: the evidence holds a 200-character excerpt, not 50 MB.
    const forged = check(report, 'rejects-wrong-token')
    expect(forged.ok).toBe(false)
    expect(forged.details.failures?.[0]?.body).toBe(`${'x'.repeat(200)}…`)
    expect(await connectionsClosed(huge.server)).toBe(0)
    // 31 answers of 50 MB: far less than 1.5 GB went over the wire.
    expect(bytesSent).toBeLessThan(31 * 50 * 1024 * 1024 * 0.5)
  })

  it('reports a handler that throws once, as the probe failure', async () => {
    const report = await verifyReceiver(
      {
        handler: () => {
          throw new Error('database down')
        },
      },
      { token: TOKEN },
    )
    expect(failedIds(report)).toEqual(['accepts-every-event-type'])
    expect(check(report, 'accepts-every-event-type').message).toBe(
      'The handler failed on a valid delivery (the handler threw: database down), so no other check was run.',
    )
  })
})

describe('verifyReceiver options', () => {
  it('signs for publicUrl while sending to the URL, as behind a proxy or tunnel (A5)', async () => {
    const publicUrl = 'https://hooks.example.com/webhooks/idaas'
    const proxied = await serve(goodNodeHandler({ publicUrl }))
    const withPublicUrl = await verifyReceiver(
      { url: proxied.url },
      { token: TOKEN, publicUrl, skip: ['handles-burst'] },
    )
    expect(failedIds(withPublicUrl)).toEqual([])
    expect(check(withPublicUrl, 'uses-https').message).toBe(
      `The registered URL "${publicUrl}" uses https; TLS ends before "${proxied.url}", so it was not probed. Run verify against the public URL to check TLS.`,
    )
    const without = await verifyReceiver(
      { url: proxied.url },
      { token: TOKEN, only: ['accepts-every-event-type'] },
    )
    expect(check(without, 'accepts-every-event-type').message).toContain('Every delivery got 401')
  })

  it('signs with the key encoding the receiver expects (A1)', async () => {
    const token = 'whsec_c2VjcmV0LWtleS1ieXRlcy1mb3ItdGhlLXRlc3Q='
    const receiver = await serve(
      createIdaasNodeHandler({ token, keyEncoding: 'base64', onEvent: () => {} }),
    )
    const report = await verifyReceiver(
      { url: receiver.url },
      { token, keyEncoding: 'base64', burst: 5 },
    )
    expect(failedIds(report)).toEqual(['uses-https'])
    expect(check(report, 'uses-https').severity).toBe('warning')
    expect(report.ok).toBe(true)
  })

  it('refuses bad options with a KitError naming the option', async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [
        () => verifyReceiver({ url: 'localhost:3000/hook' }, { token: TOKEN }),
        '[idaas-webhook-kit] Failed to verify: option "url" must be an absolute http: or https: URL, got "localhost:3000/hook".',
      ],
      [
        () => verifyReceiver({ url: 'ftp://example.com/hook' }, { token: TOKEN }),
        '[idaas-webhook-kit] Failed to verify: option "url" must be an absolute http: or https: URL, got "ftp://example.com/hook".',
      ],
      [
        () => verifyReceiver({ url: 'http://127.0.0.1:9/hook' }, { token: '' }),
        '[idaas-webhook-kit] Failed to verify: option "token" must be the webhook token, a non-empty string.',
      ],
      [
        () =>
          verifyReceiver(
            { url: 'http://127.0.0.1:9/hook' },
            // @ts-expect-error: not a check id
            { token: TOKEN, only: ['accepts-every-event-types'] },
          ),
        '[idaas-webhook-kit] Failed to verify: unknown check "accepts-every-event-types" in option "only". Did you mean "accepts-every-event-type"?',
      ],
      [
        () => verifyReceiver({ url: 'http://127.0.0.1:9/hook' }, { token: TOKEN, burst: 0 }),
        '[idaas-webhook-kit] Failed to verify: option "burst" must be a whole number from 1 to 1000, got 0.',
      ],
      [
        () =>
          verifyReceiver(
            { url: 'http://127.0.0.1:9/hook' },
            { token: TOKEN, only: ['no-redirect'], skip: ['no-redirect'] },
          ),
        '[idaas-webhook-kit] Failed to verify: options "only" and "skip" leave no check to run.',
      ],
    ]
    for (const [run, message] of cases) {
      const error = await run().catch((e: unknown) => e)
      expect(isKitError(error), message).toBe(true)
      expect((error as Error).message).toBe(message)
    }
  })

  it('lists checks left out by only and skip as not run, with the reason', async () => {
    const receiver = await serve(goodNodeHandler())
    const report = await verifyReceiver(
      { url: receiver.url },
      { token: TOKEN, only: ['rejects-wrong-token', 'no-redirect'], skip: ['no-redirect'] },
    )
    expect(report.checks.filter((c) => c.details.skipped === undefined).map((c) => c.id)).toEqual([
      'rejects-wrong-token',
    ])
    expect(check(report, 'no-redirect')).toMatchObject({
      status: 'skipped',
      ok: false,
      message: 'Not run: excluded by "skip".',
      details: { skipped: 'excluded by "skip"' },
    })
    expect(check(report, 'handles-burst').details.skipped).toBe('not in "only"')
  })
})

describe('secrets', () => {
  it('never puts the token or a signature in the report, the reporters or the annotations', async () => {
    const seen: string[] = []
    // A receiver that echoes the request headers in its error answers.
    const echoing = await serve((request, response) => {
      const signature = String(request.headers.signature ?? '')
      for (const match of signature.matchAll(/:([A-Za-z0-9+/=]+):/g))
        if (match[1]) seen.push(match[1])
      request.resume()
      response.writeHead(401, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ headers: request.headers, token: TOKEN }))
    })
    const report = await verifyReceiver({ url: echoing.url }, { token: TOKEN, burst: 5 })
    expect(report.ok).toBe(false)
    expect(seen.length).toBeGreaterThan(50)
    const outputs = [
      JSON.stringify(report),
      formatPrettyReport(report),
      formatJunitReport(report),
      formatGithubAnnotations(report),
    ]
    for (const output of outputs) {
      expect(output).not.toContain(TOKEN)
      for (const signature of seen) expect(output).not.toContain(signature)
    }
    expect(JSON.stringify(report)).toContain('[redacted]')
  })
})

describe('the probe', () => {
  it('fails as an error even when the only check selected is a warning', async () => {
    const report = await verifyReceiver(
      { url: 'http://127.0.0.1:9/webhooks/idaas' },
      { token: TOKEN, only: ['rejects-stale-signature'] },
    )
    expect(check(report, 'rejects-stale-signature')).toMatchObject({ ok: false, severity: 'error' })
    expect(report.ok).toBe(false)
  })
})
