// The README's jest recipe: the matchers object from idaas-webhook-kit/vitest, given to jest.
import { expect } from '@jest/globals'
import { idaasMatchers } from 'idaas-webhook-kit/vitest'

expect.extend(idaasMatchers)
