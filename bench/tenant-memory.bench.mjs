// The fake tenant's memory over a long run: RSS and heap before and after 100,000 deliveries to an
// in-process receiver answering 204, in virtual time, with the default delivery log bound (1000
// entries). Both sides are measured after a full GC. Figures are printed, never asserted.
// Run after `npm run build`.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')
const dist = new URL('../dist/src/testing.js', import.meta.url)
const { createEvent, createIdaasTenant, createInProcessFetch } = await import(dist.href)

const DELIVERIES = 100_000
const WARM_UP = 2_000
const MiB = 2 ** 20

const tenant = createIdaasTenant({
  fetch: createInProcessFetch(() => new Response(null, { status: 204 })),
})
tenant.webhooks.create({ name: 'memory', callbackUrl: 'https://app.test/hooks', events: [] })
const event = createEvent('user.created')

async function settle() {
  // Two rounds: a finalizer released by the first GC is collected by the second.
  for (let i = 0; i < 2; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const { rss, heapUsed } = process.memoryUsage()
  return { rss: rss / MiB, heap: heapUsed / MiB }
}

for (let i = 0; i < WARM_UP; i++) await tenant.emit(event)
const before = await settle()
const started = performance.now()
for (let i = 0; i < DELIVERIES; i++) await tenant.emit(event)
const seconds = (performance.now() - started) / 1000
const after = await settle()

const fmt = (n) => n.toFixed(1)
console.log(
  `${DELIVERIES.toLocaleString('en-US')} deliveries in ${fmt(seconds)} s; delivery log ${tenant.deliveryLog.length} entries`,
)
console.log(
  `RSS   before ${fmt(before.rss)} MiB, after ${fmt(after.rss)} MiB (${after.rss >= before.rss ? '+' : ''}${fmt(after.rss - before.rss)} MiB)`,
)
console.log(
  `heap  before ${fmt(before.heap)} MiB, after ${fmt(after.heap)} MiB (${after.heap >= before.heap ? '+' : ''}${fmt(after.heap - before.heap)} MiB)`,
)
