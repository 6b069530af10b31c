// Runs every bench/*.bench.mjs in its own process, in name order, against the built package
// (npm run bench builds first). Figures are printed, never asserted: speed targets live here,
// not in timed tests. Each file reports through bench/harness.mjs: ratios against a peer or a
// limit measured in the same run. `npm run bench -- --json` prints one JSON document instead of
// the tables (the tables go to stderr); `-- --only=prism` runs the files whose name contains it.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { machineLoad } from './harness.mjs'

const args = process.argv.slice(2)
const json = args.includes('--json')
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)
const unknown = args.filter((arg) => arg !== '--json' && !arg.startsWith('--only='))
if (unknown.length > 0) {
  console.error(`Unknown bench argument "${unknown[0]}". Use --json and --only=<name>.`)
  process.exit(2)
}

const dir = fileURLToPath(new URL('.', import.meta.url))
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.mjs') && (only === undefined || name.includes(only)))
  .sort()
const out = json ? console.error : console.log
const machine = {
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: machineLoad().cores,
  loadBefore: machineLoad().load,
}
out(
  `idaas-webhook-kit benchmarks · Node ${machine.node} · ${machine.platform} · ${machine.cpu} × ${machine.cores} · 1-minute load ${machine.loadBefore.toFixed(2)}`,
)
const started = machineLoad()
if (started.warning) out(started.warning)

const tmp = mkdtempSync(join(tmpdir(), 'idaas-bench-'))
const jsonFile = join(tmp, 'results.jsonl')
const failed = []
try {
  for (const file of files) {
    out(`\n## ${file.replace('.bench.mjs', '')}`)
    const result = spawnSync(process.execPath, [dir + file], {
      stdio: ['ignore', json ? process.stderr : 'inherit', 'inherit'],
      env: { ...process.env, IDAAS_BENCH_JSON: jsonFile },
    })
    if (result.status !== 0) failed.push(file)
  }
  if (json) {
    let text = ''
    try {
      text = readFileSync(jsonFile, 'utf8')
    } catch {
      // No bench reported anything.
    }
    const benches = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line))
    console.log(JSON.stringify({ machine, benches, failed }, null, 2))
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
if (failed.length > 0) console.error(`\nFailed: ${failed.join(', ')}`)
process.exitCode = failed.length > 0 ? 1 : 0
