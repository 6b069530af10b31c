import { ENTRUST_EXAMPLES } from '../../generated/entrust-examples.js'
import { KitError } from '../errors.js'
import { signDelivery } from '../signing/sign.js'
import { MOCK_RECEIVER_PATH } from './document.js'
import {
  type PrismConfig,
  type PrismInput,
  type PrismInstance,
  problemViolations,
  toViolations,
} from './prism-module.js'

/**
 * Prism in mock mode with request validation on. A new object every call: Prism writes into the
 * config it is given (`mock.mediaTypes`).
 * @internal
 */
export function mockConfig(code?: number): PrismConfig {
  return {
    mock: code === undefined ? { dynamic: false } : { dynamic: false, code },
    validateRequest: true,
    validateResponse: true,
    checkSecurity: true,
    errors: false,
    isProxy: false,
  }
}

const SELF_TEST_URL = `http://self-test.invalid${MOCK_RECEIVER_PATH}`

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}

/**
 * The start-up self-test: Prism swallows schema compile errors and then validates nothing
 * (stoplightio/prism#2442), so before serving, `{}` must get a 422 with a `validation` list and
 * a signed Entrust example must get a 2xx. Throws a `KitError` naming what went wrong.
 * @internal
 */
export async function runSelfTest(
  prism: PrismInstance,
  operations: readonly unknown[],
  documentPath: string,
): Promise<void> {
  const empty: PrismInput = {
    method: 'post',
    url: { path: MOCK_RECEIVER_PATH },
    headers: { 'content-type': 'application/json' },
    body: {},
  }
  const refused = await prism.request(empty, operations, mockConfig())()
  if (
    refused._tag !== 'Left' ||
    refused.left.status !== 422 ||
    problemViolations(refused.left).length === 0
  ) {
    const got =
      refused._tag === 'Left'
        ? `${refused.left.status ?? 500} "${refused.left.message}"`
        : String(refused.right.output.statusCode)
    throw new KitError(
      `Failed to start Prism: the self-test POST {} to "${MOCK_RECEIVER_PATH}" got ${got}, not 422 with a "validation" list. Prism is not validating request bodies of "${documentPath}": is a schema with "$id" used twice (a Prism bug), or is "jsonSchemaDialect" missing?`,
    )
  }
  const example = ENTRUST_EXAMPLES['user.created']
  const body = JSON.stringify(example)
  const headers = signDelivery({ url: SELF_TEST_URL, body, token: 'whsec_self-test', created: 0 })
  const valid: PrismInput = {
    method: 'post',
    url: { path: MOCK_RECEIVER_PATH },
    headers: lowerCaseKeys(headers),
    body: JSON.parse(body),
  }
  const accepted = await prism.request(valid, operations, mockConfig())()
  if (accepted._tag === 'Left') {
    const violations = problemViolations(accepted.left)
    const first = violations[0]
    const why = first ? `${first.message} (at ${first.location.join('.')})` : accepted.left.message
    throw new KitError(
      `Failed to start Prism: the self-test's valid "user.created" delivery (Entrust's published example) got ${accepted.left.status ?? 500}: ${why}. Is "${documentPath}" the kit's receiver contract?`,
    )
  }
  const status = accepted.right.output.statusCode
  const errors = toViolations(accepted.right.validations.input, 'request').filter(
    (v) => v.severity === 'Error',
  )
  if (status < 200 || status > 299 || errors.length > 0) {
    throw new KitError(
      `Failed to start Prism: the self-test's valid "user.created" delivery got ${status}${errors[0] ? `: ${errors[0].message}` : ''}.`,
    )
  }
}
