// Loaded before every documentation snippet: a snippet must not reach the network, so any
// connection to a host other than the loopback interface fails at once, naming the host.
import dns from 'node:dns'
import net from 'node:net'

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1'])

function refuse(host: unknown): Error {
  return new Error(
    `documentation snippets must stay on 127.0.0.1, but one connected to ${String(host)}`,
  )
}

const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0]
  const options = Array.isArray(first) ? first[0] : first
  const host =
    typeof options === 'object' && options !== null
      ? (options as { host?: unknown; path?: unknown }).path === undefined
        ? ((options as { host?: unknown }).host ?? 'localhost')
        : undefined
      : typeof args[1] === 'string'
        ? args[1]
        : 'localhost'
  if (host !== undefined && !LOOPBACK.has(String(host))) throw refuse(host)
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args)
} as typeof net.Socket.prototype.connect

const lookup = dns.lookup
dns.lookup = ((hostname: string, ...rest: unknown[]) => {
  if (!LOOPBACK.has(hostname)) throw refuse(hostname)
  return (lookup as (...a: unknown[]) => unknown)(hostname, ...rest)
}) as typeof dns.lookup
const lookupPromise = dns.promises.lookup
dns.promises.lookup = ((hostname: string, ...rest: unknown[]) => {
  if (!LOOPBACK.has(hostname)) return Promise.reject(refuse(hostname))
  return (lookupPromise as (...a: unknown[]) => unknown)(hostname, ...rest)
}) as typeof dns.promises.lookup
