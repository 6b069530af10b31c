// `check --token` against a one-pass reference that, per record, parses the line once, hashes
// the body once (sha-256, for the record's hash and Content-Digest), parses Signature-Input and
// Signature once, verifies the HMAC and validates the payload once. Each side runs in its own
// process over the same generated capture file; median of interleaved rounds; prints the ratio
// (target: check ≥ 0.7× the reference) and each side's peak RSS. CHECK_BENCH_RECORDS sets the
// file size (default 20,000); CHECK_BENCH_LARGE=1000000 also measures RSS on a large file.
import { spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../dist/src/index.js', import.meta.url))
const testing = fileURLToPath(new URL('../dist/src/testing.js', import.meta.url))
const checkModule = fileURLToPath(new URL('../dist/src/capture/check.js', import.meta.url))
const { createEvent, signDelivery } = await import(testing)

const TARGET_RATIO = 0.7
const TARGET_RSS_MB = 300
const TOKEN = 'whsec_check-bench-token'
const URL_ = 'http://127.0.0.1:4012/webhooks/idaas'
const RECEIVED_AT = '2026-03-16T17:53:40.000Z'
const records = Number(process.env.CHECK_BENCH_RECORDS ?? 20_000)
const large = Number(process.env.CHECK_BENCH_LARGE ?? 0)
const rounds = 3

const dir = mkdtempSync(join(tmpdir(), 'check-bench-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

/** Writes `count` records of a few event types, each signed like IDaaS, as a capture file. */
async function writeCapture(path, count) {
  const { createHash } = await import('node:crypto')
  const types = ['user.created', 'grid.created', 'password.updated', 'magiclink.email.sent']
  const templates = types.map((type, i) => {
    const body = JSON.stringify(createEvent(type, {}, { seed: i + 1 }))
    const headers = signDelivery({
      url: URL_,
      body,
      token: TOKEN,
      created: Math.floor(Date.parse(RECEIVED_AT) / 1000) - 1,
    })
    const record = {
      format: 'idaas-webhook-kit.capture',
      version: 1,
      seq: 0,
      receivedAt: RECEIVED_AT,
      method: 'POST',
      url: URL_,
      httpVersion: '1.1',
      remoteAddress: '127.0.0.1',
      tls: null,
      headers: [['Host', '127.0.0.1:4012'], ...Object.entries(headers)],
      body: {
        encoding: 'utf8',
        data: body,
        bytes: Buffer.byteLength(body),
        sha256: createHash('sha256').update(body).digest('base64'),
      },
      signature: { checked: false },
      response: { status: 204 },
    }
    return JSON.stringify(record).split('"seq":0')
  })
  const out = createWriteStream(path)
  for (let i = 0; i < count; i++) {
    const [head, tail] = templates[i % templates.length]
    if (!out.write(`${head}"seq":${i + 1}${tail}\n`)) await new Promise((r) => out.once('drain', r))
  }
  await new Promise((resolve) => out.end(resolve))
}

const checkScript = `
const { createReadStream } = await import('node:fs')
const { checkCaptureStream } = await import(${JSON.stringify(checkModule)})
const started = performance.now()
const report = await checkCaptureStream(createReadStream(process.argv[1]), { token: ${JSON.stringify(TOKEN)} })
const ms = performance.now() - started
if (report.deliveries === 0 || report.signatures.valid !== report.deliveries) throw new Error('check: ' + JSON.stringify(report.signatures))
console.log(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS }))
`

const referenceScript = `
const { createReadStream } = await import('node:fs')
const { createHash, createHmac, timingSafeEqual } = await import('node:crypto')
const { createInterface } = await import('node:readline')
const { parseDictionary } = await import('structured-headers')
const { validateEvent } = await import(${JSON.stringify(dist)})
const token = ${JSON.stringify(TOKEN)}
const started = performance.now()
let valid = 0
let count = 0
for await (const line of createInterface({ input: createReadStream(process.argv[1]), crlfDelay: Infinity })) {
  if (line === '') continue
  count++
  const record = JSON.parse(line)
  const header = (name) => record.headers.find(([n]) => n.toLowerCase() === name)?.[1]
  const bytes = Buffer.from(record.body.data, 'utf8')
  const sha256 = createHash('sha256').update(bytes).digest()
  if (sha256.toString('base64') !== record.body.sha256) throw new Error('hash')
  const digest = parseDictionary(header('content-digest')).get('sha-256')[0]
  if (!timingSafeEqual(new Uint8Array(digest), sha256)) throw new Error('digest')
  const input = header('signature-input')
  parseDictionary(input)
  const params = input.slice(input.indexOf('=') + 1)
  const base = '"@method": POST\\n"@target-uri": ' + record.url + '\\n"content-digest": ' + header('content-digest') + '\\n"@signature-params": ' + params
  const expected = createHmac('sha256', token).update(base).digest()
  const received = new Uint8Array(parseDictionary(header('signature')).get('sig')[0])
  if (received.byteLength === expected.byteLength && timingSafeEqual(received, expected)) valid++
  validateEvent(JSON.parse(record.body.data), { mode: 'strict' })
}
const ms = performance.now() - started
if (valid !== count) throw new Error('reference: ' + valid + ' of ' + count)
console.log(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS }))
`

function run(script, file) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout.trim().split('\n').at(-1))
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const mb = (kb) => (kb / 1024).toFixed(0)

const file = join(dir, 'deliveries.jsonl')
await writeCapture(file, records)
const check = []
const reference = []
for (let r = 0; r < rounds; r++) {
  reference.push(run(referenceScript, file))
  check.push(run(checkScript, file))
}
const checkMs = median(check.map((m) => m.ms))
const referenceMs = median(reference.map((m) => m.ms))
const ratio = referenceMs / checkMs
console.log(
  `check --token, ${records} records: ${(records / (checkMs / 1000)).toFixed(0)} records/s (reference ${(records / (referenceMs / 1000)).toFixed(0)}/s)`,
)
console.log(
  `  ratio ${ratio.toFixed(2)}× of the one-pass reference (target ≥ ${TARGET_RATIO}×) ${ratio >= TARGET_RATIO ? '✔' : '✖'}`,
)
console.log(
  `  peak RSS: check ${mb(median(check.map((m) => m.rss)))} MB, reference ${mb(median(reference.map((m) => m.rss)))} MB`,
)
if (large > 0) {
  const big = join(dir, 'large.jsonl')
  await writeCapture(big, large)
  const measured = run(checkScript, big)
  console.log(
    `check --token, ${large} records: ${(measured.ms / 1000).toFixed(1)} s, peak RSS ${mb(measured.rss)} MB (target < ${TARGET_RSS_MB} MB) ${measured.rss / 1024 < TARGET_RSS_MB ? '✔' : '✖'}`,
  )
  rmSync(big, { force: true })
}
