import type { CapturedBody } from './format.js'

// Apart from format.ts, whose declarations are part of the published types: a Buffer in them
// would make "idaas-webhook-kit/types" need @types/node.

/** The exact bytes of a captured body. @internal */
export function decodeBody(body: CapturedBody): Buffer {
  return Buffer.from(body.data, body.encoding)
}
