import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The path of the receiver operation in the kit's OpenAPI document: where the mock listens. */
export const MOCK_RECEIVER_PATH = '/webhooks/idaas'

/** The file name of the kit's OpenAPI 3.1 document in `generated/`. */
export const OPENAPI_DOCUMENT_FILE = 'openapi.bundled.json'

// From src/prism/ (tests, tsx) the package root is two levels up; from dist/src/prism/ three.
const CANDIDATES = [
  new URL(`../../generated/${OPENAPI_DOCUMENT_FILE}`, import.meta.url),
  new URL(`../../../generated/${OPENAPI_DOCUMENT_FILE}`, import.meta.url),
]

/**
 * The absolute path of `generated/openapi.bundled.json`, the receiver contract Prism serves:
 * OpenAPI 3.1, `jsonSchemaDialect` 2020-12, bundled with internal refs only and no `$id`.
 * @example openApiDocumentPath() // '/…/node_modules/idaas-webhook-kit/generated/openapi.bundled.json'
 */
export function openApiDocumentPath(): string {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(candidate)
    if (existsSync(path)) return path
  }
  return fileURLToPath(CANDIDATES[0] as URL)
}
