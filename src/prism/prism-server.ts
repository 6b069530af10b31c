import { stat } from 'node:fs/promises'
import {
  createServer,
  Agent as HttpAgent,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { formatMessage, KitError } from '../errors.js'
import { closeServer, listen, originOf, type ServerTimeouts } from '../internal/http/listen.js'
import {
  RawHttpLimitError,
  type RawHttpResponse,
  redactUrl,
  sendRaw,
} from '../internal/http/raw-http.js'
import type { RandomSource } from '../internal/random.js'
import {
  type ContractViolation,
  createSilentPrismLogger,
  loadPrismHttp,
  type PrismConfig,
  type PrismDiagnostic,
  type PrismForward,
  type PrismHttp,
  type PrismInput,
  type PrismOutput,
  type PrismProblem,
  problemViolations,
  toProblemJson,
  toViolations,
} from './prism-module.js'
import { mockConfig, runSelfTest } from './self-test.js'
import {
  createSummaryCounter,
  isNoiseViolation,
  type PrismRequestOutcome,
  type PrismRequestRecord,
  type PrismSummary,
} from './summary.js'

/** Everything one Prism front needs, checked by the caller. @internal */
export interface PrismServerSettings {
  mode: 'mock' | 'proxy'
  /** For messages: `the mock receiver`, `the validating proxy`. */
  what: string
  host: string
  port: number
  maxBodyBytes: number
  /** Slow-sender bounds (408 and the socket closed past them). */
  timeouts: ServerTimeouts
  documentPath: string
  /** Mock: share of valid deliveries answered with `failStatus`. */
  failRate: number
  failStatus: number
  random: RandomSource
  /** Proxy: where deliveries go. */
  upstream?: URL
  /** Proxy: refuse contract-breaking deliveries with 422 instead of forwarding them. */
  errors: boolean
  /** Proxy: the largest answer read from the receiver, in bytes. */
  maxResponseBytes?: number | undefined
  /** Proxy: the most time the receiver gets for its whole answer, in milliseconds. */
  upstreamTimeoutMs?: number | undefined
  /** Proxy: extra CA certificates for an HTTPS receiver. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer> | undefined
  /** How many records to keep in memory (the oldest are dropped; the summary stays exact). */
  recordLimit: number
  onRequest?: ((record: PrismRequestRecord) => void) | undefined
}

/** A started Prism front. @internal */
export interface RunningPrismServer {
  origin: string
  records: PrismRequestRecord[]
  summary(): PrismSummary
  close(): Promise<void>
}

/** Per-request state the forwarder needs: the exact bytes and what the receiver answered. */
interface ProxyContext {
  rawHeaders: string[]
  body: Buffer
  query: string
  upstream?: RawHttpResponse
  upstreamMs?: number
  upstreamError?: string
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
])

const MAX_SAFE_HEADER_LENGTH = 8 * 1024 - 100
const JSON_TYPE = /^application\/(?:json|[^;\s]+\+json)\s*(?:;|$)/i
const UPSTREAM_TIMEOUT_MS = 30_000

/**
 * Starts Prism in-process behind a small `node:http` front: Prism (`createInstance`) does the
 * routing, validation, mocking and response checks; the front reads the raw body with a size
 * limit, injects seeded 5xx answers (mock), forwards the exact bytes (proxy: Prism's own forwarder
 * re-serializes JSON, which breaks `Content-Digest`), and closes every socket on `close()`.
 * @internal
 */
export async function startPrismServer(settings: PrismServerSettings): Promise<RunningPrismServer> {
  const prism = await loadPrismHttp()
  let operations: readonly unknown[]
  try {
    operations = await loadOperations(prism, settings.documentPath)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new KitError(
      `Failed to start ${settings.what}: cannot load the OpenAPI document "${settings.documentPath}": ${detail.split('\n')[0]}`,
      { cause: error },
    )
  }
  const contexts = new WeakMap<object, ProxyContext>()
  const agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  }
  const upstream = settings.upstream
  const forward: PrismForward =
    ({ data, validations }) =>
    () =>
    async () => {
      // With `errors`, Prism hands over the request violations: refuse, as `prism proxy --errors` does.
      if (validations.length > 0)
        return { _tag: 'Left', left: unprocessable(prism.ProblemJsonError, validations) }
      const context = contexts.get(data)
      if (context === undefined || upstream === undefined) {
        return { _tag: 'Left', left: new Error('The proxy lost the request it was forwarding.') }
      }
      // The client's query string is used only when `to` has none: a query in `to` replaces it.
      const target = new URL(upstream)
      if (context.query !== '' && target.search === '') target.search = context.query
      const started = performance.now()
      try {
        const response = await sendRaw({
          url: target,
          method: data.method.toUpperCase(),
          headers: forwardHeaders(context, target),
          body: context.body,
          agent: target.protocol === 'https:' ? agents.https : agents.http,
          ca: settings.ca,
          timeoutMs: settings.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
          totalTimeoutMs: settings.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
          maxResponseBytes: settings.maxResponseBytes,
        })
        context.upstream = response
        context.upstreamMs = performance.now() - started
        return { _tag: 'Right', right: toOutput(response) }
      } catch (error) {
        context.upstreamMs = performance.now() - started
        context.upstreamError = describeNetworkError(error)
        return {
          _tag: 'Left',
          left: new prism.ProblemJsonError(
            'urn:idaas-webhook-kit:error:receiver-unreachable',
            'Receiver unreachable',
            502,
            `The proxy could not reach the receiver at ${redactUrl(upstream)}: ${context.upstreamError}.`,
          ),
        }
      }
    }
  // A new object per call: Prism writes into the config it is given.
  const configFor = (code?: number): PrismConfig =>
    settings.mode === 'proxy'
      ? {
          ...mockConfig(code),
          isProxy: true,
          errors: settings.errors,
          ...(upstream ? { upstream } : {}),
        }
      : mockConfig(code)
  const config = configFor()
  const instance = prism.createInstance(config, {
    logger: createSilentPrismLogger(),
    ...(settings.mode === 'proxy' ? { forward } : {}),
  })
  // Fails loudly, before anything is served, when Prism would validate nothing: it swallows
  // schema compile errors (stoplightio/prism#2442) and picks the JSON Schema draft per schema
  // object (stoplightio/prism#2797).
  await runSelfTest(instance, operations, settings.documentPath)

  const counter = createSummaryCounter()
  const records: PrismRequestRecord[] = []
  let count = 0
  const record = (entry: PrismRequestRecord) => {
    counter.add(entry)
    records.push(entry)
    // One in, one out: shift() on a full array is V8's O(1) left trim, where splice() copied.
    if (records.length > settings.recordLimit) records.shift()
    if (settings.onRequest === undefined) return
    try {
      settings.onRequest(entry)
    } catch (error) {
      // The request is answered already: report the caller's bug, keep the connection.
      const message = error instanceof Error ? error.message : String(error)
      console.error(formatMessage(`The "onRequest" callback threw: ${message}`))
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now()
    const number = ++count
    const receivedAt = new Date().toISOString()
    const path = req.url ?? '/'
    const base: Omit<PrismRequestRecord, 'status' | 'outcome' | 'durationMs'> = {
      number,
      receivedAt,
      method: req.method ?? 'GET',
      path,
      eventType: null,
      eventId: null,
      violations: [],
      injected: false,
    }
    const body = await readBody(req, settings.maxBodyBytes)
    if (body === 'aborted') return
    if (body === 'too-large') {
      res.setHeader('connection', 'close')
      sendProblem(res, 413, {
        type: 'urn:idaas-webhook-kit:error:payload-too-large',
        title: 'Payload too large',
        status: 413,
        detail: `The body is larger than ${settings.maxBodyBytes} bytes, the limit of ${settings.what} (assumption A14).`,
      })
      record({
        ...base,
        status: 413,
        outcome: settings.mode === 'mock' ? 'rejected' : 'refused',
        durationMs: performance.now() - started,
      })
      return
    }
    const url = new URL(path, 'http://localhost')
    const parsed = parseBody(req, body)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const { type, id } = parsed as { type?: unknown; id?: unknown }
      if (typeof type === 'string') base.eventType = type
      if (typeof id === 'string') base.eventId = id
    }
    const input: PrismInput = {
      method: (req.method ?? 'GET').toLowerCase(),
      url: { path: url.pathname, query: queryOf(url.searchParams) },
      headers: req.headers as Record<string, string>,
      body: parsed,
    }
    const context: ProxyContext = { rawHeaders: req.rawHeaders, body, query: url.search }
    if (settings.mode === 'proxy') contexts.set(input, context)
    const code = preferredCode(headerValue(req.headers.prefer))
    const result = await instance.request(input, operations, configFor(code))()
    let status: number
    let injected = false
    let violations: ContractViolation[]
    if (result._tag === 'Left') {
      status = result.left.status || 500
      violations = problemViolations(result.left).map((v) =>
        v.location[0] === 'request' ? v : { ...v, location: ['request', ...v.location] },
      )
      sendProblem(res, status, toProblemJson(withoutHeaders(result.left)), result.left)
    } else {
      const { output, validations } = result.right
      violations = [
        ...toViolations(validations.input, 'request'),
        ...toViolations(validations.output, 'response'),
      ]
      setViolationHeader(res, violations)
      const outputErrors = toViolations(validations.output, 'response').filter(
        (v) => v.severity === 'Error',
      )
      if (settings.errors && outputErrors.length > 0) {
        status = 500
        sendProblem(res, 500, {
          type: 'https://stoplight.io/prism/errors#VIOLATIONS',
          title: 'Request/Response not valid',
          status: 500,
          detail:
            'Your request/response is not valid and the --errors flag is set, so Prism is generating this error for you.',
          validation: outputErrors,
        })
      } else if (context.upstream !== undefined) {
        status = context.upstream.status
        sendUpstream(res, context.upstream)
      } else {
        status = output.statusCode
        if (
          settings.mode === 'mock' &&
          status >= 200 &&
          status <= 299 &&
          settings.failRate > 0 &&
          settings.random.next() < settings.failRate
        ) {
          status = settings.failStatus
          injected = true
          res.statusCode = status
          res.end()
        } else {
          sendOutput(res, output)
        }
      }
    }
    const entry: PrismRequestRecord = {
      ...base,
      status,
      outcome: outcomeOf(settings.mode, status, context),
      violations: violations.filter((v) => !isNoiseViolation(v)),
      injected,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    }
    if (context.upstream !== undefined) entry.upstreamStatus = context.upstream.status
    if (context.upstreamMs !== undefined)
      entry.upstreamMs = Math.round(context.upstreamMs * 1000) / 1000
    if (context.upstreamError !== undefined) entry.upstreamError = context.upstreamError
    record(entry)
  }

  const server = createServer(settings.timeouts, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug, not bad input: answer 500 rather than leaving the client hanging.
      if (!res.headersSent) {
        sendProblem(res, 500, {
          type: 'urn:idaas-webhook-kit:error:internal',
          title: 'Internal error',
          status: 500,
          detail: error instanceof Error ? error.message : String(error),
        })
      } else res.destroy()
    })
  })
  server.keepAliveTimeout = 10_000
  await listen(server, settings.port, settings.host, settings.what)
  let closing: Promise<void> | undefined
  return {
    origin: originOf(server, 'http'),
    records,
    summary: () => counter.summary(),
    close() {
      closing ??= closeServer(server).then(() => {
        agents.http.destroy()
        agents.https.destroy()
      })
      return closing
    },
  }
}

const operationsCache = new Map<string, Promise<readonly unknown[]>>()

/**
 * Prism's operations for a document, loaded once per file version: Prism caches compiled
 * validators per schema object, so a second mock in the same process (a test file's second
 * `beforeAll`) starts in milliseconds instead of compiling the schemas again.
 */
async function loadOperations(prism: PrismHttp, path: string): Promise<readonly unknown[]> {
  const { mtimeMs, size } = await stat(path)
  const key = `${path}\u0000${mtimeMs}\u0000${size}`
  let cached = operationsCache.get(key)
  if (cached === undefined) {
    cached = prism.getHttpOperationsFromSpec(path)
    operationsCache.set(key, cached)
    cached.catch(() => operationsCache.delete(key))
  }
  return cached
}

function outcomeOf(
  mode: 'mock' | 'proxy',
  status: number,
  context: ProxyContext,
): PrismRequestOutcome {
  if (mode === 'proxy') {
    if (context.upstream !== undefined) return 'forwarded'
    return context.upstreamError !== undefined ? 'unreachable' : 'refused'
  }
  if (status >= 200 && status <= 299) return 'accepted'
  return status >= 500 ? 'failed' : 'rejected'
}

/** The body as Prism's server would hand it over: JSON parsed for JSON types, else text. */
function parseBody(req: IncomingMessage, body: Buffer): unknown {
  const length = req.headers['content-length']
  if (length === '0' || (length === undefined && req.headers['transfer-encoding'] === undefined)) {
    return null
  }
  const text = body.toString('utf8')
  if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) return text
  try {
    return JSON.parse(text)
  } catch {
    // Not JSON: Prism then reports "must be object" for the body, a contract violation.
    return text
  }
}

function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key)
    query[key] = values.length === 1 ? (values[0] as string) : values
  }
  return query
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/** `Prefer: code=503` (a subset of Prism's `Prefer` support): the status to mock. */
function preferredCode(prefer: string | undefined): number | undefined {
  if (prefer === undefined) return undefined
  const match = /(?:^|[,;\s])code=(\d{3})(?:$|[,;\s])/.exec(prefer)
  return match ? Number(match[1]) : undefined
}

type BodyResult = Buffer | 'too-large' | 'aborted'

function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = []
    let total = 0
    let settled = false
    const settle = (result: BodyResult) => {
      if (settled) return
      settled = true
      resolve(result)
    }
    // Past the limit keep draining without storing, so that the 413 reaches the client.
    if (declared > limit) settle('too-large')
    req.on('data', (chunk: Buffer) => {
      if (settled) return
      total += chunk.byteLength
      if (total > limit) settle('too-large')
      else chunks.push(chunk)
    })
    req.on('end', () => settle(Buffer.concat(chunks, total)))
    req.on('error', () => settle('aborted'))
    req.on('close', () => settle(req.complete ? Buffer.concat(chunks, total) : 'aborted'))
  })
}

function withoutHeaders(problem: PrismProblem): PrismProblem {
  if (problem.additional?.headers === undefined) return problem
  const { headers: _headers, ...additional } = problem.additional
  return { ...problem, name: problem.name, message: problem.message, additional }
}

function sendProblem(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  problem?: PrismProblem,
): void {
  if (res.headersSent) return
  const headers = problem?.additional?.headers
  if (headers !== null && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, String(value))
  }
  res.statusCode = status
  res.setHeader('content-type', 'application/problem+json')
  res.end(JSON.stringify(body))
}

function setViolationHeader(res: ServerResponse, violations: readonly ContractViolation[]): void {
  if (violations.length === 0) return
  let value = JSON.stringify(violations)
  if (value.length > MAX_SAFE_HEADER_LENGTH) {
    value = `Too many violations! ${value.substring(0, MAX_SAFE_HEADER_LENGTH)}`
  }
  res.setHeader('sl-violations', value)
}

function sendOutput(res: ServerResponse, output: PrismOutput): void {
  for (const [name, value] of Object.entries(output.headers ?? {})) res.setHeader(name, value)
  res.statusCode = output.statusCode
  const { body } = output
  if (body === undefined || body === null || output.statusCode === 204) {
    res.end()
    return
  }
  res.end(typeof body === 'string' ? body : JSON.stringify(body))
}

function sendUpstream(res: ServerResponse, upstream: RawHttpResponse): void {
  const raw = upstream.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (HOP_BY_HOP.has(name.toLowerCase())) continue
    const existing = res.getHeader(name)
    const value = raw[i + 1] as string
    res.setHeader(name, existing === undefined ? value : [...[existing].flat().map(String), value])
  }
  res.statusCode = upstream.status
  if (upstream.statusText) res.statusMessage = upstream.statusText
  res.end(upstream.body)
}

/** The client's headers minus hop-by-hop ones, plus X-Forwarded-* so a receiver can rebuild its public URL (A5). */
function forwardHeaders(context: ProxyContext, target: URL): [string, string][] {
  const headers: [string, string][] = []
  let forwardedHost: string | undefined
  const raw = context.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    if (lower === 'host') forwardedHost = raw[i + 1]
    if (HOP_BY_HOP.has(lower)) continue
    headers.push([name, raw[i + 1] as string])
  }
  if (forwardedHost !== undefined) headers.push(['X-Forwarded-Host', forwardedHost])
  headers.push(['X-Forwarded-Proto', 'http'])
  headers.push(['Host', target.host])
  headers.push(['Content-Length', String(context.body.byteLength)])
  return headers
}

/** The receiver's answer as Prism validates it: JSON parsed for JSON types. */
function toOutput(response: RawHttpResponse): PrismOutput {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  let body: unknown
  if (response.body.byteLength > 0) {
    const text = response.body.toString('utf8')
    body = text
    if (JSON_TYPE.test(headers['content-type'] ?? '')) {
      try {
        body = JSON.parse(text)
      } catch {
        // Leave it as text: Prism reports the mismatch, if the contract declares a body.
      }
    }
  }
  return { statusCode: response.status, headers, body }
}

function unprocessable(
  ProblemJsonError: new (
    name: string,
    message: string,
    status: number,
    detail: string,
    additional?: Record<string, unknown>,
  ) => Error & PrismProblem,
  validations: readonly PrismDiagnostic[],
): Error & PrismProblem {
  // The body `prism proxy --errors` answers with (prism-http mocker createUnprocessableEntityResponse).
  return new ProblemJsonError(
    'https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY',
    'Invalid request',
    422,
    'Your request is not valid and no HTTP validation response was found in the spec, so Prism is generating this error for you.',
    {
      validation: toViolations(validations, 'request').map((v) => ({
        ...v,
        location: v.location.slice(1),
      })),
    },
  )
}

function describeNetworkError(error: unknown): string {
  if (error instanceof RawHttpLimitError) {
    return error.code === 'ERESPONSETOOLARGE'
      ? `${error.message}, the proxy's limit ("maxResponseBytes", CLI "--max-response")`
      : `${error.message}, the proxy's limit ("timeout", CLI "--timeout")`
  }
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
}
