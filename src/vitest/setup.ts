/**
 * @module
 * `idaas-webhook-kit/vitest/setup`: registers the IDaaS matchers with vitest's `expect`. Add it
 * to `setupFiles` in vitest.config, or import it at the top of a test file. Its types carry the
 * matcher declarations: with `setupFiles` only, name it in tsconfig
 * (`"types": ["idaas-webhook-kit/vitest/setup"]`) or in a
 * `/// <reference types="idaas-webhook-kit/vitest/setup" />` line.
 */
import type * as Vitest from 'vitest'
import { importPeer, VITEST_PEER_RANGE } from '../peer-dependency.js'
import { idaasMatchers } from './index.js'

// Re-exported so that this entry's declarations load index.d.ts, whose `declare module 'vitest'`
// adds the matchers to vitest's Assertion type.
export type { IdaasMatchers } from './index.js'

// vitest is an optional peer dependency: a missing one gets an install hint.
const { expect } = await importPeer<typeof Vitest>(
  'vitest',
  VITEST_PEER_RANGE,
  'idaas-webhook-kit/vitest/setup',
)
expect.extend(idaasMatchers)
