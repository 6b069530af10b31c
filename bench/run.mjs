// Runs every bench/*.bench.mjs in its own process, in name order, against the built package
// (npm run bench builds first). Figures are printed, never asserted: speed targets live here,
// not in timed tests.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.mjs'))
  .sort()
console.log(
  `idaas-webhook-kit benchmarks · Node ${process.version} · ${process.platform}/${process.arch}`,
)
let failed = false
for (const file of files) {
  console.log(`\n## ${file.replace('.bench.mjs', '')}`)
  const result = spawnSync(process.execPath, [dir + file], { stdio: 'inherit' })
  if (result.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
