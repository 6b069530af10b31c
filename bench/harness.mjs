// The shared harness of every bench/*.bench.mjs: each figure is measured against its peer (or a
// fixed limit) in the same process, in interleaved rounds, and reported as a ratio (median with
// min–max over the rounds), with the absolute figures as context only.
//
//   import { compare, report } from './harness.mjs'
//   const rows = [
//     await compare({
//       measure: 'sign + verify round trips/s (1 KiB event)',
//       unit: 'ops/s', // 'ops/s' (higher is better) or 'ms' (lower is better)
//       subject: { label: 'kit', run: async () => opsPerSecond },
//       peer: { label: 'raw crypto HMAC + SHA-256', run: async () => opsPerSecond },
//       target: 0.5, // optional: the ratio the subject must reach
//       rounds: 5,
//     }),
//     await compare({ measure: 'auto-disable wall time', unit: 'ms', subject, limit: 300 }),
//   ]
//   report('signing', rows)
//
// A ratio is always "the subject's speed relative to its peer": 1 = as fast, 0.5 = half as
// fast, whatever the unit (for 'ms' it is peer ÷ subject). A round runs subject and peer back to
// back, the order alternating from round to round, so a slow spell of a shared machine hits both.
// `report` prints a Markdown table, a warning first when the 1-minute load average is above the
// core count, and, when run.mjs was given --json, appends the rows as JSON to the file named by
// IDAAS_BENCH_JSON. run.mjs runs every *.bench.mjs in its own process.
import { appendFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'

/** The 1-minute load average, the core count and, when the first exceeds the second, a warning. */
export function machineLoad() {
  const load = loadavg()[0] ?? 0
  const cores = availableParallelism()
  const warning =
    load > cores
      ? `⚠ The machine is loaded (1-minute load average ${load.toFixed(2)} > ${cores} cores): absolute figures are low and ratios noisy. Re-run on a quiet machine before quoting them.`
      : undefined
  return { load, cores, warning }
}

/** The median of `values` (the mean of the two middle values for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median, min and max of `values`. */
export function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

/** Operations per second of `count` calls of `run` (awaited one after another). */
export async function opsPerSecond(count, run) {
  const start = performance.now()
  for (let i = 0; i < count; i++) await run(i)
  return count / ((performance.now() - start) / 1000)
}

/** Operations per second of `count` calls of `run`, `concurrency` of them in flight at a time. */
export async function concurrentOpsPerSecond(count, concurrency, run) {
  let next = 0
  const worker = async () => {
    while (next < count) await run(next++)
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return count / ((performance.now() - start) / 1000)
}

const speed = (unit, subject, peer) => (unit === 'ms' ? peer / subject : subject / peer)

/**
 * Measures `subject` against `peer` (or against `limit`, a fixed figure in `unit`) in `rounds`
 * interleaved rounds after `warmUp` unrecorded ones. Each `run` returns one figure in `unit`.
 * @returns a row for {@link report}
 */
export async function compare({
  measure,
  unit = 'ops/s',
  subject,
  peer,
  limit,
  target,
  rounds = 5,
  warmUp = 1,
}) {
  if (unit !== 'ops/s' && unit !== 'ms') throw new Error(`unit must be "ops/s" or "ms": ${unit}`)
  if ((peer === undefined) === (limit === undefined)) {
    throw new Error(`${measure}: give exactly one of peer and limit`)
  }
  const subjectValues = []
  const peerValues = []
  for (let round = 0; round < warmUp + rounds; round++) {
    const pair = []
    if (peer !== undefined && round % 2 === 1) pair.push(['peer', await peer.run()])
    pair.push(['subject', await subject.run()])
    if (peer !== undefined && round % 2 === 0) pair.push(['peer', await peer.run()])
    if (round < warmUp) continue
    for (const [who, value] of pair) (who === 'subject' ? subjectValues : peerValues).push(value)
  }
  const ratios = subjectValues.map((value, i) =>
    speed(unit, value, peer === undefined ? limit : peerValues[i]),
  )
  const ratio = spread(ratios)
  const row = {
    measure,
    unit,
    subject: { label: subject.label ?? 'kit', ...spread(subjectValues) },
    ratio,
    rounds,
  }
  if (peer !== undefined) row.peer = { label: peer.label, ...spread(peerValues) }
  else row.limit = limit
  if (target !== undefined) {
    row.target = target
    row.met = ratio.median >= target
  }
  return row
}

const fmtNumber = (n, unit) =>
  n.toLocaleString('en-US', {
    maximumFractionDigits: unit === 'ms' ? (n < 10 ? 2 : 1) : n < 100 ? 1 : 0,
  })
const fmtRatio = (n) => `${n.toFixed(2)}×`
const fmtFigure = (figure, unit) =>
  `${fmtNumber(figure.median, unit)} ${unit} (${fmtNumber(figure.min, unit)}–${fmtNumber(figure.max, unit)})`

/** Prints `rows` of bench `name` as a Markdown table (and as JSON when run.mjs asked for it). */
export function report(name, rows, notes = []) {
  const machine = machineLoad()
  if (machine.warning) console.log(`${machine.warning}\n`)
  console.log(
    '| measure | ratio to peer (median, min–max) | target | kit | peer or limit |\n|---|---|---|---|---|',
  )
  for (const row of rows) {
    const target =
      row.target === undefined ? '—' : `≥ ${fmtRatio(row.target)} ${row.met ? '✔' : '✘'}`
    const against =
      row.peer !== undefined
        ? `${row.peer.label}: ${fmtFigure(row.peer, row.unit)}`
        : `limit ${fmtNumber(row.limit, row.unit)} ${row.unit}`
    console.log(
      `| ${row.measure} | **${fmtRatio(row.ratio.median)}** (${fmtRatio(row.ratio.min)}–${fmtRatio(row.ratio.max)}) | ${target} | ${fmtFigure(row.subject, row.unit)} | ${against} |`,
    )
  }
  for (const note of notes) console.log(`\n${note}`)
  const file = process.env.IDAAS_BENCH_JSON
  if (file) {
    const entry = { bench: name, load: machine.load, cores: machine.cores, rows, notes }
    if (machine.warning) entry.warning = machine.warning
    appendFileSync(file, `${JSON.stringify(entry)}\n`)
  }
}
