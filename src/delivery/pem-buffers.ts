import { Buffer } from 'node:buffer'
import type { CaCertificates, PemInput } from './pem.js'

/** A PEM input in the form node:tls takes: the same bytes, viewed as a Buffer. @internal */
export function toTlsPem(pem: PemInput): string | Buffer {
  if (typeof pem === 'string' || Buffer.isBuffer(pem)) return pem
  return Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength)
}

/** CA certificates in the form node:tls takes. @internal */
export function toTlsCa(ca: CaCertificates): string | Buffer | (string | Buffer)[] {
  return typeof ca === 'string' || ca instanceof Uint8Array ? toTlsPem(ca) : ca.map(toTlsPem)
}
