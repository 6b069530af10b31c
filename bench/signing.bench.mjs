// Sign + verify round trips per second for a typical 1 KiB IDaaS event (RFC 9421 hmac-sha256 over
// @method, @target-uri and content-digest, RFC 9530 sha-256 digest), against the built package.
const dist = new URL('../dist/src/index.js', import.meta.url)
const { createEvent, createIdaasWebhookHandler, signDelivery, verifyDelivery } = await import(
  dist.href
)

const TARGET_ROUND_TRIPS_PER_SECOND = 50_000
const TOKEN = 'whsec_3f8a9b2c1d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6'
const TARGET_URL = 'https://receiver.example.com/webhooks/idaas'
const BODY_BYTES = 1024

// A user.created event padded to exactly 1 KiB of compact JSON.
const base = createEvent(
  'user.created',
  { data: { entityAttributes: { lastName: '' } } },
  { seed: 1 },
)
const padding = BODY_BYTES - Buffer.byteLength(JSON.stringify(base))
const event = createEvent(
  'user.created',
  { data: { entityAttributes: { lastName: 'x'.repeat(padding) } } },
  { seed: 1 },
)
const body = JSON.stringify(event)
if (Buffer.byteLength(body) !== BODY_BYTES)
  throw new Error(`body is ${Buffer.byteLength(body)} bytes`)
const clock = { ms: 1_773_682_385_000 }
const now = () => clock.ms

async function measure(label, iterations, run) {
  const rounds = 5
  let best = 0
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) await run(i)
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    best = Math.max(best, iterations / seconds)
  }
  return [label, best]
}

const verifyOptions = { token: TOKEN, now }
const roundTrip = async () => {
  const headers = signDelivery({ url: TARGET_URL, body, token: TOKEN, now })
  const result = await verifyDelivery(
    { method: 'POST', url: TARGET_URL, headers, body },
    verifyOptions,
  )
  if (!result.ok) throw new Error(result.message)
}
const signed = signDelivery({ url: TARGET_URL, body, token: TOKEN, now })
const handler = createIdaasWebhookHandler({ token: TOKEN, now, onEvent: () => {} })

const rows = [
  await measure('sign + verify round trips/s (1 KiB event)', 50_000, roundTrip),
  await measure('signDelivery/s (1 KiB event)', 50_000, () =>
    signDelivery({ url: TARGET_URL, body, token: TOKEN, now }),
  ),
  await measure('verifyDelivery/s (1 KiB event, raw body given)', 50_000, async () => {
    const result = await verifyDelivery(
      { method: 'POST', url: TARGET_URL, headers: signed, body },
      verifyOptions,
    )
    if (!result.ok) throw new Error(result.message)
  }),
  await measure(
    'Fetch handler deliveries/s (Request in, 204 out, schema-validated)',
    20_000,
    async () => {
      const response = await handler(
        new Request(TARGET_URL, { method: 'POST', headers: signed, body }),
      )
      if (response.status !== 204) throw new Error(`status ${response.status}`)
    },
  ),
]

const fmt = (n) => Math.round(n).toLocaleString('en-US')
console.log('| measure | value | target |')
console.log('|---|---|---|')
for (const [label, value] of rows) {
  const target = label.startsWith('sign + verify')
    ? `≥ ${fmt(TARGET_ROUND_TRIPS_PER_SECOND)} ${value >= TARGET_ROUND_TRIPS_PER_SECOND ? '✔' : '✘'}`
    : '—'
  console.log(`| ${label} | ${fmt(value)} | ${target} |`)
}
