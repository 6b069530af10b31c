import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The kit's own package: where it is installed and its version. */
export interface PackageInfo {
  /** Absolute directory holding the kit's `package.json`, `generated/` and `schemas/`. */
  root: string
  name: string
  version: string
}

const PACKAGE_NAME = 'idaas-webhook-kit'

let cached: PackageInfo | undefined

/**
 * Finds the kit's package root by walking up from this module to the `package.json` named
 * `idaas-webhook-kit`: `src/cli/` under vitest, `dist/src/cli/` once built or installed.
 */
export function readPackageInfo(): PackageInfo {
  cached ??= findPackageInfo(dirname(fileURLToPath(import.meta.url)))
  return cached
}

function findPackageInfo(start: string): PackageInfo {
  let dir = start
  for (;;) {
    const manifest = readManifest(join(dir, 'package.json'))
    if (manifest?.name === PACKAGE_NAME && typeof manifest.version === 'string') {
      return { root: dir, name: manifest.name, version: manifest.version }
    }
    const parent = dirname(dir)
    if (parent === dir) {
      throw new Error(`Cannot find the package.json of "${PACKAGE_NAME}" above ${start}`)
    }
    dir = parent
  }
}

function readManifest(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown }
  } catch {
    return undefined
  }
}
