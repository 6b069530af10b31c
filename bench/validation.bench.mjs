// Valid events validated per second through the precompiled validators, and the time from
// process start to the first validation (a fresh process: import + first call).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const dist = new URL('../dist/src/index.js', import.meta.url)
const testing = new URL('../dist/src/testing.js', import.meta.url)
const { validateEvent } = await import(dist.href)
const { ENTRUST_EXAMPLES } = await import(testing.href)

const TARGET_EVENTS_PER_SECOND = 1_000_000
const TARGET_STARTUP_MS = 100

function throughput(label, events, options) {
  const rounds = 5
  const perRound = 1_000_000
  let best = 0
  for (let r = 0; r < rounds; r++) {
    let sink = 0
    const start = process.hrtime.bigint()
    for (let i = 0; i < perRound; i++) {
      if (validateEvent(events[i % events.length], options).ok) sink++
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    if (sink !== perRound) throw new Error(`${label}: ${perRound - sink} events failed to validate`)
    best = Math.max(best, perRound / seconds)
  }
  return best
}

const examples = Object.values(ENTRUST_EXAMPLES).map((e) => structuredClone(e))
const rows = [
  ['valid events/s, tolerant (default)', throughput('tolerant', examples, undefined)],
  ['valid events/s, strict', throughput('strict', examples, { mode: 'strict' })],
]

// Start-up: spawn a fresh Node that imports the package and validates one event.
const script = `
const t0 = performance.now();
const { validateEvent } = await import(${JSON.stringify(dist.href)});
const ok = validateEvent(${JSON.stringify(examples[0])}).ok;
const t1 = performance.now();
process.stdout.write(JSON.stringify({ ok, importToFirstMs: t1 - t0, processStartToFirstMs: t1 }));
`
const startups = []
for (let i = 0; i < 7; i++) {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  })
  const parsed = JSON.parse(out.stdout)
  if (!parsed.ok) throw new Error('the start-up probe failed to validate an event')
  startups.push(parsed)
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const importMs = median(startups.map((s) => s.importToFirstMs))
const processMs = median(startups.map((s) => s.processStartToFirstMs))

const fmt = (n) => Math.round(n).toLocaleString('en-US')
console.log('| measure | value | target |')
console.log('|---|---|---|')
for (const [label, value] of rows) {
  console.log(
    `| ${label} | ${fmt(value)} | ≥ ${fmt(TARGET_EVENTS_PER_SECOND)} ${value >= TARGET_EVENTS_PER_SECOND ? '✔' : '✘'} |`,
  )
}
console.log(
  `| import to first validation (median of 7) | ${importMs.toFixed(1)} ms | < ${TARGET_STARTUP_MS} ms ${importMs < TARGET_STARTUP_MS ? '✔' : '✘'} |`,
)
console.log(`| process start to first validation (median of 7) | ${processMs.toFixed(1)} ms | — |`)
