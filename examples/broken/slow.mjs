// BROKEN ON PURPOSE: provisions the new user before answering, so a "user.created" delivery
// takes longer than IDaaS's 3 s deadline. IDaaS marks the attempt failed and does not retry it
// (A7): the event is lost. `idaas-webhook-kit verify` catches it with responds-in-time (and
// accepts-every-event-type, handles-burst, tolerates-unknown-fields, which send "user.created").
//
// The fix: answer 204 first and do the work afterwards (see examples/node-http/server.mjs).
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { createIdaasNodeHandler } from 'idaas-webhook-kit'

/** @param {{ token: string, delayMs?: number }} options */
export function createReceiver({ token, delayMs = 3500 }) {
  return createServer(
    createIdaasNodeHandler({
      token,
      onEvent: async (event) => {
        if (event.type === 'user.created') await sleep(delayMs) // "provision the user" inline: the bug
      },
    }),
  )
}
