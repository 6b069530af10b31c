// PEM options in the kit's public types take `string | Uint8Array`: a Node `Buffer` is a
// `Uint8Array`, so every caller that passes a Buffer still type-checks, and the declarations need
// no @types/node. pem-buffers.ts turns them into the `string | Buffer` node:tls takes.

/** PEM text, or its bytes (a Node `Buffer` is a `Uint8Array`). */
export type PemInput = string | Uint8Array

/** One CA certificate (PEM) or several. */
export type CaCertificates = PemInput | ReadonlyArray<PemInput>
