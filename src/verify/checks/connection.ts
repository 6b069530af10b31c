import { isIP } from 'node:net'
import { type ConnectionOptions, connect, type SecureVersion, type TLSSocket } from 'node:tls'
import { probeTls } from '../../delivery/tls.js'
import { createRealClock } from '../../internal/clock.js'
import { type CheckOutcome, listCases, plural, type VerifyCheck } from '../check.js'
import type { VerifyContext } from '../context.js'
import { cleanErrorMessage } from '../evidence.js'
import type { VerifyEvidence } from '../types.js'
import { EVENT_TYPES } from './acceptance.js'

/** What a handshake limited to one TLS version gave. */
export type TlsVersionResult = 'accepted' | 'refused' | 'untestable'

const VERSIONS: readonly SecureVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1']
const LEGACY: readonly SecureVersion[] = ['TLSv1.1', 'TLSv1']

// Errors raised by this side's OpenSSL before the server had a say: the version could not be
// offered, so nothing is known about the server.
const CLIENT_SIDE_CODES = new Set([
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
  'ERR_TLS_INVALID_PROTOCOL_VERSION',
  'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
])

const realClock = createRealClock()

/**
 * A handshake allowing exactly `version`. TLS 1.0/1.1 are offered with `DEFAULT@SECLEVEL=0`,
 * without which Node 20's OpenSSL 3 refuses their signature algorithms. The certificate is not
 * checked here: only which versions the server speaks matters.
 */
export function probeTlsVersion(
  url: URL,
  version: SecureVersion,
  timeoutMs: number,
): Promise<{ result: TlsVersionResult; code?: string }> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const options: ConnectionOptions = {
    host,
    port: url.port === '' ? 443 : Number(url.port),
    minVersion: version,
    maxVersion: version,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  }
  if (LEGACY.includes(version)) options.ciphers = 'DEFAULT@SECLEVEL=0'
  if (isIP(host) === 0) options.servername = host
  return new Promise((resolve) => {
    let socket: TLSSocket | undefined
    const finish = (value: { result: TlsVersionResult; code?: string }) => {
      cancel()
      socket?.destroy()
      resolve(value)
    }
    const cancel = realClock.setTimer(
      () => finish({ result: 'refused', code: 'ETIMEDOUT' }),
      timeoutMs,
    )
    try {
      socket = connect(options)
    } catch (error) {
      cancel()
      const code = (error as { code?: string }).code
      resolve(code === undefined ? { result: 'untestable' } : { result: 'untestable', code })
      return
    }
    const connected = socket
    connected.once('secureConnect', () =>
      finish({ result: connected.getProtocol() === version ? 'accepted' : 'refused' }),
    )
    connected.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'unknown'
      finish({ result: CLIENT_SIDE_CODES.has(code) ? 'untestable' : 'refused', code })
    })
  })
}

function describeTlsError(error: unknown): { code?: string; message: string } {
  const record = (error ?? {}) as { code?: unknown; message?: unknown }
  const message =
    typeof record.message === 'string'
      ? cleanErrorMessage(record.message.split('\n')[0] ?? '')
      : String(error)
  return typeof record.code === 'string' ? { code: record.code, message } : { message }
}

async function checkTls(context: VerifyContext, url: URL): Promise<CheckOutcome> {
  const { timeoutMs, ca } = context.options
  const hostPort = url.host
  const controller = new AbortController()
  const cancel = realClock.setTimer(
    () =>
      controller.abort(
        Object.assign(new Error(`no handshake within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
      ),
    timeoutMs,
  )
  let negotiated: string
  try {
    negotiated = await probeTls(url, { ca, signal: controller.signal })
  } catch (error) {
    const { code, message } = describeTlsError(error)
    const certificate = code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME/.test(code)
    const hint = certificate
      ? ' IDaaS presumably requires a publicly trusted certificate; for a test certificate pass its CA with option "ca" (--ca).'
      : ''
    return {
      ok: false,
      severity: 'error',
      message: `Failed to negotiate TLS 1.2 or 1.3 with "${hostPort}": ${code ? `${code}: ` : ''}${message}.${hint}`,
      details: { tls: { error: code ?? message } },
    }
  } finally {
    cancel()
  }
  const versions: Partial<Record<SecureVersion, TlsVersionResult>> = {}
  const codes: Partial<Record<SecureVersion, string>> = {}
  for (const version of VERSIONS) {
    const { result, code } = await probeTlsVersion(url, version, timeoutMs)
    versions[version] = result
    if (code !== undefined) codes[version] = code
  }
  const details = { tls: { negotiated, versions, openssl: process.versions.openssl } }
  const legacyAccepted = LEGACY.filter((v) => versions[v] === 'accepted')
  const untestable = LEGACY.filter((v) => versions[v] === 'untestable')
  if (legacyAccepted.length > 0) {
    return {
      ok: false,
      severity: 'warning',
      message: `"${hostPort}" negotiates ${negotiated} but also accepts ${legacyAccepted.join(' and ')}: IDaaS never uses TLS below 1.2, so turn ${legacyAccepted.join(' and ')} off.`,
      details,
    }
  }
  const warnings = untestable.map(
    (v) =>
      `Could not test ${v}: this Node's OpenSSL ${process.versions.openssl} refused to offer it (${codes[v] ?? 'unknown'}), so whether "${hostPort}" accepts it is unknown.`,
  )
  const refused = LEGACY.filter((v) => versions[v] === 'refused')
  return {
    ok: true,
    message: `"${hostPort}" negotiates ${negotiated}${refused.length > 0 ? ` and refuses ${refused.join(' and ')}` : ''}.`,
    warnings,
    details,
  }
}

/** `uses-https`: https with TLS 1.2/1.3 (error otherwise); warnings for http:// and TLS 1.0/1.1. */
export const usesHttps: VerifyCheck = {
  id: 'uses-https',
  async run(context) {
    const { targetKind, signUrl, sendUrl } = context.options
    if (targetKind === 'handler') {
      return {
        ok: true,
        skipped: 'in-process handler',
        message:
          'Not checked: an in-process handler has no transport. Run verify against the deployed https URL to check TLS.',
      }
    }
    const registered = new URL(signUrl)
    const target = new URL(sendUrl)
    if (registered.protocol === 'http:') {
      return {
        ok: false,
        severity: 'warning',
        message: `The callback URL "${registered.href}" uses http: IDaaS requires https with TLS 1.2 or 1.3 (https://docs.trustedauth.com/developer/webhook/). Fine for a local receiver; register an https URL.`,
        details: { scheme: 'http' },
      }
    }
    if (target.protocol === 'http:') {
      return {
        ok: true,
        message: `The registered URL "${registered.href}" uses https; TLS ends before "${target.href}", so it was not probed. Run verify against the public URL to check TLS.`,
        details: { scheme: 'https', tls: 'not probed' },
      }
    }
    return checkTls(context, target)
  },
}

/** `no-redirect`: no delivery got a 3xx, which IDaaS does not retry and is assumed not to follow (A7). */
export const noRedirect: VerifyCheck = {
  id: 'no-redirect',
  async run(context) {
    await context.everyEventType(EVENT_TYPES)
    const sent = context.attempts.length
    const redirects: VerifyEvidence[] = context.attempts
      .filter((a) => a.outcome === 'redirect')
      .map((a) => {
        const evidence: VerifyEvidence = {
          case: a.case,
          outcome: a.outcome,
          durationMs: a.durationMs,
        }
        if (a.status !== undefined) evidence.status = a.status
        if (a.location !== undefined) evidence.location = a.location
        return evidence
      })
    const details = { requests: sent }
    if (redirects.length === 0) {
      return { ok: true, message: `None of ${plural(sent, 'request')} got a 3xx.`, details }
    }
    const location = redirects.find((r) => r.location !== undefined)?.location
    return {
      ok: false,
      message: `${redirects.length} of ${plural(sent, 'request')} got a 3xx, which IDaaS does not retry and is assumed not to follow (A7): ${listCases(redirects)}${location ? `, Location "${location}"` : ''}. Register the final URL.`,
      failures: redirects,
      details,
    }
  },
}
