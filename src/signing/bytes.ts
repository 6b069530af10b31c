/** Raw body bytes as the kit accepts them: a string is UTF-8 encoded, bytes are used as they are. */
export type BodyInput = string | Uint8Array | ArrayBuffer

/** The exact bytes of a body: strings as UTF-8, byte views without copying. */
export function toBytes(body: BodyInput | null | undefined): Uint8Array {
  if (body === null || body === undefined) return new Uint8Array(0)
  // Buffer.from rather than TextEncoder: same bytes, several times faster on Node 20.
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return body
  return new Uint8Array(body)
}

/** Base64 (RFC 4648 §4, padded) of some bytes. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
