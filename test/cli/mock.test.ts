import { describe, expect, it } from 'vitest'
import { createMockCommand, formatRequestLine } from '../../src/cli/commands/mock.js'
import { createStyle } from '../../src/cli/style.js'
import { createEvent, deliver, ENTRUST_EXAMPLES } from '../../src/testing.js'
import { signedPost, TEST_TOKEN } from '../prism/helpers.js'
import { spawnServeCli, startServeCommand } from '../prism/serve-command.js'
import { cli } from './helpers.js'

describe('idaas-webhook-kit mock', () => {
  it('prints the URL once Prism is ready, answers deliveries, and prints a summary when stopped', async () => {
    const run = await startServeCommand(createMockCommand, ['mock', '--port', '0'])
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/idaas$/)
    expect(run.stdout()).toContain(`Mock IDaaS receiver listening on ${run.url}\n`)
    expect(run.stdout()).toContain('self-test passed (POST {} → 422)')

    const ok = await fetch(
      run.url,
      signedPost(run.url, JSON.stringify(ENTRUST_EXAMPLES['user.created'])),
    )
    const bad = await fetch(
      run.url,
      signedPost(run.url, JSON.stringify({ ...ENTRUST_EXAMPLES['user.created'], id: '' })),
    )
    expect([ok.status, bad.status]).toEqual([204, 422])

    const { code, stdout, stderr } = await run.stop()
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toMatch(
      /✔ 204 POST \/webhooks\/idaas "user\.created" "770fa622-94bd-43f6-c938-668877662222" \d+\.\d ms\n/,
    )
    expect(stdout).toContain('✖ 422 POST /webhooks/idaas "user.created" "" ')
    expect(stdout).toContain('Request body property id must NOT have fewer than 1 characters')
    expect(stdout).toContain('Mock receiver: 2 requests: 1 accepted, 1 rejected, 0 failed (5xx).')
    expect(stdout).toContain('✖ 1 delivery broke the contract:')
    await expect(fetch(run.url, { method: 'POST' })).rejects.toThrow()
  })

  it('--status and --fail-rate make the mock answer 5xx, so the engine retries', async () => {
    const run = await startServeCommand(createMockCommand, [
      'mock',
      '--port',
      '0',
      '--status',
      '503',
      '--quiet',
    ])
    expect(run.stdout()).toContain('100% of valid deliveries get 503 (seed 1).')
    const report = await deliver(createEvent('grid.created'), { url: run.url, token: TEST_TOKEN })
    expect(report.attempts.map((a) => a.status)).toEqual([503, 503, 503])
    const { stdout } = await run.stop()
    expect(stdout).not.toContain('POST /webhooks/idaas "grid.created"')
    expect(stdout).toContain('Mock receiver: 3 requests: 0 accepted, 0 rejected, 3 failed (5xx).')
  })

  it('prints no control character from the request: the event type is quoted, the path and messages escaped', () => {
    const line = formatRequestLine(
      {
        number: 1,
        receivedAt: '2026-03-16T17:53:40.000Z',
        method: 'POST',
        path: '/webhooks/idaas?\u001b]0;x\u0007',
        eventType: 'user.created\u001b[2J',
        eventId: 'id\r',
        violations: [
          {
            location: ['request', 'body'],
            severity: 'Error',
            code: 'unevaluatedProperties',
            message: "Request body must NOT have unevaluated properties: '\u001b[31mx'",
          },
        ],
        injected: false,
        status: 422,
        outcome: 'rejected',
        durationMs: 1,
      },
      createStyle({ write: () => {}, isTTY: false }, {}),
    )
    expect(line).toBe(
      '✖ 422 POST /webhooks/idaas?\\u001b]0;x\\u0007 "user.created\\u001b[2J" "id\\r" 1.0 ms · Request body must NOT have unevaluated properties: \'\\u001b[31mx\'',
    )
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
    expect(line).not.toMatch(/[\u0000-\u001f]/)
  })

  it.each([
    [
      ['--status', '404'],
      'Invalid option "--status": expected a whole number from 500 to 599, got "404".',
    ],
    [['--fail-rate', '2'], 'Invalid option "--fail-rate": expected a number from 0 to 1, got "2".'],
    [
      ['--port', 'http'],
      'Invalid option "--port": expected a whole number from 0 to 65535, got "http".',
    ],
    [['--fail-rat', '0.1'], 'Unknown option "--fail-rat". Did you mean "--fail-rate"?'],
  ])('rejects %j with exit 2 and no stack trace', async (args, message) => {
    const run = await cli(['mock', ...args], { commands: [createMockCommand()] })
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(`[idaas-webhook-kit] ${message}\n`)
  })

  it('stops cleanly on Ctrl-C when run as the built bin, and the process ends by itself', async () => {
    const child = await spawnServeCli(['mock', '--port', '0'])
    const response = await fetch(
      child.url,
      signedPost(child.url, JSON.stringify(ENTRUST_EXAMPLES['grid.created'])),
    )
    expect(response.status).toBe(204)
    const { code, signal, stdout, stderr } = await child.interrupt()
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' })
    expect(stdout).toContain('Mock receiver: 1 request: 1 accepted, 0 rejected, 0 failed (5xx).')
    await expect(fetch(child.url, { method: 'POST' })).rejects.toThrow()
  })
})
