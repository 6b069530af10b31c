import { isIP } from 'node:net'
import { type ConnectionOptions, connect } from 'node:tls'
import type { CaCertificates } from './pem.js'
import { toTlsCa } from './pem-buffers.js'

/**
 * TLS settings of a delivery. IDaaS requires the callback URL to "support TLSv1.2 or TLSv1.3"
 * (https://docs.trustedauth.com/developer/webhook/). The global `fetch` already refuses anything
 * older (Node's `tls.DEFAULT_MIN_VERSION` is `TLSv1.2` unless Node runs with
 * `--tls-min-v1.0`/`--tls-min-v1.1`) and the engine classifies handshake and certificate errors
 * as `tls`. The probe adds a check that needs no undici: a `node:tls` handshake before each
 * HTTPS attempt, which records the negotiated version and fails the attempt as `tls` when it is
 * not 1.2 or 1.3.
 */
export interface DeliveryTlsOptions {
  /**
   * Handshake with `node:tls` (TLS 1.2–1.3 only) before each HTTPS attempt and record the
   * negotiated protocol on the attempt. Real sockets only: leave it off under MSW.
   * @default false
   */
  probe?: boolean
  /** Extra trusted CA certificates (PEM) for the probe, e.g. a test's self-signed certificate. @default Node's CA store */
  ca?: CaCertificates
}

/** TLS versions IDaaS accepts on a callback URL [documented]. */
export const ACCEPTED_TLS_VERSIONS: readonly string[] = ['TLSv1.2', 'TLSv1.3']

// OpenSSL certificate-verification codes as Node reports them (`err.code`).
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
])

/** True for a Node error code that means the TLS handshake or the certificate failed. */
export function isTlsErrorCode(code: string): boolean {
  return (
    CERTIFICATE_CODES.has(code) ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_')
  )
}

/** Thrown by {@link probeTls} when the handshake gives a version IDaaS would not accept. */
class TlsVersionError extends Error {
  override name = 'TlsVersionError'
  readonly code = 'ERR_TLS_VERSION_NOT_ACCEPTED'
}

/**
 * Opens a TLS connection to the URL's host and port (TLS 1.2 to 1.3 only), reads the negotiated
 * protocol (`socket.getProtocol()`) and closes it. Rejects with Node's error (e.g.
 * `ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION`, `DEPTH_ZERO_SELF_SIGNED_CERT`) or `signal.reason`.
 */
export function probeTls(
  url: URL,
  options: { ca?: DeliveryTlsOptions['ca']; signal?: AbortSignal } = {},
): Promise<string> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const connection: ConnectionOptions = {
    host,
    port: url.port === '' ? 443 : Number(url.port),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ALPNProtocols: ['http/1.1'],
  }
  if (isIP(host) === 0) connection.servername = host
  if (options.ca !== undefined) {
    connection.ca = toTlsCa(options.ca)
  }
  const { signal } = options
  return new Promise<string>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const socket = connect(connection)
    const onAbort = () => finish(() => reject(signal?.reason))
    const finish = (settle: () => void) => {
      signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      settle()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? 'unknown'
      finish(() =>
        ACCEPTED_TLS_VERSIONS.includes(protocol)
          ? resolve(protocol)
          : reject(new TlsVersionError(`negotiated ${protocol}; IDaaS requires TLS 1.2 or 1.3`)),
      )
    })
    socket.once('error', (error) => finish(() => reject(error)))
  })
}
