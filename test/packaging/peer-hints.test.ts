import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { MSW_PEER_RANGE, VITEST_PEER_RANGE } from '../../src/peer-dependency.js'
import { cleanEnv, runProcess } from '../e2e/run.js'

const root = new URL('../../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  peerDependencies: Record<string, string>
}

/** Imports a built entry in a child process in which a module hook hides the package `hidden`. */
async function importWithout(hidden: string, entry: string): Promise<string> {
  // Node's own error for a package that is not installed, from a module hook that hides `hidden`.
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier === ${JSON.stringify(hidden)}) {
      throw Object.assign(new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL), { code: 'ERR_MODULE_NOT_FOUND' })
    }
    return next(specifier, context)
  }`
  const url = pathToFileURL(fileURLToPath(new URL(entry, root))).href
  const script = `import { register } from 'node:module'
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))
    await import(${JSON.stringify(url)}).then(
      () => console.log('loaded'),
      (error) => console.log(error.message),
    )`
  const result = await runProcess(process.execPath, ['--input-type=module', '-e', script], {
    env: cleanEnv(),
  })
  expect(result.code, result.stderr).toBe(0)
  return result.stdout.trim()
}

describe('a missing optional peer dependency', () => {
  it('names the peer ranges package.json declares', () => {
    expect({ msw: MSW_PEER_RANGE, vitest: VITEST_PEER_RANGE }).toEqual({
      msw: manifest.peerDependencies.msw,
      vitest: manifest.peerDependencies.vitest,
    })
  })

  it('makes idaas-webhook-kit/msw fail with the npm command that installs msw', async () => {
    expect(await importWithout('msw', 'dist/src/msw/index.js')).toBe(
      `[idaas-webhook-kit] Failed to load "idaas-webhook-kit/msw": "msw" is not installed. It is an optional peer dependency of idaas-webhook-kit: run "npm install --save-dev msw@${MSW_PEER_RANGE}".`,
    )
  })

  it('makes idaas-webhook-kit/vitest/setup fail with the npm command that installs vitest', async () => {
    expect(await importWithout('vitest', 'dist/src/vitest/setup.js')).toBe(
      `[idaas-webhook-kit] Failed to load "idaas-webhook-kit/vitest/setup": "vitest" is not installed. It is an optional peer dependency of idaas-webhook-kit: run "npm install --save-dev vitest@${VITEST_PEER_RANGE}".`,
    )
  })

  it('leaves idaas-webhook-kit/vitest loadable without vitest: jest users import the matchers from it', async () => {
    expect(await importWithout('vitest', 'dist/src/vitest/index.js')).toBe('loaded')
  })

  it('leaves the root entry loadable without msw and vitest', async () => {
    expect(await importWithout('msw', 'dist/src/index.js')).toBe('loaded')
    expect(await importWithout('vitest', 'dist/src/index.js')).toBe('loaded')
  })

  it('leaves the testing entry loadable without msw and vitest', async () => {
    expect(await importWithout('msw', 'dist/src/testing.js')).toBe('loaded')
    expect(await importWithout('vitest', 'dist/src/testing.js')).toBe('loaded')
  })
})
