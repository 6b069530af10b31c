// Every TypeScript block of README.md, docs/ and bench/README.md is compiled against the built
// package, imported as a consumer imports it ("idaas-webhook-kit" resolves to dist/ through the
// package's own "exports"), and run with vitest, so a snippet that fails as written fails here.
//
// Conventions for writing a block (docs/README.md explains them to readers too):
// - A block that calls vitest's `it`/`test`/`describe` is run as a test file and its tests must
//   pass; any other block is run as a module and must settle without throwing.
// - A block that imports a module of the reader's own (`../src/app.js`) says so with the info
//   string ```ts user-module; the test puts the stub of that specifier from STUBS next to it.
// - Snippets reach no network: test/docs/offline-setup.ts refuses every non-loopback connection.
//   They read $IDAAS_WEBHOOK_TOKEN and $PORT from SNIPPET_ENV (PORT is 0: a free port).
// - A jest recipe (```ts jest) is type-checked with jest's global `expect` but run by
//   test/jest/jest.test.ts with real jest (test/jest/jest.setup.mjs is that recipe).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { documentationFiles, extractSnippets, type Snippet } from './extract.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const work = join(root, '.vitest-tmp', 'doc-snippets')

/** The stand-ins for the reader's own modules, by the specifier a block imports. */
const STUBS: Record<string, string> = {
  '../src/webhooks.js': 'webhooks.ts',
  '../src/app.js': 'app.ts',
  '../src/inbox.js': 'inbox.ts',
  '../src/queue.js': 'queue.ts',
}

/** The environment the snippets run in: the webhook token they read, and port 0 for servers. */
const SNIPPET_ENV = { IDAAS_WEBHOOK_TOKEN: 'whsec_docs-example-token', PORT: '0' }

const RELATIVE_IMPORT = /\bfrom\s+'(\.{1,2}\/[^']+)'/g
const TEST_CALL = /^\s*(?:it|test|describe)(?:\.\w+)?\(/m

interface Placed extends Snippet {
  id: string
  dir: string
  /** The file the snippet's code is in. */
  source: string
}

const snippets: Placed[] = []
for (const file of await documentationFiles(root)) {
  const markdown = await readFile(join(root, file), 'utf8')
  for (const snippet of extractSnippets(file, markdown)) {
    const id = `${file.replace(/[^\w]+/g, '-')}-${snippet.line}`
    const dir = join(work, id)
    const runsAsTest = TEST_CALL.test(snippet.code) && !snippet.flags.includes('jest')
    const source = join(dir, 'test', runsAsTest ? 'snippet.test.ts' : 'snippet.ts')
    snippets.push({ ...snippet, id, dir, source })
  }
}

let typeErrors = ''
const outcomes = new Map<string, { status: string; message: string }>()

async function place(snippet: Placed): Promise<void> {
  await mkdir(dirname(snippet.source), { recursive: true })
  await writeFile(snippet.source, `${snippet.code}\nexport {}\n`)
  if (snippet.flags.includes('jest')) {
    await writeFile(
      join(dirname(snippet.source), 'jest-globals.d.ts'),
      "declare global {\n  const expect: typeof import('@jest/globals').expect\n}\nexport {}\n",
    )
    return
  }
  if (snippet.source.endsWith('snippet.ts')) {
    await writeFile(
      join(dirname(snippet.source), 'snippet.test.ts'),
      "import { it } from 'vitest'\n\nit('runs', async () => {\n  await import('./snippet.js')\n})\n",
    )
  }
  for (const [, specifier] of snippet.code.matchAll(RELATIVE_IMPORT)) {
    const stub = specifier === undefined ? undefined : STUBS[specifier]
    if (specifier === undefined || stub === undefined || !snippet.flags.includes('user-module'))
      continue
    const target = resolve(dirname(snippet.source), specifier.replace(/\.js$/, '.ts'))
    await mkdir(dirname(target), { recursive: true })
    await copyFile(join(root, 'test', 'docs', 'stubs', stub), target)
  }
}

function run(args: string[], timeoutMs: number) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: timeoutMs })
}

beforeAll(async () => {
  await rm(work, { recursive: true, force: true })
  for (const snippet of snippets) await place(snippet)
  await writeFile(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
      },
      include: ['**/*.ts'],
    }),
  )
  const tsc = run(
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.json')],
    180_000,
  )
  typeErrors = `${tsc.stdout}${tsc.stderr}`
  await copyFile(join(root, 'test/docs/offline-setup.ts'), join(work, 'offline-setup.ts'))
  await writeFile(
    join(work, 'vitest.config.mjs'),
    `export default { test: { include: ['**/*.test.ts'], setupFiles: ['./offline-setup.ts'], testTimeout: 30000, hookTimeout: 60000, maxWorkers: 1, env: ${JSON.stringify(SNIPPET_ENV)} } }\n`,
  )
  const vitest = run(
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--root',
      work,
      '--config',
      'vitest.config.mjs',
      '--reporter=json',
      '--outputFile=results.json',
    ],
    180_000,
  )
  const results = JSON.parse(
    await readFile(join(work, 'results.json'), 'utf8').catch(
      () => `{"testResults":[],"error":${JSON.stringify(vitest.stderr)}}`,
    ),
  ) as {
    testResults: {
      name: string
      status: string
      message: string
      assertionResults: { fullName: string; status: string; failureMessages: string[] }[]
    }[]
  }
  for (const file of results.testResults) {
    const failures = file.assertionResults
      .filter((a) => a.status !== 'passed')
      .map((a) => `${a.fullName}: ${a.status} ${a.failureMessages.join('\n')}`)
    outcomes.set(dirname(dirname(file.name)), {
      status: file.assertionResults.length === 0 ? 'failed' : file.status,
      message: [file.message, ...failures].filter(Boolean).join('\n'),
    })
  }
}, 400_000)

describe('documentation snippets', () => {
  it('finds TypeScript blocks in the README and docs/', () => {
    expect(snippets.length).toBeGreaterThan(20)
  })

  it.each(snippets.map((s) => [`${s.file}:${s.line}`, s] as const))(
    'the block at %s compiles against the built package and runs as written',
    (_, snippet) => {
      for (const [, specifier] of snippet.code.matchAll(RELATIVE_IMPORT)) {
        expect(snippet.flags, `imports ${specifier}: mark the block "ts user-module"`).toContain(
          'user-module',
        )
        expect(Object.keys(STUBS), `no stub for ${specifier} in STUBS`).toContain(specifier)
      }
      const errors = typeErrors
        .split('\n')
        .filter((line) => line.includes(`${snippet.id}/`))
        .map((line) =>
          line.replace(
            /^.*?test\/snippet(\.test)?\.ts\((\d+),(\d+)\)/,
            (_m, _t, l, c) => `line ${snippet.line + Number(l) - 1}:${c}`,
          ),
        )
      expect(errors).toEqual([])
      if (snippet.flags.includes('jest')) {
        // Run with real jest by test/jest/jest.test.ts: its setup file is this recipe.
        const setup = readFileSync(join(root, 'test/jest/jest.setup.mjs'), 'utf8')
        for (const line of ["from 'idaas-webhook-kit/vitest'", 'expect.extend(idaasMatchers)']) {
          expect(snippet.code).toContain(line)
          expect(setup).toContain(line)
        }
        return
      }
      const outcome = outcomes.get(snippet.dir)
      expect(outcome?.message ?? 'not run').toBe('')
      expect(outcome?.status).toBe('passed')
    },
  )
})
