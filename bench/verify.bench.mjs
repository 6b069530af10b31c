// The full `verify` (13 checks, default burst of 50) against a fast loopback node:http receiver:
// the kit's own createIdaasNodeHandler, in a child process so that the figure is the verifier's.
// Target: under 5 s wall per run. Prints the median of 5 runs (after a warm-up) and per-check
// times as a markdown table. Run after `npm run build`.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { loadavg } from 'node:os'

const dist = new URL('../dist/src/index.js', import.meta.url)
const { DEFAULT_BURST, VERIFY_CHECK_IDS, verifyReceiver } = await import(dist.href)

const TARGET_WALL_MS = 5000
const RUNS = 5
const TOKEN = 'whsec_bench-verify-token'

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

const loadBefore = loadavg()[0] ?? 0

const receiver = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `import { createServer } from 'node:http'
     const { createIdaasNodeHandler } = await import(${JSON.stringify(dist.href)})
     const server = createServer(createIdaasNodeHandler({ token: ${JSON.stringify(TOKEN)}, onEvent: () => {} }))
     server.keepAliveTimeout = 10000
     server.listen(0, '127.0.0.1', () => console.log(server.address().port))
     process.stdin.on('end', () => process.exit(0))
     process.stdin.resume()`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
)
const [portLine] = await once(receiver.stdout, 'data')
const url = `http://127.0.0.1:${String(portLine).trim()}/webhooks/idaas`

async function run() {
  const started = performance.now()
  const report = await verifyReceiver({ url }, { token: TOKEN })
  const wallMs = performance.now() - started
  const errors = report.checks.filter((c) => !c.ok && c.severity === 'error')
  if (errors.length > 0)
    throw new Error(`unexpected failures: ${errors.map((c) => c.id).join(', ')}`)
  return { wallMs, report }
}

await run() // warm-up: JIT, module caches, the receiver's first requests
const runs = []
for (let i = 0; i < RUNS; i++) runs.push(await run())
receiver.stdin.end()
await once(receiver, 'exit')

const wallMs = median(runs.map((r) => r.wallMs))
const checkMs = (id) =>
  median(runs.map((r) => r.report.checks.find((c) => c.id === id)?.details.durationMs ?? 0))
const last = runs.at(-1).report
const requests = last.checks.find((c) => c.id === 'no-redirect')?.details.requests ?? 0
const timings = last.checks.find((c) => c.id === 'responds-in-time')?.details.timings
const burst = last.checks.find((c) => c.id === 'handles-burst')?.details

console.log(
  `(1-minute load average before the run: ${fmt(loadBefore, 2)}; median of ${RUNS} runs after a warm-up; receiver: createIdaasNodeHandler in a child process)\n`,
)
console.log('| measure | value | target |')
console.log('|---|---|---|')
console.log(
  `| full verify, wall time (13 checks, burst ${DEFAULT_BURST}) | ${fmt(wallMs)} ms | < ${TARGET_WALL_MS} ms ${wallMs < TARGET_WALL_MS ? '✅' : '❌'} |`,
)
console.log(`| requests sent per run | ${requests} | |`)
if (timings) {
  console.log(
    `| sequential answers p50 / p95 / max (last run) | ${timings.p50} / ${timings.p95} / ${timings.max} ms | |`,
  )
}
if (burst) {
  console.log(
    `| burst of ${burst.concurrent}: wall, p95 (last run) | ${burst.wallMs} ms, ${burst.timings.p95} ms | |`,
  )
}
console.log('\n| check | median ms |')
console.log('|---|---|')
for (const id of VERIFY_CHECK_IDS) console.log(`| ${id} | ${fmt(checkMs(id))} |`)
