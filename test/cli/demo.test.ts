import { describe, expect, it } from 'vitest'
import { ENTRUST_EXAMPLES } from '../../generated/entrust-examples.js'
import { cli } from './helpers.js'

describe('idaas-webhook-kit demo', () => {
  it('says what the kit is, lists the catalogue, checks every example in both modes and suggests --help', async () => {
    const run = await cli(['demo'])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toMatch(
      /^idaas-webhook-kit \d+\.\d+\.\d+: contract tests, mocks and types for receivers of Entrust IDaaS webhooks\.\n/,
    )
    expect(run.stdout).toContain('\nThe 25 event types\nTYPE ')
    expect(run.stdout).toMatch(
      /^credential\.print +credential +api-enum-only +no +CredentialPrintEvent$/m,
    )
    const types = Object.keys(ENTRUST_EXAMPLES)
    expect(run.stdout).toContain(
      `Entrust's ${types.length} published examples, validated in strict and tolerant mode\n`,
    )
    for (const type of types) {
      expect(run.stdout).toMatch(
        new RegExp(`^✔ +${type.replace(/\./g, '\\.')} +strict ✔ +tolerant ✔$`, 'm'),
      )
    }
    expect(run.stdout).toContain(`✔ All ${types.length} examples are valid in both modes.`)
    expect(run.stdout).toMatch(/^ {2}idaas-webhook-kit --help +every command, with examples$/m)
  })

  it('takes no arguments', async () => {
    const run = await cli(['demo', 'now'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      '[idaas-webhook-kit] Unexpected argument "now": command "demo" takes no arguments.\n',
    )
  })
})
