import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, runProcess } from '../e2e/run.js'

// The README's jest recipes (matchers through expect.extend, the MSW handlers, jest fake timers
// with real microtasks) run with real jest against the built package: test/jest/*.test.mjs import
// "idaas-webhook-kit" by name, which resolves through package.json "exports" to dist/.

const root = fileURLToPath(new URL('../../', import.meta.url))
const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js')
const config = join(root, 'test', 'jest', 'jest.config.mjs')

interface JestReport {
  success: boolean
  numTotalTests: number
  numFailedTests: number
  testResults: { assertionResults: { fullName: string; status: string }[] }[]
}

describe('the jest project in test/jest', () => {
  let work = ''

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'src', 'index.js'))) {
      throw new Error('dist/ is missing: run "npm run build" before these tests')
    }
    work = await mkdtemp(join(tmpdir(), 'idaas-webhook-kit-jest-'))
  })

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('passes every test with real jest in ESM mode (node --experimental-vm-modules)', async () => {
    const output = join(work, 'jest-report.json')
    const result = await runProcess(
      process.execPath,
      [
        '--experimental-vm-modules',
        jestBin,
        '--config',
        config,
        '--ci',
        '--json',
        '--outputFile',
        output,
      ],
      { cwd: root, env: cleanEnv({ IDAAS_JEST_CACHE: join(work, 'cache') }), timeout: 120_000 },
    )
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const report = JSON.parse(readFileSync(output, 'utf8')) as JestReport
    const tests = report.testResults
      .flatMap((file) => file.assertionResults)
      .map((test) => `${test.status}: ${test.fullName}`)
      .sort()
    expect(tests).toEqual(
      [
        'passed: the IDaaS matchers registered with jest expect.extend passes toBeValidIdaasEvent for a documented example and fails it for an event without accountId',
        'passed: the IDaaS matchers registered with jest expect.extend passes toAcceptIdaasEvent for a Fetch handler that verifies the signature',
        'passed: the IDaaS matchers registered with jest expect.extend fails toAcceptIdaasEvent, naming the status, when the handler has another token',
        'passed: the IDaaS matchers registered with jest expect.extend passes toRejectForgedDeliveries for a verifying handler and fails it for one that accepts anything',
        'passed: the MSW handlers under jest registers the webhook through the Admin API and delivers a signed event to the receiver',
        'passed: the MSW handlers under jest retries a 503 under jest fake timers when the tenant runs on createTimerClock()',
      ].sort(),
    )
    expect(report).toMatchObject({ success: true, numTotalTests: 6, numFailedTests: 0 })
  }, 120_000)
})
