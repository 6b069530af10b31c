// The fake IDaaS delivery engine: (1) the auto-disable scenario, 100 failed deliveries × 3
// attempts against an in-process receiver answering 503, in virtual time; (2) signed deliveries
// per second to a loopback node:http receiver in a child process. Run after `npm run build`.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'

const dist = new URL('../dist/src/index.js', import.meta.url)
const { createEvent, createIdaasTenant, createInProcessFetch, createVirtualClock, deliver } =
  await import(dist.href)

const TARGET_AUTO_DISABLE_WALL_MS = 300
const TARGET_DELIVERIES_PER_SECOND = 3000
const IDAAS_REAL_TIME_MINUTES = 10

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

const loadBefore = loadavg()[0] ?? 0

// --- 1. auto-disable in virtual time ------------------------------------------------------------
const events = Array.from({ length: 100 }, (_, i) =>
  createEvent('user.created', undefined, { seed: i }),
)

async function autoDisableRun() {
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
  const virtualMs = tenant.now() - virtualStart
  if (requests !== 300) throw new Error(`expected 300 attempts, got ${requests}`)
  if (tenant.webhooks.get(id).enabled) throw new Error('the webhook was not auto-disabled')
  return { wallMs, virtualMs }
}

await autoDisableRun() // warm-up: JIT and module caches
const runs = []
for (let i = 0; i < 7; i++) runs.push(await autoDisableRun())
const wallMs = median(runs.map((r) => r.wallMs))
const virtualMs = median(runs.map((r) => r.virtualMs))

// --- 2. deliveries per second to a loopback node:http receiver ---------------------------------
// The receiver runs in its own process, as a real receiver would, so the figure is the sender's.
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
     process.on('disconnect', () => process.exit(0))
     process.stdin.on('end', () => process.exit(0))
     process.stdin.resume()`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
)
const [portLine] = await once(receiver.stdout, 'data')
const url = `http://127.0.0.1:${String(portLine).trim()}/hooks`
const target = { url, token: 'whsec_bench' }
const event = createEvent('user.created', undefined, { seed: 1 })

async function throughput(total, concurrency) {
  const clock = createVirtualClock()
  let next = 0
  let delivered = 0
  const worker = async () => {
    while (next < total) {
      next++
      const report = await deliver(event, target, { clock })
      if (report.ok) delivered++
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - start) / 1000
  if (delivered !== total) throw new Error(`${total - delivered} deliveries failed`)
  return total / seconds
}

const CONCURRENCY = 16
await throughput(1000, CONCURRENCY) // warm-up: sockets, JIT
const concurrent = median([
  await throughput(5000, CONCURRENCY),
  await throughput(5000, CONCURRENCY),
  await throughput(5000, CONCURRENCY),
])
const sequential = await throughput(1000, 1)

// For reference: the same POST with the bare global fetch, no signing, deadline or report.
async function bareFetch(total, concurrency) {
  const body = JSON.stringify(event)
  let next = 0
  const worker = async () => {
    while (next < total) {
      next++
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
      await response.arrayBuffer()
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return total / ((performance.now() - start) / 1000)
}
const bare = median([
  await bareFetch(5000, CONCURRENCY),
  await bareFetch(5000, CONCURRENCY),
  await bareFetch(5000, CONCURRENCY),
])
receiver.stdin.end()
await once(receiver, 'exit')

// --- report -------------------------------------------------------------------------------------
const idaasMs = IDAAS_REAL_TIME_MINUTES * 60_000
console.log(
  `(1-minute load average before the run: ${fmt(loadBefore, 2)}; figures drop when other processes share the CPUs)\n`,
)
console.log('| measure | value | target |')
console.log('|---|---|---|')
console.log(
  `| auto-disable scenario (100 deliveries × 3 attempts, 503), wall time | ${fmt(wallMs, 1)} ms | < ${TARGET_AUTO_DISABLE_WALL_MS} ms ${wallMs < TARGET_AUTO_DISABLE_WALL_MS ? '✅' : '❌'} |`,
)
console.log(
  `| auto-disable scenario, virtual time covered | ${fmt(virtualMs / 1000, 1)} s (${fmt(virtualMs / 60_000, 1)} min) | IDaaS: ~${IDAAS_REAL_TIME_MINUTES} min real |`,
)
console.log(`| auto-disable scenario, virtual / wall | ${fmt(virtualMs / wallMs)}× | |`)
console.log(`| auto-disable scenario, IDaaS real time / wall | ${fmt(idaasMs / wallMs)}× | |`)
console.log(
  `| deliveries/s to loopback node:http (${CONCURRENCY} concurrent) | ${fmt(concurrent)} | ≥ ${fmt(TARGET_DELIVERIES_PER_SECOND)} ${concurrent >= TARGET_DELIVERIES_PER_SECOND ? '✅' : '❌'} |`,
)
console.log(`| deliveries/s to loopback node:http (one at a time) | ${fmt(sequential)} | |`)
console.log(
  `| reference: bare global fetch POSTs/s, same receiver (${CONCURRENCY} concurrent) | ${fmt(bare)} | |`,
)
