import { KitError } from '../errors.js'

// The few parts of @stoplight/prism-http 5.12.0 the kit uses, typed structurally: no @stoplight
// type reaches the kit's published declarations, and Prism stays an optional peer dependency that
// is loaded only when a mock or proxy starts.

/** Prism's diagnostic severities, in the order of its numeric `DiagnosticSeverity` enum. */
export const PRISM_SEVERITIES = ['Error', 'Warning', 'Information', 'Hint'] as const

/** One request or response violation, as Prism reports it (`sl-violations`, a 422's `validation`). */
export interface ContractViolation {
  /** Where: `['request' | 'response', 'body' | 'header', ...path]` or Prism's `['body', ...]`. */
  location: string[]
  severity: (typeof PRISM_SEVERITIES)[number]
  /** The Ajv keyword (`required`, `type`, `enum`…) or an HTTP status such as `415`. */
  code: string
  message: string
}

/** A Prism request input (`IHttpRequest`). @internal */
export interface PrismInput {
  method: string
  url: { path: string; query?: Record<string, string | string[]> }
  headers: Record<string, string>
  body?: unknown
}

/** A Prism response output (`IHttpResponse`). @internal */
export interface PrismOutput {
  statusCode: number
  headers?: Record<string, string>
  body?: unknown
}

/** A raw Prism validation (`IPrismDiagnostic`): numeric severity, `path` instead of `location`. @internal */
export interface PrismDiagnostic {
  path?: readonly (string | number)[]
  code?: string | number
  message: string
  severity: number
}

/** Prism's error for a refused request: RFC 7807 fields plus `additional`. @internal */
export interface PrismProblem {
  name: string
  message: string
  status?: number
  detail?: string
  additional?: Record<string, unknown>
}

/** The config of one Prism call (`IHttpConfig`). @internal */
export interface PrismConfig {
  mock: { dynamic: boolean; code?: number }
  validateRequest: boolean
  validateResponse: boolean
  checkSecurity: boolean
  errors: boolean
  isProxy: boolean
  upstream?: URL
  upstreamProxy?: undefined
}

/** An fp-ts `Either`, as Prism returns it. @internal */
export type PrismEither<L, R> = { _tag: 'Left'; left: L } | { _tag: 'Right'; right: R }

/** What `prism.request(...)()` resolves to. @internal */
export type PrismResult = PrismEither<
  PrismProblem,
  { output: PrismOutput; validations: { input: PrismDiagnostic[]; output: PrismDiagnostic[] } }
>

/** A Prism instance (`PrismHttpInstance`). @internal */
export interface PrismInstance {
  request(
    input: PrismInput,
    operations: readonly unknown[],
    config?: PrismConfig,
  ): () => Promise<PrismResult>
}

/** Prism's forwarder component: `forward(input, baseUrl, upstreamProxy, resource)(logger)()`. @internal */
export type PrismForward = (
  request: { data: PrismInput; validations: PrismDiagnostic[] },
  baseUrl: string,
  upstreamProxy: unknown,
  resource?: unknown,
) => (logger: unknown) => () => Promise<PrismEither<Error, PrismOutput>>

/** The parts of `@stoplight/prism-http` the kit calls. @internal */
export interface PrismHttp {
  getHttpOperationsFromSpec(document: string): Promise<unknown[]>
  createInstance(
    config: PrismConfig,
    components: { logger: unknown; forward?: PrismForward },
  ): PrismInstance
  ProblemJsonError: {
    new (
      name: string,
      message: string,
      status: number,
      detail: string,
      additional?: Record<string, unknown>,
    ): Error & PrismProblem
  }
}

/** The Prism package the kit was built and tested with (an optional peer dependency). */
export const PRISM_HTTP_PACKAGE = '@stoplight/prism-http'
/** The version of {@link PRISM_HTTP_PACKAGE} the kit pins (prism-cli 5.14.2 uses it). */
export const PRISM_HTTP_VERSION = '5.12.0'

// prism-http 5.12.0 asks for prism-core ^5.8.0, whose newer releases need Node 24: pin it too.
const PRISM_CORE_PACKAGE = '@stoplight/prism-core'
const PRISM_CORE_VERSION = '5.8.0'

let loading: Promise<PrismHttp> | undefined

/**
 * Loads `@stoplight/prism-http` once (about 1 s: it is large), or throws a `KitError` that says
 * how to install it.
 * @internal
 */
export function loadPrismHttp(): Promise<PrismHttp> {
  loading ??= importPrismHttp().catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

async function importPrismHttp(): Promise<PrismHttp> {
  let module: Record<string, unknown>
  try {
    module = (await import(PRISM_HTTP_PACKAGE)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new KitError(
        `Failed to load Prism: "${PRISM_HTTP_PACKAGE}" is not installed. It is an optional peer dependency of idaas-webhook-kit: run "npm install --save-dev ${PRISM_HTTP_PACKAGE}@${PRISM_HTTP_VERSION} ${PRISM_CORE_PACKAGE}@${PRISM_CORE_VERSION}".`,
        { cause: error },
      )
    }
    throw error
  }
  // A CommonJS package: Node exposes its exports as named exports and as `default`.
  const fallback = (module.default ?? {}) as Record<string, unknown>
  const pick = (name: string): unknown => module[name] ?? fallback[name]
  const prism = {
    getHttpOperationsFromSpec: pick('getHttpOperationsFromSpec'),
    createInstance: pick('createInstance'),
    ProblemJsonError: pick('ProblemJsonError'),
  }
  for (const [name, value] of Object.entries(prism)) {
    if (typeof value !== 'function') {
      throw new KitError(
        `Failed to load Prism: "${PRISM_HTTP_PACKAGE}" has no export "${name}". The kit needs version ${PRISM_HTTP_VERSION}.`,
      )
    }
  }
  return prism as unknown as PrismHttp
}

const noop = (): void => {}

/**
 * A silent logger with the pino methods Prism calls (`child`, `debug`, `info`, `success`, `warn`,
 * `error`): the kit reports violations from Prism's results, not from its log, and pino's
 * per-request logging is what makes a bare `prism mock` slow.
 * @internal
 */
export function createSilentPrismLogger(): Record<string, unknown> {
  const logger: Record<string, unknown> = {
    level: 'silent',
    trace: noop,
    debug: noop,
    info: noop,
    success: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    isLevelEnabled: () => false,
  }
  logger.child = () => logger
  return logger
}

/** Prism's raw diagnostics as {@link ContractViolation}s, `location` prefixed like `sl-violations`. @internal */
export function toViolations(
  diagnostics: readonly PrismDiagnostic[],
  prefix: 'request' | 'response',
): ContractViolation[] {
  return diagnostics.map((d) => ({
    location: [prefix, ...(d.path ?? []).map(String)],
    severity: PRISM_SEVERITIES[d.severity] ?? 'Error',
    code: String(d.code ?? ''),
    message: d.message,
  }))
}

/** The `validation` array of a Prism 422 as {@link ContractViolation}s. @internal */
export function problemViolations(problem: PrismProblem): ContractViolation[] {
  const validation = problem.additional?.validation
  if (!Array.isArray(validation)) return []
  return validation.map((entry: Record<string, unknown>) => ({
    location: Array.isArray(entry.location) ? entry.location.map(String) : [],
    severity: (PRISM_SEVERITIES as readonly string[]).includes(String(entry.severity))
      ? (entry.severity as ContractViolation['severity'])
      : 'Error',
    code: String(entry.code ?? ''),
    message: String(entry.message ?? ''),
  }))
}

/** Prism's RFC 7807 body for an error (`ProblemJsonError.toProblemJson`). @internal */
export function toProblemJson(problem: PrismProblem): Record<string, unknown> {
  return {
    type:
      problem.name && problem.name !== 'Error'
        ? problem.name
        : 'https://stoplight.io/prism/errors#UNKNOWN',
    title: problem.message,
    status: problem.status || 500,
    detail: problem.detail || '',
    ...problem.additional,
  }
}
