// Entry for Node, Bun and Deno: `<runtime> run-checks.mjs <kit entry file URL> <input JSON>`.
// Prints one JSON line: the runtime and the results of receiver-checks.mjs.
import { describeRuntime, runReceiverChecks } from './receiver-checks.mjs'

const args = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2)
const [entry, input] = args
const kit = await import(entry)
const results = await runReceiverChecks(kit, JSON.parse(input))
console.log(JSON.stringify({ ...describeRuntime(), results }))
