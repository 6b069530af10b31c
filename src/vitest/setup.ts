/**
 * @module
 * `idaas-webhook-kit/vitest/setup`: registers the IDaaS matchers with vitest's `expect`. Add it
 * to `setupFiles` in vitest.config, or import it at the top of a test file.
 */
import { expect } from 'vitest'
import { idaasMatchers } from './index.js'

expect.extend(idaasMatchers)
