// BROKEN ON PURPOSE: validates events in strict mode, so an event type or a field that IDaaS adds
// later is refused with 400, and every such 4xx counts toward IDaaS disabling the webhook after
// 100 consecutive failures (A15). `idaas-webhook-kit verify` catches it with
// tolerates-unknown-event-type and tolerates-unknown-fields (and verifies-raw-body, whose
// reordered-keys body carries an unknown field).
//
// The fix: the default, tolerant validation (see examples/node-http/server.mjs).
import { createServer } from 'node:http'
import { createIdaasNodeHandler } from 'idaas-webhook-kit'

/** @param {{ token: string }} options */
export function createReceiver({ token }) {
  return createServer(createIdaasNodeHandler({ token, validation: 'strict', onEvent: () => {} }))
}
