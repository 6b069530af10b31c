// Runtime-neutral checks of the production receiving side: only Web APIs (Request, Response,
// TextEncoder) and the kit's root entry, which the caller passes in. Each spawned runtime runs
// these against the same built files and prints the results; the vitest file asserts them.

/**
 * Runs every case through the Fetch receiver, verifyDelivery (a Fetch Request and raw bytes),
 * validateEvent, isIdaasEvent and assertIdaasEvent.
 * @param {Record<string, any>} kit the module namespace of the kit's root entry
 * @param {{ token: string, cases: { name: string, url: string, headers: Record<string, string>, body: string }[] }} input
 */
export async function runReceiverChecks(kit, { token, cases }) {
  const results = {}
  for (const delivery of cases) {
    const received = []
    const rejected = []
    const handler = kit.createIdaasWebhookHandler({
      token,
      onEvent: (event) => {
        received.push(event.type)
      },
      onRejected: (rejection) => {
        rejected.push(rejection.reason)
      },
      onError: () => {},
    })
    const response = await handler(
      new Request(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body }),
    )
    const request = new Request(delivery.url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    })
    const verified = await kit.verifyDelivery(request, { token })
    const bytes = new TextEncoder().encode(delivery.body)
    const verifiedRaw = await kit.verifyDelivery(
      { method: 'POST', url: delivery.url, headers: delivery.headers, body: bytes },
      { token },
    )
    let parsed
    try {
      parsed = JSON.parse(delivery.body)
    } catch {
      parsed = undefined
    }
    const validation = kit.validateEvent(parsed)
    let assertion = 'passed'
    try {
      kit.assertIdaasEvent(parsed)
    } catch (error) {
      assertion = kit.isSchemaValidationError(error) ? 'SchemaValidationError' : String(error)
    }
    results[delivery.name] = {
      status: response.status,
      received,
      rejected,
      verified: verified.ok ? true : verified.reason,
      verifiedRaw: verifiedRaw.ok ? true : verifiedRaw.reason,
      valid: validation.ok,
      isIdaasEvent: kit.isIdaasEvent(parsed),
      assertion,
    }
  }
  return results
}

/** Which runtime this is, from its own globals. */
export function describeRuntime() {
  const g = globalThis
  if (g.Deno) return { runtime: 'deno', version: g.Deno.version.deno }
  if (g.Bun) return { runtime: 'bun', version: g.Bun.version }
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return { runtime: 'workerd', version: '' }
  return { runtime: 'node', version: g.process.versions.node }
}
