// The full `verify` (13 checks, default burst of 50) against a fast loopback node:http receiver:
// the kit's own createIdaasNodeHandler, in a child process so that the figure is the verifier's.
// Its figure is measured against its limit, 5 s wall per run (median of 5 runs after a warm-up),
// with per-check times as context. Run after `npm run build`.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { compare, median, report } from './harness.mjs'

const dist = new URL('../dist/src/index.js', import.meta.url)
const testing = new URL('../dist/src/testing.js', import.meta.url)
const { DEFAULT_BURST, VERIFY_CHECK_IDS, verifyReceiver } = await import(testing.href)

const TARGET_WALL_MS = 5000
const RUNS = 5
const TOKEN = 'whsec_bench-verify-token'

const fmt = (n, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

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

const runs = []
const row = await compare({
  measure: `full verify, wall time (13 checks, burst ${DEFAULT_BURST})`,
  unit: 'ms',
  subject: {
    run: async () => {
      const result = await run()
      runs.push(result)
      return result.wallMs
    },
  },
  limit: TARGET_WALL_MS,
  target: 1,
  rounds: RUNS,
})
runs.shift() // the warm-up
receiver.stdin.end()
await once(receiver, 'exit')

const checkMs = (id) =>
  median(runs.map((r) => r.report.checks.find((c) => c.id === id)?.details.durationMs ?? 0))
const last = runs.at(-1).report
const requests = last.checks.find((c) => c.id === 'no-redirect')?.details.requests ?? 0
const timings = last.checks.find((c) => c.id === 'responds-in-time')?.details.timings
const burst = last.checks.find((c) => c.id === 'handles-burst')?.details

const notes = [
  `Requests sent per run: ${requests}; receiver: createIdaasNodeHandler in a child process.`,
]
if (timings) {
  notes.push(
    `Sequential answers p50 / p95 / max (last run): ${timings.p50} / ${timings.p95} / ${timings.max} ms.`,
  )
}
if (burst) {
  notes.push(
    `Burst of ${burst.concurrent}: wall ${burst.wallMs} ms, p95 ${burst.timings.p95} ms (last run).`,
  )
}
notes.push(
  [
    '| check | median ms |',
    '|---|---|',
    ...VERIFY_CHECK_IDS.map((id) => `| ${id} | ${fmt(checkMs(id))} |`),
  ].join('\n'),
)
report('verify', [row], notes)
