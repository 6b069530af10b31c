import { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { KitError } from '../errors.js'

/** A key and a self-signed certificate in PEM, for an HTTPS test server. */
export interface SelfSignedCertificate {
  /** The private key (PKCS#8 PEM). Keep it out of logs. */
  key: string
  /** The certificate (PEM): give it to clients as their trusted CA. */
  cert: string
  /** SHA-256 fingerprint, `AB:CD:…`, to compare with what a client sees. */
  fingerprint256: string
  /** The names and addresses it is valid for. */
  hosts: string[]
}

/** The package that makes certificates (Node can parse them but not create them). */
export const SELFSIGNED_PACKAGE = 'selfsigned'

interface SelfsignedModule {
  generate(
    attrs: { name: string; value: string }[],
    options: Record<string, unknown>,
  ): Promise<{ private: string; cert: string }>
}

/**
 * Generates a P-256 key and a self-signed certificate (SHA-256, valid for 30 days) for
 * `localhost`, `127.0.0.1`, `::1` and any extra `hosts`. Uses the `selfsigned` package, loaded
 * only here (it signs with SHA-1 unless told otherwise, so the algorithm is set).
 * @example
 * const { key, cert } = await createSelfSignedCertificate()
 * https.createServer({ key, cert, minVersion: 'TLSv1.2' }, handler)
 */
export async function createSelfSignedCertificate(
  hosts: readonly string[] = [],
): Promise<SelfSignedCertificate> {
  let module: SelfsignedModule
  try {
    const imported = (await import(SELFSIGNED_PACKAGE)) as {
      default?: SelfsignedModule
    } & SelfsignedModule
    module =
      typeof imported.generate === 'function' ? imported : (imported.default as SelfsignedModule)
  } catch (error) {
    // Only a missing package is "not installed"; anything else is a real failure to report as is.
    if ((error as { code?: unknown } | null)?.code !== 'ERR_MODULE_NOT_FOUND') throw error
    throw new KitError(
      `Failed to create a TLS certificate: the "${SELFSIGNED_PACKAGE}" package is not installed. Run "npm install ${SELFSIGNED_PACKAGE}".`,
      { cause: error },
    )
  }
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts.filter(isUsableHost)])]
  const altNames = names.map((name) =>
    isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  )
  const notBeforeDate = new Date(Date.now() - 60_000)
  const pems = await module.generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 30 * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  })
  return {
    key: pems.private,
    cert: pems.cert,
    fingerprint256: new X509Certificate(pems.cert).fingerprint256,
    hosts: names,
  }
}

function isUsableHost(host: string): boolean {
  return host !== '' && host !== '0.0.0.0' && host !== '::'
}
