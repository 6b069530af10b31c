import { existsSync } from 'node:fs'
import { Server } from 'node:http'
import { resolve } from 'node:path'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { ENTRUST_EXAMPLES } from '../../generated/entrust-examples.js'
import { VERIFY_CHECK_IDS } from '../../src/testing.js'
import { cli } from './helpers.js'

describe('idaas-webhook-kit demo (what npm start runs)', () => {
  it('verifies the reference receiver, then a broken one, says the failure is expected, and exits 0', async () => {
    const started = performance.now()
    const run = await cli(['demo'])
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(run).toMatchObject({ code: 0, stderr: '' })
    const out = run.stdout
    expect(out).toMatch(
      /^idaas-webhook-kit \d+\.\d+\.\d+: contract tests, mocks and types for receivers of Entrust IDaaS webhooks\.\n/,
    )
    expect(out).toContain('✔ 26 event types known. ✔ All 8 examples are valid in both modes.\n')
    expect(out).toContain('  (idaas-webhook-kit demo --catalogue lists them)\n')
    const [reference, broken] = out.split(/^2\. /m)
    expect(reference).toContain(
      '1. The reference receiver: createIdaasNodeHandler() from this kit, on a free port, checked with the full verify\n',
    )
    for (const id of VERIFY_CHECK_IDS) {
      expect(reference).toMatch(new RegExp(`^ {2}[✔⚠] ${id} +(?:\\d+ ms|\\d+\\.\\d+ s)`, 'm'))
    }
    expect(reference).toContain('✔ PASS: no error-severity check failed (uses-https: warning).')
    expect(broken).toMatch(
      /^A receiver broken on purpose: .* verify must catch it with verifies-raw-body:/,
    )
    expect(broken).toMatch(
      /^ {2}✖ verifies-raw-body +\d+ ms {2}9 of 9 byte-tricky bodies did not get a 2xx/m,
    )
    expect(broken).toContain('✖ FAIL: 1 error-severity check failed: verifies-raw-body.')
    expect(broken).toContain(
      '✔ Demo OK: the reference receiver passed, and the broken one failed exactly verifies-raw-body. That red ✖ above is expected: it is what verify is for.\n',
    )
    expect(out).toMatch(
      /^Try next\n {2}idaas-webhook-kit verify http:\/\/localhost:3000\/webhooks\/idaas --token "\$TOKEN" +your receiver$/m,
    )
    const example = /^ {2}node (\S+) +a reference receiver to copy/m.exec(out)?.[1]
    expect(example).toBe('examples/node-http/server.mjs')
    expect(existsSync(resolve(example ?? ''))).toBe(true)
    expect(out).not.toContain('The 26 event types')
  })

  it('lists the catalogue and the examples with --catalogue', async () => {
    const run = await cli(['demo', '--catalogue'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('\nThe 26 event types\nTYPE ')
    expect(run.stdout).toMatch(
      /^credential\.print +credential +api-enum-only +no +CredentialPrintEvent$/m,
    )
    for (const type of Object.keys(ENTRUST_EXAMPLES)) {
      expect(run.stdout).toMatch(
        new RegExp(`^✔ +${type.replace(/\./g, '\\.')} +strict ✔ +tolerant ✔$`, 'm'),
      )
    }
  })

  it('takes no arguments', async () => {
    const run = await cli(['demo', 'now'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unexpected argument "now": command "demo" takes no arguments.\n',
    )
  })

  it('exits with one message, instead of hanging or crashing, when it cannot listen', async () => {
    const listen = vi.spyOn(Server.prototype, 'listen').mockImplementation(function (this: Server) {
      const error = Object.assign(new Error('listen EADDRNOTAVAIL: address not available'), {
        code: 'EADDRNOTAVAIL',
      })
      process.nextTick(() => this.emit('error', error))
      return this
    })
    onTestFinished(() => listen.mockRestore())
    const run = await cli(['demo'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Failed to start the demo receiver on "127.0.0.1": listen EADDRNOTAVAIL: address not available.\n',
    )
  })
})
