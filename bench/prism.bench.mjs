// Prism as the mock IDaaS receiver: the kit's `mock` command against a bare `prism mock -v silent`
// (no request log) on the same document, measured the same way in the same run, interleaved. (1) Start-up: from spawning the process
// to ready (the kit prints its URL only after its self-test; bare Prism prints "Prism is
// listening" before it has compiled a validator, so both are also timed to the first validated
// answer: POST {} → 422). (2) Valid signed deliveries per second over keep-alive loopback
// connections, a bounded loop with a fixed number of requests in flight, the load generator in
// this process and the server in its own. Targets: throughput ≥ 0.9× bare Prism, start-up to the
// first validated answer ≤ 1.1× bare Prism's time (a ratio ≥ 0.91). Run after `npm run build`.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Agent, request } from 'node:http'
import { connect, createServer as createNetServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { compare, report } from './harness.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const { ENTRUST_EXAMPLES, signDelivery } = await import(
  new URL('../dist/src/testing.js', import.meta.url).href
)

const STARTS = 5 // start-up runs per server, alternating
const CONNECTIONS = 10 // requests in flight
const WARM_UP_MS = 1000
const MEASURE_MS = 5000
const RUNS = 3 // throughput runs per server, alternating
const READY_TIMEOUT_MS = 30_000 // a server that has not printed its ready line by then is killed

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

const servers = {
  prism: {
    label: 'bare Prism (`prism mock -v silent`, @stoplight/prism-cli 5.14.2)',
    args: [
      `${root}node_modules/@stoplight/prism-cli/dist/index.js`,
      'mock',
      `${root}generated/openapi.bundled.json`,
      '-v',
      'silent',
    ],
    // -v silent also silences "Prism is listening": ready is the port accepting a connection.
    ready: null,
    path: '/webhooks/idaas',
  },
  kit: {
    label: 'kit (`idaas-webhook-kit mock`)',
    args: [`${root}bin/idaas-webhook-kit.js`, 'mock', '--port', '0'],
    ready: /listening on (http:\/\/\S+)/,
    path: '',
  },
}

/**
 * Spawns a server in its own process group; resolves when its ready line appears. Rejects, with
 * the process group killed, when it exits or prints nothing ready within READY_TIMEOUT_MS.
 */
async function startServer(server) {
  const port = server.ready === null ? await freePort() : undefined
  const args = port === undefined ? server.args : [...server.args, '-p', String(port)]
  const startedAt = performance.now()
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  let timer
  let polling = true
  try {
    const url = await new Promise((resolve, reject) => {
      const onData = (chunk) => {
        output += chunk
        const match = server.ready?.exec(output)
        if (match) {
          // Keep draining stdout (the kit logs requests) without keeping it.
          child.stdout.off('data', onData)
          child.stdout.resume()
          resolve(`${match[1]}${server.path}`)
        }
      }
      child.stdout.setEncoding('utf8').on('data', onData)
      child.once('error', reject)
      child.once('exit', (code) =>
        reject(new Error(`${server.label} exited with ${code}: ${stderr}`)),
      )
      timer = setTimeout(
        () =>
          reject(new Error(`${server.label} was not ready within ${READY_TIMEOUT_MS / 1000} s`)),
        READY_TIMEOUT_MS,
      )
      if (port !== undefined) {
        const poll = () => {
          if (!polling) return
          const socket = connect(port, '127.0.0.1')
          socket.once('connect', () => {
            socket.destroy()
            resolve(`http://127.0.0.1:${port}${server.path}`)
          })
          socket.once('error', () => {
            socket.destroy()
            setTimeout(poll, 10)
          })
        }
        poll()
      }
    })
    const readyMs = performance.now() - startedAt
    return { child, url, readyMs, startedAt }
  } catch (error) {
    killGroup(child)
    throw error
  } finally {
    polling = false
    clearTimeout(timer)
  }
}

/** A port that was free a moment ago (bare Prism with -v silent cannot tell which one it took). */
async function freePort() {
  const server = createNetServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

/** SIGKILLs the server's whole process group (children included), if it is still there. */
function killGroup(child) {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

async function stopServer({ child }) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  try {
    process.kill(-child.pid, 'SIGINT')
  } catch {
    // Gone between the check and the signal.
  }
  const timer = setTimeout(() => killGroup(child), 5000)
  await exited
  clearTimeout(timer)
}

function post(agent, url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
      res.on('error', reject)
    })
    req.on('error', reject)
    // A server that accepts but never answers must not hang the run.
    req.setTimeout(READY_TIMEOUT_MS, () => req.destroy(new Error(`no answer from ${url}`)))
    req.end(body)
  })
}

/** Time to the first validated answer: POST {} must get Prism's 422. */
async function firstValidatedAnswer(server) {
  const started = await startServer(server)
  const agent = new Agent({ keepAlive: false })
  let status
  let answeredMs
  try {
    status = await post(agent, started.url, '{}', { 'content-type': 'application/json' })
    answeredMs = performance.now() - started.startedAt
  } finally {
    agent.destroy()
    await stopServer(started)
  }
  if (status !== 422) throw new Error(`${server.label}: POST {} got ${status}, not 422`)
  return { readyMs: started.readyMs, answeredMs }
}

/** Valid signed deliveries per second, CONNECTIONS in flight, for `ms` milliseconds. */
async function load(agent, url, ms) {
  const body = JSON.stringify(ENTRUST_EXAMPLES['user.created'])
  // The mock does not verify signatures, so one signed header set serves every request.
  const headers = signDelivery({ url, body, token: 'whsec_bench' })
  const latencies = []
  let other = 0
  const deadline = performance.now() + ms
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now()
      const status = await post(agent, url, body, headers)
      latencies.push(performance.now() - started)
      if (status !== 204) other++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: CONNECTIONS }, worker))
  const seconds = (performance.now() - started) / 1000
  if (other > 0) throw new Error(`${other} deliveries were not answered 204`)
  latencies.sort((a, b) => a - b)
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  }
}

async function throughput(server) {
  const started = await startServer(server)
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  try {
    await load(agent, started.url, WARM_UP_MS)
    return await load(agent, started.url, MEASURE_MS)
  } finally {
    agent.destroy()
    await stopServer(started)
  }
}

const subject = (fn) => ({ label: 'kit', run: () => fn(servers.kit) })
const peer = (fn) => ({ label: 'bare Prism', run: () => fn(servers.prism) })
const answered = async (server) => (await firstValidatedAnswer(server)).answeredMs
const rps = async (server) => (await throughput(server)).rps
const rows = [
  await compare({
    measure: 'start → first validated answer (POST {} → 422)',
    unit: 'ms',
    subject: subject(answered),
    peer: peer(answered),
    target: 1 / 1.1,
    rounds: STARTS,
    warmUp: 0,
  }),
  await compare({
    measure: `valid signed deliveries/s (204), ${CONNECTIONS} in flight, default request log`,
    subject: subject(rps),
    peer: peer(rps),
    target: 0.9,
    rounds: RUNS,
    warmUp: 0,
  }),
]
report('prism', rows, [
  `Each throughput round: ${WARM_UP_MS / 1000} s warm-up, then ${MEASURE_MS / 1000} s measured, a fresh process per server. A start-up ratio of 0.91× or more is the ≤ 1.1× start-up target.`,
])
