import type { HttpHandler } from 'msw'
import type { FetchReceiver } from '../delivery/in-process.js'
import { KitError } from '../errors.js'
import { http } from './msw-module.js'

/**
 * An MSW handler that hands every POST to `callbackUrl` to an in-process Fetch-API receiver and
 * returns its `Response` unchanged: deliveries from a tenant (or `deliver`) reach your receiver
 * with no port. The request is passed through untouched (raw body, headers, `signal`, which
 * aborts at the delivery's deadline). A receiver that throws answers 500, as MSW does, unless
 * the request was already aborted: then nobody is listening and the error is dropped.
 * The URL's query string is ignored for matching (MSW matches on origin and path).
 * @example
 * server.use(createReceiverHandler('https://app.test/webhooks/idaas', app.fetch))
 */
export function createReceiverHandler(
  callbackUrl: string | URL,
  receiver: FetchReceiver,
): HttpHandler {
  let url: URL
  try {
    url = new URL(callbackUrl)
  } catch {
    throw new KitError(
      `Failed to create a receiver handler: "callbackUrl" must be an absolute URL, got "${String(callbackUrl)}".`,
    )
  }
  if (typeof receiver !== 'function') {
    throw new KitError(
      'Failed to create a receiver handler: "receiver" must be a function (request: Request) => Response.',
    )
  }
  return http.post(`${url.origin}${url.pathname}`, async ({ request }) => {
    try {
      return await receiver(request)
    } catch (error) {
      // The delivery gave up (deadline): nobody reads this answer, so do not let MSW report the
      // receiver's abort error as an unhandled exception.
      if (request.signal.aborted) return new Response(null, { status: 499 })
      throw error
    }
  })
}
