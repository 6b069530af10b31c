// The fake IDaaS delivery engine, each figure against its peer in the same run: (1) the
// auto-disable scenario, 100 failed deliveries × 3 attempts against an in-process receiver
// answering 503, in virtual time, against its 300 ms limit; (2) signed deliveries per second to
// a loopback node:http receiver in a child process, against a raw `http.request` keep-alive loop
// posting the same bytes to the same receiver with as many requests in flight. Run after
// `npm run build`.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import { compare, concurrentOpsPerSecond, report } from './harness.mjs'

const dist = new URL('../dist/src/testing.js', import.meta.url)
const { createEvent, createIdaasTenant, createInProcessFetch, deliver, signDelivery } =
  await import(dist.href)

const AUTO_DISABLE_LIMIT_MS = 300
const CONCURRENCY = 16
const DELIVERIES_PER_ROUND = 2000
const TOKEN = 'whsec_bench'

// --- 1. auto-disable in virtual time ------------------------------------------------------------
const events = Array.from({ length: 100 }, (_, i) =>
  createEvent('user.created', undefined, { seed: i }),
)
let virtualMs = 0
async function autoDisableWallMs() {
  let requests = 0
  const tenant = createIdaasTenant({
    fetch: createInProcessFetch(() => {
      requests++
      return new Response(null, { status: 503 })
    }),
  })
  const { id } = tenant.webhooks.create({
    name: 'bench',
    callbackUrl: 'https://bench.test/hooks',
    events: [{ type: 'user.created' }],
  })
  const virtualStart = tenant.now()
  const wallStart = performance.now()
  for (const event of events) await tenant.emit(event)
  const wallMs = performance.now() - wallStart
  virtualMs = tenant.now() - virtualStart
  if (requests !== 300) throw new Error(`expected 300 attempts, got ${requests}`)
  if (tenant.webhooks.get(id).enabled) throw new Error('the webhook was not auto-disabled')
  return wallMs
}
const autoDisable = await compare({
  measure: 'auto-disable scenario (100 deliveries × 3 attempts, 503), wall time',
  unit: 'ms',
  subject: { run: autoDisableWallMs },
  limit: AUTO_DISABLE_LIMIT_MS,
  target: 1,
  rounds: 7,
})

// --- 2. deliveries per second to a loopback node:http receiver ---------------------------------
// The receiver runs in its own process, as a real receiver would, so the figures are the senders'.
const receiver = spawn(
  process.execPath,
  [
    '-e',
    `const server = require('node:http').createServer((req, res) => {
       req.resume()
       req.on('end', () => res.writeHead(204).end())
     })
     server.keepAliveTimeout = 10000
     server.listen(0, '127.0.0.1', () => console.log(server.address().port))
     process.stdin.on('end', () => process.exit(0))
     process.stdin.resume()`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
)
const [portLine] = await once(receiver.stdout, 'data')
const url = `http://127.0.0.1:${String(portLine).trim()}/hooks`
const event = createEvent('user.created', undefined, { seed: 1 })
const target = { url, token: TOKEN }

const kitDeliver = (options) => async () => {
  const result = await deliver(event, target, options)
  if (!result.ok) throw new Error(`delivery failed: ${result.attempts[0]?.outcome}`)
}
const kitDefault = kitDeliver({})
const kitFetch = kitDeliver({ fetch: (input, init) => fetch(input, init) })

// The peer: the same signed bytes, posted with bare http.request over a keep-alive agent.
const body = Buffer.from(JSON.stringify(event))
const rawHeaders = {
  ...signDelivery({ url, body: JSON.stringify(event), token: TOKEN }),
  'content-length': String(body.byteLength),
}
const agent = new http.Agent({ keepAlive: true })
const rawPost = () =>
  new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: rawHeaders, agent }, (res) => {
      res.resume()
      res.once('end', () => (res.statusCode === 204 ? resolve() : reject(new Error('not 204'))))
    })
    request.once('error', reject)
    request.end(body)
  })

const throughput = (run, concurrency) => () =>
  concurrentOpsPerSecond(DELIVERIES_PER_ROUND, concurrency, run)
const raw = (concurrency) => ({
  label: 'raw http.request keep-alive',
  run: throughput(rawPost, concurrency),
})
const rows = [
  autoDisable,
  await compare({
    measure: `deliveries/s to loopback node:http, ${CONCURRENCY} in flight (default transport)`,
    subject: { label: 'kit', run: throughput(kitDefault, CONCURRENCY) },
    peer: raw(CONCURRENCY),
    target: 0.6,
  }),
  await compare({
    measure: `deliveries/s to loopback node:http, ${CONCURRENCY} in flight (option fetch: global fetch)`,
    subject: { label: 'kit + fetch', run: throughput(kitFetch, CONCURRENCY) },
    peer: raw(CONCURRENCY),
  }),
  await compare({
    measure: 'deliveries/s to loopback node:http, one at a time (default transport)',
    subject: { label: 'kit', run: throughput(kitDefault, 1) },
    peer: raw(1),
  }),
]
agent.destroy()
receiver.stdin.end()
await once(receiver, 'exit')

report('delivery', rows, [
  `The auto-disable scenario covers ${(virtualMs / 60_000).toFixed(1)} min of virtual time (IDaaS: about 10 min real).`,
])
