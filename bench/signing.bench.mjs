// Sign + verify round trips for a typical 1 KiB IDaaS event (RFC 9421 hmac-sha256 over @method,
// @target-uri and content-digest, RFC 9530 sha-256 digest), against the built package, each
// figure against a peer in the same run: `http-message-signatures` doing the same RFC 9421
// round trip (with the same Content-Digest, computed and checked by hand around it), and the
// floor, raw `crypto`: one SHA-256 and one HMAC per side, nothing parsed.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { httpbis } from 'http-message-signatures'
import { compare, opsPerSecond, report } from './harness.mjs'

const dist = new URL('../dist/src/index.js', import.meta.url)
const testing = new URL('../dist/src/testing.js', import.meta.url)
const { verifyDelivery } = await import(dist.href)
const { createEvent, signDelivery } = await import(testing.href)

const TOKEN = 'whsec_3f8a9b2c1d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6'
const TARGET_URL = 'https://receiver.example.com/webhooks/idaas'
const BODY_BYTES = 1024
const ITERATIONS = 20_000

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
const nowMs = 1_773_682_385_000
const now = () => nowMs

// --- the kit -------------------------------------------------------------------------------------
const verifyOptions = { token: TOKEN, now }
const kitRoundTrip = async () => {
  const headers = signDelivery({ url: TARGET_URL, body, token: TOKEN, now })
  const result = await verifyDelivery(
    { method: 'POST', url: TARGET_URL, headers, body },
    verifyOptions,
  )
  if (!result.ok) throw new Error(result.message)
}
const signed = signDelivery({ url: TARGET_URL, body, token: TOKEN, now })
const kitVerify = async () => {
  const result = await verifyDelivery(
    { method: 'POST', url: TARGET_URL, headers: signed, body },
    verifyOptions,
  )
  if (!result.ok) throw new Error(result.message)
}

// --- http-message-signatures ---------------------------------------------------------------------
const key = Buffer.from(TOKEN, 'utf8')
const hmac = (data) => createHmac('sha256', key).update(data).digest()
const digestOf = (text) => `sha-256=:${createHash('sha256').update(text).digest('base64')}:`
const signingKey = { id: undefined, alg: 'hmac-sha256', sign: async (data) => hmac(data) }
const verifyingKey = {
  algs: ['hmac-sha256'],
  verify: async (data, signature) => {
    const expected = hmac(data)
    return expected.length === signature.length && timingSafeEqual(expected, signature)
  },
}
const librarySign = () =>
  httpbis.signMessage(
    {
      key: signingKey,
      fields: ['@method', '@target-uri', 'content-digest'],
      params: ['created'],
      paramValues: { created: new Date(nowMs) },
    },
    {
      method: 'POST',
      url: TARGET_URL,
      headers: { 'content-type': 'application/json', 'content-digest': digestOf(body) },
    },
  )
const libraryVerify = async (request) => {
  if (request.headers['content-digest'] !== digestOf(body)) throw new Error('digest mismatch')
  const ok = await httpbis.verifyMessage({ keyLookup: async () => verifyingKey }, request)
  if (ok !== true) throw new Error('the library did not verify its own signature')
}
const libraryRoundTrip = async () => libraryVerify(await librarySign())
const librarySigned = await librarySign()

// --- raw crypto: the floor -----------------------------------------------------------------------
const baseOf = (digest) =>
  `"@method": POST\n"@target-uri": ${TARGET_URL}\n"content-digest": ${digest}\n"@signature-params": ("@method" "@target-uri" "content-digest");created=${nowMs / 1000};alg="hmac-sha256"`
const rawRoundTrip = () => {
  // Sender: digest the body, sign the base. Receiver: digest the received body, recompute the HMAC.
  const digest = digestOf(body)
  const signature = hmac(baseOf(digest))
  if (digestOf(body) !== digest) throw new Error('digest mismatch')
  if (!timingSafeEqual(hmac(baseOf(digest)), signature)) throw new Error('signature mismatch')
}

const rounds = (run) => () => opsPerSecond(ITERATIONS, run)
const rows = [
  await compare({
    measure: 'sign + verify round trips/s (1 KiB event)',
    subject: { run: rounds(kitRoundTrip) },
    peer: { label: 'http-message-signatures 1.0.6', run: rounds(libraryRoundTrip) },
    target: 1,
  }),
  await compare({
    measure: 'verify only/s (1 KiB event, raw body given)',
    subject: { run: rounds(kitVerify) },
    peer: {
      label: 'http-message-signatures 1.0.6',
      run: rounds(() => libraryVerify(librarySigned)),
    },
    target: 1,
  }),
  await compare({
    measure: 'sign + verify round trips/s against the floor (1 KiB event)',
    subject: { run: rounds(kitRoundTrip) },
    peer: { label: 'raw crypto HMAC + SHA-256', run: rounds(rawRoundTrip) },
  }),
]
report('signing', rows, [
  'The floor does per side only what RFC 9421 + RFC 9530 require (one SHA-256 of the body, one HMAC of the signature base) and parses nothing: the gap to it is header parsing, the signature base and JSON.parse.',
])
