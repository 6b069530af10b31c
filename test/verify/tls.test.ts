import { createServer, type ServerOptions } from 'node:https'
import { beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../src/capture/certificate.js'
import { createIdaasNodeHandler, type SelfSignedCertificate } from '../../src/index.js'
import { verifyReceiver } from '../../src/testing.js'
import { listen } from '../support/listen.js'
import { check, failedIds, TOKEN } from './support.js'

let pems: SelfSignedCertificate

beforeAll(async () => {
  pems = await createSelfSignedCertificate()
})

/** An https receiver (the kit's node handler) on 127.0.0.1:0 with the test certificate. */
async function serveTls(options: ServerOptions = {}): Promise<{ url: string; host: string }> {
  const server = createServer(
    { key: pems.key, cert: pems.cert, ...options },
    createIdaasNodeHandler({ token: TOKEN, onEvent: () => {} }),
  )
  const origin = await listen(server)
  return { url: `${origin}/webhooks/idaas`, host: new URL(origin).host }
}

// Node 20's OpenSSL 3 offers TLS 1.0/1.1 only at security level 0; both sides set it here.
const LEGACY = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as const

describe('uses-https', () => {
  it('passes an https receiver that negotiates TLS 1.3 and refuses 1.0/1.1, and runs every check over TLS', async () => {
    const { url, host } = await serveTls()
    const report = await verifyReceiver({ url }, { token: TOKEN, ca: pems.cert, burst: 10 })
    expect(failedIds(report)).toEqual([])
    const result = check(report, 'uses-https')
    expect(result.message).toBe(`"${host}" negotiates TLSv1.3 and refuses TLSv1.1 and TLSv1.`)
    expect(result.details.tls).toEqual({
      negotiated: 'TLSv1.3',
      versions: {
        'TLSv1.3': 'accepted',
        'TLSv1.2': 'accepted',
        'TLSv1.1': 'refused',
        TLSv1: 'refused',
      },
      openssl: process.versions.openssl,
    })
  })

  it('fails as an error, once, when the certificate is not trusted, and hints at option "ca"', async () => {
    const { url, host } = await serveTls()
    const report = await verifyReceiver({ url }, { token: TOKEN })
    expect(failedIds(report)).toEqual(['uses-https'])
    const result = check(report, 'uses-https')
    expect(result.severity).toBe('error')
    expect(result.message).toBe(
      `Failed to negotiate TLS 1.2 or 1.3 with "${host}": DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate. IDaaS presumably requires a publicly trusted certificate; for a test certificate pass its CA with option "ca" (--ca).`,
    )
    expect(check(report, 'accepts-every-event-type').details.skipped).toBe('TLS handshake failed')
    expect(report.ok).toBe(false)
  })

  it('warns when the receiver also accepts TLS 1.0 and 1.1', async () => {
    const { url, host } = await serveTls(LEGACY)
    const report = await verifyReceiver(
      { url },
      { token: TOKEN, ca: pems.cert, only: ['uses-https'] },
    )
    const result = check(report, 'uses-https')
    expect(result).toMatchObject({ ok: false, severity: 'warning' })
    expect(result.message).toBe(
      `"${host}" negotiates TLSv1.3 but also accepts TLSv1.1 and TLSv1: IDaaS never uses TLS below 1.2, so turn TLSv1.1 and TLSv1 off.`,
    )
    expect(report.ok).toBe(true)
  })

  it('fails as an error when the receiver cannot negotiate TLS 1.2 or 1.3', async () => {
    const { url, host } = await serveTls({ ...LEGACY, maxVersion: 'TLSv1.1' })
    const report = await verifyReceiver({ url }, { token: TOKEN, ca: pems.cert })
    expect(failedIds(report)).toEqual(['uses-https'])
    const result = check(report, 'uses-https')
    expect(result.severity).toBe('error')
    expect(result.message).toBe(
      `Failed to negotiate TLS 1.2 or 1.3 with "${host}": ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: tlsv1 alert protocol version.`,
    )
  })

  it('warns for an http:// callback URL', async () => {
    const report = await verifyReceiver(
      { url: 'http://127.0.0.1:9/webhooks/idaas' },
      { token: TOKEN, only: ['uses-https'] },
    )
    expect(check(report, 'uses-https')).toMatchObject({
      ok: false,
      severity: 'warning',
      message:
        'The callback URL "http://127.0.0.1:9/webhooks/idaas" uses http: IDaaS requires https with TLS 1.2 or 1.3 (https://docs.trustedauth.com/developer/webhook/). Fine for a local receiver; register an https URL.',
    })
    expect(report.ok).toBe(true)
  })
})
