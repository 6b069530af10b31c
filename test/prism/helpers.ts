import { createServer, type IncomingMessage, type Server } from 'node:http'
import { onTestFinished } from 'vitest'
import { signDelivery } from '../../src/testing.js'

/** The token the tests sign with; never a real one. */
export const TEST_TOKEN = 'whsec_prism-tests'

/** A signed POST of `body` exactly as given, for `fetch(url, init)`. */
export function signedPost(url: string, body: string, token = TEST_TOKEN): RequestInit {
  return { method: 'POST', headers: signDelivery({ url, body, token }), body }
}

/** Prism's RFC 7807 body for a refused request. */
export interface ProblemBody {
  type: string
  status: number
  validation?: { location: string[]; severity: string; code: string; message: string }[]
}

/** What a stand-in receiver saw. */
export interface SeenRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  rawHeaders: string[]
  body: Buffer
}

/**
 * A plain `node:http` receiver on a free loopback port that records every request and answers
 * with `answer()` (204 by default); closed when the current test finishes unless `keep` is set.
 */
export async function startStandInReceiver(
  answer: (seen: SeenRequest) => {
    status: number
    body?: string
    headers?: Record<string, string>
  } = () => ({
    status: 204,
  }),
  keep = false,
): Promise<{ url: string; seen: SeenRequest[]; server: Server; close(): Promise<void> }> {
  const seen: SeenRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      }
      seen.push(request)
      const { status, body, headers } = answer(request)
      res.writeHead(status, headers)
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  if (!keep) onTestFinished(close)
  return { url: `http://127.0.0.1:${address.port}/webhooks/idaas`, seen, server, close }
}
