// Stand-in for the reader's own `../src/webhooks.js`: handles an event.
import type { IdaasEvent } from 'idaas-webhook-kit/types'

export async function handleIdaasEvent(event: IdaasEvent): Promise<void> {
  if (typeof event.type !== 'string') throw new TypeError('not an event')
}
