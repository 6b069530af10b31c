import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from 'undici'
import { onTestFinished } from 'vitest'
import type { CaptureRecord } from '../../src/capture/format.js'
import type { FetchLike } from '../../src/index.js'

/** A fresh temporary directory, removed when the current test finishes. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idaas-webhook-kit-capture-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** The records of a capture file, one per line. */
export async function readLines(path: string): Promise<CaptureRecord[]> {
  const text = await readFile(path, 'utf8')
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CaptureRecord)
}

/**
 * A `fetch` that trusts `ca` (Node 20's global fetch takes no `ca`: an undici Agent as
 * `dispatcher` carries it). The agent closes when the test finishes.
 */
export function trustingFetch(ca: string): FetchLike {
  const dispatcher = new Agent({ connect: { ca } })
  onTestFinished(() => dispatcher.close())
  return (input, init) => fetch(input, { ...init, dispatcher } as RequestInit)
}
