// Time to import the root entry (the receiving side a production receiver loads) in a fresh
// process, against importing everything the kit's library modules load (the root, the testing
// entry, capture, check, replay and the TLS helpers): the price a receiver no longer pays for the
// test side. Each figure is one fresh Node process; only the import itself is timed.
import { spawnSync } from 'node:child_process'
import { compare, report } from './harness.mjs'

const built = (path) => new URL(`../dist/src/${path}`, import.meta.url).href
const ROOT = [built('index.js')]
const WHOLE_KIT = [
  built('index.js'),
  built('testing.js'),
  built('capture/capture-receiver.js'),
  built('capture/certificate.js'),
  built('capture/check.js'),
  built('capture/read-captures.js'),
  built('capture/replay.js'),
  built('delivery/tls.js'),
]
const TARGET_RATIO = 2

/** Milliseconds a fresh Node process takes to import `modules`, one after another. */
function importMs(modules) {
  const script = `const t0 = performance.now()
for (const m of ${JSON.stringify(modules)}) await import(m)
console.log(performance.now() - t0)`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`)
  return Number(result.stdout.trim())
}

const rows = [
  await compare({
    measure: 'import time of the root entry, fresh process',
    unit: 'ms',
    subject: { label: 'idaas-webhook-kit', run: async () => importMs(ROOT) },
    peer: { label: 'every library module of the kit', run: async () => importMs(WHOLE_KIT) },
    target: TARGET_RATIO,
    rounds: 7,
  }),
]
report('import', rows)
