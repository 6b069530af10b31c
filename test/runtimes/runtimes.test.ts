import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'rolldown'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEvent } from '../../src/schema/factories.js'
import { signDelivery } from '../../src/signing/sign.js'
import { cleanEnv, runProcess } from '../e2e/run.js'

// The production receiving side (createIdaasWebhookHandler, verifyDelivery, validateEvent,
// isIdaasEvent, assertIdaasEvent) runs where receivers run: Node 20, 22 and 24, Bun, Deno and
// Cloudflare's workerd. Every runtime imports the built root entry a user would import (the
// package's "exports"["."] file in dist/) and runs receiver-checks.mjs; only signing the
// deliveries happens here, on the Node that runs vitest.

const root = fileURLToPath(new URL('../../', import.meta.url))
const here = fileURLToPath(new URL('./', import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: { '.': { default: string } }
}
const entryFile = join(root, manifest.exports['.'].default)
const entryUrl = pathToFileURL(entryFile).href
const checksFile = join(here, 'receiver-checks.mjs')
const runChecksFile = join(here, 'run-checks.mjs')
const bin = (name: string) => join(root, 'node_modules', '.bin', name)
const env = cleanEnv({
  NO_COLOR: '1',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
})
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

const TOKEN = 'whsec_runtime-token'
const URL_ = 'https://receiver.example/webhooks/idaas'
// Fetching node@22 / node@24 from the npm registry on a fresh machine takes a while.
const SLOW = 240_000

interface CheckResult {
  status: number
  received: string[]
  rejected: string[]
  verified: true | string
  verifiedRaw: true | string
  valid: boolean
  isIdaasEvent: boolean
  assertion: string
}
interface RuntimeReport {
  runtime: string
  version: string
  results: Record<'signed' | 'forged' | 'invalid', CheckResult>
}

/** A signed delivery, a forged one (another token) and a signed but invalid event. */
function deliveries() {
  const body = JSON.stringify(createEvent('user.created', {}, { seed: 7 }))
  const invalid = JSON.stringify({ type: 'user.created', id: 'evt-1' })
  const signed = (text: string, token: string) => ({
    url: URL_,
    body: text,
    headers: { ...signDelivery({ url: URL_, body: text, token }) } as Record<string, string>,
  })
  return {
    token: TOKEN,
    cases: [
      { name: 'signed', ...signed(body, TOKEN) },
      { name: 'forged', ...signed(body, 'whsec_not-the-token') },
      { name: 'invalid', ...signed(invalid, TOKEN) },
    ],
  }
}

/** What every runtime must report: the same answers the kit gives on the Node running vitest. */
function expectReceiverBehaviour(report: RuntimeReport): void {
  expect(report.results.signed).toEqual({
    status: 204,
    received: ['user.created'],
    rejected: [],
    verified: true,
    verifiedRaw: true,
    valid: true,
    isIdaasEvent: true,
    assertion: 'passed',
  })
  expect(report.results.forged).toMatchObject({
    status: 401,
    received: [],
    rejected: ['signature-mismatch'],
    verified: 'signature-mismatch',
    verifiedRaw: 'signature-mismatch',
    valid: true,
  })
  expect(report.results.invalid).toEqual({
    status: 400,
    received: [],
    rejected: ['invalid-event'],
    verified: true,
    verifiedRaw: true,
    valid: false,
    isIdaasEvent: false,
    assertion: 'SchemaValidationError',
  })
}

/** The one JSON line a run printed (workerd and npm may print other lines around it). */
function parseReport(output: string): RuntimeReport {
  const line = output.split('\n').find((l) => l.startsWith('{"runtime"'))
  if (!line) throw new Error(`no report line in the output:\n${output}`)
  return JSON.parse(line) as RuntimeReport
}

async function runScript(command: string, args: readonly string[], cwd: string) {
  const result = await runProcess(command, args, { cwd, env, timeout: SLOW })
  expect(result.code, result.stdout + result.stderr).toBe(0)
  return parseReport(result.stdout + result.stderr)
}

describe('the root entry in dist/ on every runtime a receiver runs on', () => {
  let work = ''
  const input = () => JSON.stringify(deliveries())

  beforeAll(async () => {
    if (!existsSync(entryFile)) {
      throw new Error(`${entryFile} is missing: run "npm run build" before these tests`)
    }
    work = await mkdtemp(join(tmpdir(), 'idaas-webhook-kit-runtimes-'))
  })

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true })
  })

  it(`accepts a signed delivery and refuses a forged one and an invalid event on this Node (${process.versions.node})`, async () => {
    const report = await runScript(process.execPath, [runChecksFile, entryUrl, input()], work)
    expect(report).toMatchObject({ runtime: 'node', version: process.versions.node })
    expectReceiverBehaviour(report)
  })

  for (const major of [22, 24]) {
    it(
      `accepts a signed delivery and refuses a forged one and an invalid event on Node ${major} (the npm package node@${major})`,
      async () => {
        const report = await runScript(
          npm,
          [
            'exec',
            '--yes',
            `--package=node@${major}`,
            '--',
            'node',
            runChecksFile,
            entryUrl,
            input(),
          ],
          work,
        )
        expect(report.runtime).toBe('node')
        expect(report.version).toMatch(new RegExp(`^${major}\\.`))
        expectReceiverBehaviour(report)
      },
      SLOW,
    )
  }

  it('accepts a signed delivery and refuses a forged one and an invalid event on Bun', async () => {
    const report = await runScript(bin('bun'), [runChecksFile, entryUrl, input()], work)
    expect(report.runtime).toBe('bun')
    expect(report.version).toBe(installedVersion('bun'))
    expectReceiverBehaviour(report)
  })

  it('accepts a signed delivery and refuses a forged one and an invalid event on Deno', async () => {
    // Deno reads the package's dependencies from root's package.json and node_modules (as a Deno
    // project with a package.json does); its cache goes to the scratch folder, not to $HOME.
    const result = await runProcess(
      bin('deno'),
      [
        'run',
        '--no-prompt',
        '--no-lock',
        '--node-modules-dir=manual',
        `--allow-read=${root}`,
        runChecksFile,
        entryUrl,
        input(),
      ],
      { cwd: root, env: { ...env, DENO_DIR: join(work, 'deno') }, timeout: SLOW },
    )
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const report = parseReport(result.stdout)
    expect(report.runtime).toBe('deno')
    expect(report.version).toBe(installedVersion('deno'))
    expectReceiverBehaviour(report)
  })

  it('accepts a signed delivery and refuses a forged one and an invalid event on workerd with nodejs_compat', async () => {
    // A Worker is deployed as a bundle (wrangler bundles with esbuild); rolldown does the same
    // here, keeping node:* imports for workerd's nodejs_compat layer to provide.
    const worker = join(work, 'worker-source.mjs')
    await writeFile(
      worker,
      `import * as kit from ${JSON.stringify(entryFile)}
import { describeRuntime, runReceiverChecks } from ${JSON.stringify(checksFile)}
const input = ${input()}
export default {
  async test() {
    const results = await runReceiverChecks(kit, input)
    console.log(JSON.stringify({ ...describeRuntime(), results }))
  },
}
`,
    )
    const bundle = await build({
      input: worker,
      platform: 'neutral',
      cwd: root,
      external: [/^node:/],
      write: false,
      logLevel: 'silent',
      output: { format: 'esm' },
    })
    const [chunk] = bundle.output
    if (chunk?.type !== 'chunk') throw new Error('rolldown produced no chunk')
    await writeFile(join(work, 'worker.js'), chunk.code)
    await writeFile(
      join(work, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .worker)]);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-15",
  compatibilityFlags = ["nodejs_compat"],
);
`,
    )
    const result = await runProcess(bin('workerd'), ['test', 'config.capnp'], {
      cwd: work,
      env,
      timeout: SLOW,
    })
    const output = result.stdout + result.stderr
    expect(result.code, output).toBe(0)
    expect(output).toMatch(/\[ PASS \] main/)
    const report = parseReport(output)
    expect(report.runtime).toBe('workerd')
    expectReceiverBehaviour(report)
  })
})

/** The version of a package installed in this repository's node_modules. */
function installedVersion(name: string): string {
  const path = join(root, 'node_modules', name, 'package.json')
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
}
