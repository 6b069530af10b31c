import { createServer, type RequestListener, type Server } from 'node:http'
import { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

/**
 * Starts a real `node:http` or `node:https` server on 127.0.0.1, port 0, and closes it (and every
 * connection, keep-alive ones included) when the current test finishes, unless the test closed it.
 * @returns the origin, e.g. `http://127.0.0.1:41234` (`https:` for an https server)
 */
export async function listen(listener: RequestListener | Server | HttpsServer): Promise<string> {
  const server = typeof listener === 'function' ? createServer(listener) : listener
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve() // the test closed it itself
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  )
  const { port } = server.address() as AddressInfo
  return `${server instanceof HttpsServer ? 'https' : 'http'}://127.0.0.1:${port}`
}
