import type { AttemptFailureKind, AttemptOutcome } from './policy.js'
import { isTlsErrorCode } from './tls.js'

/** The reason an attempt is aborted at its deadline. */
export class DeadlineExceeded extends Error {
  override name = 'TimeoutError'
}

/** Why an attempt got no usable response: a timeout, or a network or TLS failure. */
export interface AttemptFailure {
  outcome: Extract<AttemptFailureKind, 'timeout' | 'network' | 'tls'>
  /** One line, the innermost cause first named by its code, e.g. `ECONNREFUSED: connect …`. */
  error: string
  errorCode?: string
}

/** The outcome of a response: 2xx succeeds, 3xx is a failure never followed (A7), 5xx is retried. */
export function classifyResponse(response: Response): AttemptOutcome {
  const { status } = response
  // The global fetch with redirect: 'manual' reports a 3xx as an opaque redirect with status 0.
  if (response.type === 'opaqueredirect') return 'redirect'
  return classifyStatus(status)
}

/** The outcome of an HTTP status: 2xx succeeds, 3xx is a failure never followed (A7), 5xx is retried. */
export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status <= 299) return 'success'
  if (status >= 300 && status <= 399) return 'redirect'
  if (status >= 500 && status <= 599) return 'http-5xx'
  return 'http-4xx'
}

const TLS_MESSAGE = /\b(SSL|TLS)\b|certificate/i

/** Classifies the error of an attempt that got no response (`timedOut`: its deadline fired). */
export function classifyError(
  error: unknown,
  timedOut: boolean,
  deadlineMs: number,
): AttemptFailure {
  if (timedOut) {
    return { outcome: 'timeout', error: `No complete response within ${deadlineMs} ms.` }
  }
  const { code, messages } = errorCodes(error)
  const isTls =
    (code !== undefined && isTlsErrorCode(code)) || messages.some((m) => TLS_MESSAGE.test(m))
  return failure(isTls ? 'tls' : 'network', describeCause(code, messages), code)
}

/** Classifies a failed TLS probe: a refused or reset connection is a network failure, not TLS. */
export function classifyTlsProbeError(error: unknown): AttemptFailure {
  const { code, messages } = errorCodes(error)
  const isTls =
    code === undefined || isTlsErrorCode(code) || messages.some((m) => TLS_MESSAGE.test(m))
  return failure(isTls ? 'tls' : 'network', `TLS probe: ${describeCause(code, messages)}`, code)
}

function failure(
  outcome: AttemptFailure['outcome'],
  error: string,
  code: string | undefined,
): AttemptFailure {
  return code === undefined ? { outcome, error } : { outcome, error, errorCode: code }
}

/** The first error code and every message along an error's `cause` chain (at most 5 deep). */
function errorCodes(error: unknown): { code?: string; messages: string[] } {
  const messages: string[] = []
  let code: string | undefined
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const record = current as { code?: unknown; message?: unknown; cause?: unknown }
    if (code === undefined && typeof record.code === 'string') code = record.code
    if (typeof record.message === 'string') messages.push(record.message)
    current = record.cause
  }
  return code === undefined ? { messages } : { code, messages }
}

function describeCause(code: string | undefined, messages: string[]): string {
  // The innermost message is the most specific ("connect ECONNREFUSED 127.0.0.1:4010").
  const message = messages.at(-1)?.split('\n')[0] ?? 'unknown error'
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message
}
