import type { Server } from 'node:net'
import { KitError } from '../../errors.js'
import { describeValue } from '../describe-value.js'

/** The host the kit's servers bind to unless told otherwise: loopback only. */
export const DEFAULT_HOST = '127.0.0.1'

/**
 * Starts listening and resolves once the socket accepts connections; a busy port or an address
 * that cannot be bound becomes a `KitError` naming it (`what` says which server, for the message).
 * @internal
 */
export function listen(server: Server, port: number, host: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      const where = `port ${port} on "${host}"`
      const reason =
        error.code === 'EADDRINUSE'
          ? `${where} is already in use. Pass another "port" (CLI "--port"), or 0 for a free one.`
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? `cannot bind to "${host}" (${error.code}). Is the host an address of this machine?`
            : error.code === 'EACCES'
              ? `permission denied for ${where} (EACCES). Ports below 1024 need privileges.`
              : `${where}: ${error.message}`
      reject(new KitError(`Failed to start ${what}: ${reason}`, { cause: error }))
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

/**
 * `http://127.0.0.1:4010`: the origin clients use for a listening server. An unspecified address
 * (`0.0.0.0`, `::`) is shown as loopback, which always reaches it from this machine.
 * @internal
 */
export function originOf(server: Server, protocol: 'http' | 'https'): string {
  const address = server.address()
  if (address === null || typeof address === 'string') {
    throw new KitError('Failed to read the server address: the server is not listening.')
  }
  let host = address.address
  if (host === '0.0.0.0') host = '127.0.0.1'
  if (host === '::') host = '::1'
  const shown = host.includes(':') ? `[${host}]` : host
  return `${protocol}://${shown}:${address.port}`
}

/**
 * Stops accepting connections, closes every open socket (idle keep-alive ones included) and
 * resolves when the server is closed. Safe to call twice.
 * @internal
 */
export function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  if (!server.listening) return Promise.resolve()
  return new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections?.()
  })
}

/** A port number from 0 to 65535, or a `KitError`. @internal */
export function checkPort(port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new KitError(`Invalid option "port": expected 0 to 65535, got ${describeValue(port)}.`)
  }
  return port
}

/** A non-empty host string, or a `KitError`. @internal */
export function checkHost(host: unknown): string {
  if (typeof host !== 'string' || host.trim() === '') {
    throw new KitError(
      `Invalid option "host": expected an address such as "127.0.0.1", got ${describeValue(host)}.`,
    )
  }
  return host
}

/** A positive whole number of bytes, or a `KitError`. @internal */
export function checkMaxBodyBytes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new KitError(
      `Invalid option "maxBodyBytes": expected a whole number of bytes (at least 1), got ${describeValue(value)}.`,
    )
  }
  return value
}

/** How long a server waits for a request's headers by default: 10 s (IDaaS answers within 3 s, so a slower sender is not IDaaS). */
export const HEADERS_TIMEOUT_MS = 10_000

/** How long a server waits for a whole request (headers and body) by default: 30 s. */
export const REQUEST_TIMEOUT_MS = 30_000

/** The slow-sender bounds of the kit's servers, as `node:http` server options. @internal */
export interface ServerTimeouts {
  headersTimeout: number
  requestTimeout: number
  connectionsCheckingInterval: number
}

/**
 * Checks `headersTimeoutMs` and `requestTimeoutMs` (whole milliseconds, headers at most the
 * request's) and turns them into `node:http` server options; a sender slower than either gets a
 * 408 and its socket closed. Node checks the bounds every `connectionsCheckingInterval` (30 s by
 * default), so the interval is tied to the shorter bound: a bound of 200 ms holds to ~250 ms.
 * @internal
 */
export function checkServerTimeouts(options: {
  headersTimeoutMs?: number | undefined
  requestTimeoutMs?: number | undefined
}): ServerTimeouts {
  const headersTimeout = checkTimeout(
    options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
    'headersTimeoutMs',
  )
  const requestTimeout = checkTimeout(
    options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    'requestTimeoutMs',
  )
  if (headersTimeout > requestTimeout) {
    throw new KitError(
      `Invalid option "headersTimeoutMs": expected at most "requestTimeoutMs" (${requestTimeout}), got ${headersTimeout}.`,
    )
  }
  return {
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.ceil(headersTimeout / 4))),
  }
}

function checkTimeout(value: unknown, option: string): number {
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > 2_147_483_647
  ) {
    throw new KitError(
      `Invalid option "${option}": expected a whole number of milliseconds from 1 to 2147483647, got ${describeValue(value)}.`,
    )
  }
  return value
}
