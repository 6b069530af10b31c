import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, runProcess } from './run.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  version: string
  exports: Record<string, unknown>
  peerDependencies: Record<string, string>
}
/** The version of a package installed in this repository's node_modules. */
function installedVersion(name: string): string {
  const path = join(root, 'node_modules', ...name.split('/'), 'package.json')
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const env = cleanEnv({
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
})

// Packing, installing and type-checking take a few seconds; installing may reach the registry.
const SLOW = 180_000

// Imports every subpath export from a scratch project, as a user's code would.
const CHECK_SCRIPT = `
import * as kit from 'idaas-webhook-kit'
import * as testing from 'idaas-webhook-kit/testing'
import * as types from 'idaas-webhook-kit/types'
import eventSchema from 'idaas-webhook-kit/schemas/event.schema.json' with { type: 'json' }
import envelopeSchema from 'idaas-webhook-kit/schemas/envelope.schema.json' with { type: 'json' }
import manifest from 'idaas-webhook-kit/package.json' with { type: 'json' }

const example = testing.ENTRUST_EXAMPLES['grid.created']
const valid = kit.validateEvent(example, { mode: 'strict' })
const broken = structuredClone(example)
broken.data.entityAttributes.serialNumber = '2'
const invalid = kit.validateEvent(broken)
console.log(JSON.stringify({
  rootExports: Object.keys(kit),
  testingExports: Object.keys(testing),
  typesExports: Object.keys(types),
  eventSchemaId: eventSchema.$id,
  envelopeSchemaId: envelopeSchema.$id,
  version: manifest.version,
  eventTypes: kit.IDAAS_EVENT_TYPES.length,
  valid: valid.ok,
  invalid: kit.formatIssues(invalid.issues),
}))
`

// Uses the published types; the @ts-expect-error lines fail if a type resolved to \`any\`.
const CONSUMER_TS = `import { validateEvent } from 'idaas-webhook-kit'
import { ENTRUST_EXAMPLES } from 'idaas-webhook-kit/testing'
import type { IdaasEvent, IdaasEventType, UserCreatedEvent } from 'idaas-webhook-kit/types'

export function newUserName(payload: unknown): string | undefined {
  const result = validateEvent(payload)
  if (!result.ok || !result.known) return undefined
  const event: IdaasEvent = result.event
  if (event.type !== 'user.created') return undefined
  const created: UserCreatedEvent = event
  return created.data.entityName
}
newUserName(ENTRUST_EXAMPLES['user.created'])
// @ts-expect-error: not an IDaaS event type
export const wrong: IdaasEventType = 'user.create'
// @ts-expect-error: a grid.created event is not a user.created one
export const mixedUp: UserCreatedEvent = ENTRUST_EXAMPLES['grid.created']
`

// Only the kit's types, as a Deno or Workers project without @types/node would use them.
const NO_NODE_TYPES_TS = `import type {
  IdaasEnvelope,
  IdaasEvent,
  IdaasEventMap,
  UserCreatedEvent,
  VerifyReceiverOptions,
} from 'idaas-webhook-kit/types'

export function describeEnvelope(envelope: IdaasEnvelope): string {
  return \`\${envelope.type} \${envelope.id}\`
}
declare const created: UserCreatedEvent
declare const any: IdaasEvent
declare const mapped: IdaasEventMap[keyof IdaasEventMap]
describeEnvelope(created)
describeEnvelope(any)
describeEnvelope(mapped)
export const options: VerifyReceiverOptions = { token: 't', ca: new Uint8Array([45]) }
`

// A vitest test file that uses the matchers without importing anything from idaas-webhook-kit/vitest.
const MATCHERS_TS = `import { expect, it } from 'vitest'
import { createIdaasWebhookHandler } from 'idaas-webhook-kit'
import { createEvent } from 'idaas-webhook-kit/testing'

const token = 'whsec_consumer'
const handler = createIdaasWebhookHandler({ token, onEvent: () => {} })

it('uses the matchers that the setup file registers', async () => {
  expect({ type: 'user.created' }).not.toBeValidIdaasEvent()
  await expect(handler).toAcceptIdaasEvent(createEvent('user.created'), { token })
  await expect(handler).toRejectForgedDeliveries({ token })
  // @ts-expect-error: not a matcher the kit adds
  expect(handler).toBeSomethingElse()
})
`

/** Type-checks files of the scratch project; returns one line per diagnostic. */
function typeCheck(files: readonly string[], options: ts.CompilerOptions): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    ...options,
  })
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    )
}

describe('a consumer project that installs the packed tarball', () => {
  let work = ''
  let project = ''

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
      throw new Error('dist/ is missing: run "npm run build" before these tests')
    }
    work = await mkdtemp(join(tmpdir(), 'idaas-webhook-kit-consumer-'))
    // --ignore-scripts: "prepare" would rebuild dist/ while other test files use it.
    const pack = await runProcess(
      npm,
      ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
      { cwd: root, env, timeout: SLOW },
    )
    expect(pack.code, pack.stderr).toBe(0)
    const [packed] = JSON.parse(pack.stdout) as { filename: string }[]
    const tarball = join(work, packed?.filename ?? '')

    project = join(work, 'consumer')
    await mkdir(project)
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
    )
    const install = await runProcess(
      npm,
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball],
      { cwd: project, env, timeout: SLOW },
    )
    expect(install.code, install.stderr).toBe(0)
  }, SLOW)

  // Removing the scratch project (Prism and vitest installed) takes a while on a busy machine.
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true })
  }, SLOW)

  it('installs with its runtime dependencies and without the optional peers msw and vitest', async () => {
    const installed = await readdir(join(project, 'node_modules'))
    expect(installed).toEqual(expect.arrayContaining(['idaas-webhook-kit', 'cac']))
    expect(installed).not.toContain('msw')
    expect(installed).not.toContain('vitest')
  })

  it('ships the MIT LICENSE and names the repository, homepage and issue tracker', async () => {
    const installed = join(project, 'node_modules', 'idaas-webhook-kit')
    const license = readFileSync(join(installed, 'LICENSE'), 'utf8')
    expect(license).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} idaas-webhook-kit contributors\n/,
    )
    const published = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'))
    expect(published).toMatchObject({
      license: 'MIT',
      repository: {
        type: 'git',
        url: 'git+https://github.com/idaas-webhook-kit/idaas-webhook-kit.git',
      },
      homepage: 'https://github.com/idaas-webhook-kit/idaas-webhook-kit#readme',
      bugs: { url: 'https://github.com/idaas-webhook-kit/idaas-webhook-kit/issues' },
    })
  })

  it('names the npm command to run when the optional peer msw or vitest is missing', async () => {
    await writeFile(
      join(project, 'missing-peers.mjs'),
      `for (const entry of ['idaas-webhook-kit/msw', 'idaas-webhook-kit/vitest/setup']) {
  await import(entry).then(() => console.log(entry, 'loaded'), (error) => console.log(error.message))
}
`,
    )
    const result = await runProcess(process.execPath, ['missing-peers.mjs'], { cwd: project, env })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trim().split('\n')).toEqual([
      `[idaas-webhook-kit] Failed to load "idaas-webhook-kit/msw": "msw" is not installed. It is an optional peer dependency of idaas-webhook-kit: run "npm install --save-dev msw@${manifest.peerDependencies.msw}".`,
      `[idaas-webhook-kit] Failed to load "idaas-webhook-kit/vitest/setup": "vitest" is not installed. It is an optional peer dependency of idaas-webhook-kit: run "npm install --save-dev vitest@${manifest.peerDependencies.vitest}".`,
    ])
  })

  it('type-checks idaas-webhook-kit/types without @types/node, every known event being an IdaasEnvelope', async () => {
    const file = join(project, 'no-node-types.ts')
    await writeFile(file, NO_NODE_TYPES_TS)
    // No @types/node anywhere (the scratch project has none, and `types: []`), library files checked.
    expect(existsSync(join(project, 'node_modules', '@types', 'node'))).toBe(false)
    expect(
      typeCheck([file], {
        skipLibCheck: false,
        types: [],
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      }),
    ).toEqual([])
  })

  it('has exactly the subpath exports this test imports', () => {
    // A new subpath export needs an import in CHECK_SCRIPT (and its optional peer, if any).
    expect(Object.keys(manifest.exports).sort()).toEqual([
      '.',
      './msw',
      './package.json',
      './prism',
      './schemas/*',
      './testing',
      './types',
      './vitest',
      './vitest/setup',
    ])
  })

  it('imports every subpath export and validates an event through the package', async () => {
    await writeFile(join(project, 'check.mjs'), CHECK_SCRIPT)
    const result = await runProcess(process.execPath, ['check.mjs'], { cwd: project, env })
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as Record<string, unknown>
    expect(report).toMatchObject({
      typesExports: [],
      eventSchemaId: expect.stringMatching(/event\.schema\.json$/),
      envelopeSchemaId: expect.stringMatching(/envelope\.schema\.json$/),
      version: manifest.version,
      eventTypes: 26,
      valid: true,
      invalid: '✖ must be number, got string "2"\n  → at /data/entityAttributes/serialNumber',
    })
    expect(report.rootExports).toEqual(
      expect.arrayContaining([
        'validateEvent',
        'verifyDelivery',
        'createDeliveryVerifier',
        'createIdaasWebhookHandler',
        'IDAAS_EVENT_TYPES',
        'formatIssues',
      ]),
    )
    expect(report.rootExports).not.toContain('createEvent')
    expect(report.testingExports).toEqual(
      expect.arrayContaining([
        'ENTRUST_EXAMPLES',
        'createEvent',
        'signDelivery',
        'createIdaasTenant',
        'verifyReceiver',
      ]),
    )
    expect(report.testingExports).not.toContain('verifyDelivery')
  })

  /** Installs optional peers into the scratch project at the versions this repository uses. */
  async function installPeers(names: readonly string[]): Promise<void> {
    const specs = names.map((name) => `${name}@${installedVersion(name)}`)
    const install = await runProcess(
      npm,
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs],
      { cwd: project, env, timeout: SLOW },
    )
    expect(install.code, install.stderr).toBe(0)
  }

  it(
    'imports idaas-webhook-kit/msw once the optional peer msw is installed',
    async () => {
      await installPeers(['msw'])
      await writeFile(
        join(project, 'msw-check.mjs'),
        `import * as kitMsw from 'idaas-webhook-kit/msw'
import { createIdaasTenant } from 'idaas-webhook-kit/testing'
const handlers = kitMsw.createAdminApiHandlers(createIdaasTenant())
console.log(JSON.stringify({ exports: Object.keys(kitMsw).sort(), handlers: handlers.length }))
`,
      )
      const result = await runProcess(process.execPath, ['msw-check.mjs'], { cwd: project, env })
      expect(result.code, result.stderr).toBe(0)
      const report = JSON.parse(result.stdout) as { exports: string[]; handlers: number }
      expect(report.exports).toEqual(
        expect.arrayContaining(['createAdminApiHandlers', 'createReceiverHandler']),
      )
      expect(report.handlers).toBeGreaterThan(0)
    },
    SLOW,
  )

  it(
    'starts the Prism mock receiver from idaas-webhook-kit/prism once @stoplight/prism-http is installed',
    async () => {
      // As the README tells Node 20 users: prism-core at 5.8.0 next to prism-http, since
      // prism-http asks for it with a caret that also matches Node-24-only releases.
      await installPeers(['@stoplight/prism-http', '@stoplight/prism-core'])
      await writeFile(
        join(project, 'prism-check.mjs'),
        `import { startMockReceiver } from 'idaas-webhook-kit/prism'
import { ENTRUST_EXAMPLES, signDelivery } from 'idaas-webhook-kit/testing'
const mock = await startMockReceiver()
try {
  const body = JSON.stringify(ENTRUST_EXAMPLES['grid.created'])
  const headers = signDelivery({ url: mock.url, body, token: 'whsec_consumer' })
  const valid = await fetch(mock.url, { method: 'POST', headers, body })
  const invalid = await fetch(mock.url, { method: 'POST', headers, body: '{}' })
  console.log(JSON.stringify({ valid: valid.status, invalid: invalid.status }))
} finally {
  await mock.close()
}
`,
      )
      const result = await runProcess(process.execPath, ['prism-check.mjs'], { cwd: project, env })
      expect(result.code, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({ valid: 204, invalid: 422 })
    },
    SLOW,
  )

  it(
    'runs the matchers of idaas-webhook-kit/vitest in a vitest run once vitest is installed',
    async () => {
      await installPeers(['vitest'])
      await writeFile(
        join(project, 'vitest.config.mjs'),
        `export default { test: { setupFiles: ['idaas-webhook-kit/vitest/setup'] } }\n`,
      )
      await writeFile(
        join(project, 'receiver.test.mjs'),
        `import { expect, it } from 'vitest'
import { createIdaasWebhookHandler } from 'idaas-webhook-kit'
import { ENTRUST_EXAMPLES, createEvent } from 'idaas-webhook-kit/testing'
import { idaasMatchers } from 'idaas-webhook-kit/vitest'

const token = 'whsec_consumer'
const handler = createIdaasWebhookHandler({ token, onEvent: () => {} })

it('has the matchers registered by the setup file', async () => {
  expect(Object.keys(idaasMatchers)).toContain('toBeValidIdaasEvent')
  expect(ENTRUST_EXAMPLES['user.created']).toBeValidIdaasEvent()
  expect({ type: 'user.created' }).not.toBeValidIdaasEvent()
  await expect(handler).toAcceptIdaasEvent(createEvent('user.created'), { token })
})
`,
      )
      const bin = join(project, 'node_modules', '.bin', 'vitest')
      const result = await runProcess(bin, ['run', '--reporter=dot'], {
        cwd: project,
        env,
        timeout: SLOW,
      })
      expect(result.code, result.stdout + result.stderr).toBe(0)
      expect(result.stdout).toMatch(/1 passed/)
    },
    SLOW,
  )

  it(
    'type-checks the matchers in a vitest project whose setupFiles name idaas-webhook-kit/vitest/setup',
    async () => {
      if (!existsSync(join(project, 'node_modules', 'vitest'))) await installPeers(['vitest'])
      const config = join(project, 'vitest.config.ts')
      await writeFile(
        config,
        `/// <reference types="idaas-webhook-kit/vitest/setup" />
import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { setupFiles: ['idaas-webhook-kit/vitest/setup'] } })
`,
      )
      const file = join(project, 'matchers.test.ts')
      await writeFile(file, MATCHERS_TS)
      // vitest's own declarations need @types/node, which a vitest project has: skip library checks.
      expect(typeCheck([config, file], { skipLibCheck: true, types: [] })).toEqual([])
      // Without the reference the matchers are unknown: the check above is not vacuous.
      await writeFile(
        config,
        `export default { test: { setupFiles: ['idaas-webhook-kit/vitest/setup'] } }\n`,
      )
      expect(typeCheck([config, file], { skipLibCheck: true, types: [] })).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/Property 'toAcceptIdaasEvent' does not exist/),
        ]),
      )
    },
    SLOW,
  )

  it(
    'type-checks a TypeScript file that imports from "idaas-webhook-kit", "idaas-webhook-kit/testing" and "idaas-webhook-kit/types"',
    async () => {
      const file = join(project, 'consumer.ts')
      await writeFile(file, CONSUMER_TS)
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        // The kit's declarations mention Node types; a consumer that runs on Node has @types/node.
        typeRoots: [join(root, 'node_modules', '@types')],
        types: ['node'],
      })
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) =>
            `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        )
      expect(diagnostics).toEqual([])
      // The types came from the installed package, not from this repository's sources.
      const files = program.getSourceFiles().map((s) => s.fileName)
      const installed = join(project, 'node_modules', 'idaas-webhook-kit', 'dist')
      expect(files.filter((f) => f.startsWith(installed)).length).toBeGreaterThan(0)
      expect(files.filter((f) => f.startsWith(root) && !f.includes('/node_modules/'))).toEqual([])
    },
    SLOW,
  )

  it(
    "ships the examples, so the demo's 'Try next' receiver exists and loads in the consumer project",
    async () => {
      const bin = join(project, 'node_modules', '.bin', 'idaas-webhook-kit')
      const demo = await runProcess(bin, ['demo'], { cwd: project, env, timeout: SLOW })
      expect(demo.code, demo.stderr).toBe(0)
      const example = /^ {2}node (\S+) +a reference receiver to copy/m.exec(demo.stdout)?.[1]
      expect(example).toBe('node_modules/idaas-webhook-kit/examples/node-http/server.mjs')
      const load = await runProcess(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import('./${example}'); console.log(typeof m.createReceiver)`,
        ],
        { cwd: project, env },
      )
      expect(load).toMatchObject({ code: 0, stdout: 'function\n' })
    },
    SLOW,
  )

  it('runs the installed bin: events, and validate with exit 1 for a bad event', async () => {
    const bin = join(project, 'node_modules', '.bin', 'idaas-webhook-kit')
    const events = await runProcess(bin, ['events'], { cwd: project, env })
    expect(events.code, events.stderr).toBe(0)
    expect(events.stdout).toMatch(/^user\.created +user +documented +yes +UserCreatedEvent$/m)

    await writeFile(join(project, 'bad.json'), '{"type": "user.created"}')
    const validate = await runProcess(bin, ['validate', 'bad.json'], { cwd: project, env })
    expect(validate.code).toBe(1)
    expect(validate.stdout).toContain(
      'bad.json:1: "user.created" is invalid:\n✖ is required\n  → at /accountId\n',
    )
    expect(validate.stderr).toBe('')

    const types = await runProcess(bin, ['types', '--out', 'src/idaas-events.d.ts'], {
      cwd: project,
      env,
    })
    expect(types.code, types.stderr).toBe(0)
    expect(readFileSync(join(project, 'src', 'idaas-events.d.ts'), 'utf8')).toMatch(
      new RegExp(
        `^// Generated by "idaas-webhook-kit types" \\(idaas-webhook-kit ${manifest.version}\\)\\. DO NOT EDIT\\.\n`,
      ),
    )
  })
})
