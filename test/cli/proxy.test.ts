import { describe, expect, it } from 'vitest'
import { createProxyCommand } from '../../src/cli/commands/proxy.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { signedPost, startStandInReceiver } from '../prism/helpers.js'
import { startServeCommand } from '../prism/serve-command.js'
import { cli } from './helpers.js'

const valid = JSON.stringify(ENTRUST_EXAMPLES['grid.created'], null, 2)
const invalid = valid.replace('"serialNumber": 2', '"serialNumber": "2"')

describe('idaas-webhook-kit proxy', () => {
  it('forwards deliveries, flags the one that breaks the contract, and exits 1 with a summary', async () => {
    const receiver = await startStandInReceiver()
    const run = await startServeCommand(createProxyCommand, [
      'proxy',
      '--to',
      receiver.url,
      '--port',
      '0',
    ])
    expect(run.stdout()).toContain(`Validating proxy listening on ${run.url} → ${receiver.url}\n`)
    expect((await fetch(run.url, signedPost(run.url, valid))).status).toBe(204)
    expect((await fetch(run.url, signedPost(run.url, invalid))).status).toBe(204)
    expect(receiver.seen.map((r) => r.body.toString())).toEqual([valid, invalid])

    const { code, stdout } = await run.stop()
    expect(code).toBe(1)
    expect(stdout).toContain(
      '✖ 204 POST /webhooks/idaas "grid.created" "019cf7c8-2a57-769a-a8dc-7dd6adfd23d3"',
    )
    expect(stdout).toContain(
      'Request body property data.entityAttributes.serialNumber must be number',
    )
    expect(stdout).toContain('Validating proxy: 2 requests: 2 forwarded, 0 refused, 0 unreachable.')
    expect(stdout).toContain('Receiver answered: 204 ×2.')
    expect(stdout).toContain(
      '✖ 1 delivery broke the contract:\n  1× Request body property data.entityAttributes.serialNumber must be number (type) → at request.body.data.entityAttributes.serialNumber',
    )
  })

  it('with --errors refuses the bad delivery with 422 and never forwards it', async () => {
    const receiver = await startStandInReceiver()
    const run = await startServeCommand(createProxyCommand, [
      'proxy',
      '--to',
      receiver.url,
      '--port',
      '0',
      '--errors',
    ])
    expect((await fetch(run.url, signedPost(run.url, invalid))).status).toBe(422)
    expect(receiver.seen).toHaveLength(0)
    const { code, stdout } = await run.stop()
    expect(code).toBe(1)
    expect(stdout).toContain('0 forwarded, 1 refused, 0 unreachable.')
  })

  it('never prints the query of --to, where a token may live', async () => {
    const receiver = await startStandInReceiver()
    const to = new URL(receiver.url)
    to.search = '?token=abc'
    const run = await startServeCommand(createProxyCommand, [
      'proxy',
      '--to',
      to.href,
      '--port',
      '0',
    ])
    expect(run.stdout()).toContain(`Validating proxy listening on ${run.url} → ${receiver.url}\n`)
    expect((await fetch(run.url, signedPost(run.url, valid))).status).toBe(204)
    await receiver.close()
    expect((await fetch(run.url, signedPost(run.url, valid))).status).toBe(502)
    const { stdout } = await run.stop()
    expect(stdout).toContain('0 refused, 1 unreachable.')
    expect(stdout).not.toMatch(/token=abc/)
  })

  it('exits 0 when every delivery and every answer matched the contract', async () => {
    const receiver = await startStandInReceiver()
    const run = await startServeCommand(createProxyCommand, [
      'proxy',
      '--to',
      receiver.url,
      '--port',
      '0',
    ])
    await fetch(run.url, signedPost(run.url, valid))
    const { code, stdout } = await run.stop()
    expect(code).toBe(0)
    expect(stdout).toContain('✔ Every delivery matched the contract.')
  })

  it.each([
    [
      [],
      'Missing option "--to": the URL of the receiver to forward deliveries to. Run "idaas-webhook-kit proxy --help" for usage.',
    ],
    [
      ['--to', 'localhost:3000'],
      'Invalid option "--to": expected an http: or https: URL, got "localhost:3000".',
    ],
    [
      ['--to', 'ftp://user:s3cret@127.0.0.1/hooks?token=abc'],
      'Invalid option "--to": expected an http: or https: URL, got "ftp://127.0.0.1/hooks".',
    ],
    [
      ['--to', 'http://127.0.0.1:3000', '--ca', 'missing.pem'],
      'Failed to read "--ca" file "missing.pem": no such file.',
    ],
  ])('rejects %j with exit 2', async (args, message) => {
    const run = await cli(['proxy', ...args], { commands: [createProxyCommand()] })
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(`[idaas-webhook-kit] ${message}\n`)
  })
})
