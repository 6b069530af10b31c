import type { FetchLike, FetchReceiver } from '../delivery/in-process.js'
import type { CaCertificates } from '../delivery/pem.js'
import type { ClockOption } from '../internal/clock.js'
import type { KeyEncoding } from '../signing/profile.js'
import type { SignatureScheme } from '../signing/x-sha2.js'

/** How much a failed check matters: an `error` fails `verify` (exit 1), a `warning` does not. */
export type VerifySeverity = 'error' | 'warning'

/** The id of every contract check, in the order `verifyReceiver` runs them. */
export const VERIFY_CHECK_IDS = [
  'uses-https',
  'accepts-every-event-type',
  'verifies-raw-body',
  'tolerates-unknown-event-type',
  'tolerates-unknown-fields',
  'accepts-redelivery',
  'responds-in-time',
  'rejects-missing-signature',
  'rejects-wrong-token',
  'rejects-tampered-body',
  'rejects-stale-signature',
  'handles-burst',
  'no-redirect',
] as const

/** A contract check id, stable across releases: users `--skip` checks by id. */
export type VerifyCheckId = (typeof VERIFY_CHECK_IDS)[number]

/** What one check is, for help texts and the README. */
export interface VerifyCheckInfo {
  id: VerifyCheckId
  /** The severity of a failure. `uses-https` fails as an `error` when TLS 1.2/1.3 cannot be negotiated. */
  severity: VerifySeverity
  /** What the check sends and what it expects, in one sentence. */
  description: string
}

/** Every check with its severity and what it sends, in run order. */
export const VERIFY_CHECKS: readonly VerifyCheckInfo[] = [
  {
    id: 'uses-https',
    severity: 'warning',
    description:
      'The callback URL uses https and negotiates TLS 1.2 or 1.3 (an error if it cannot); a warning for http:// or when TLS 1.0/1.1 is also accepted.',
  },
  {
    id: 'accepts-every-event-type',
    severity: 'error',
    description:
      'A valid, signed delivery of each of the 25 event types, under the IDaaS policy, gets a 2xx; a success after a retry passes with a warning.',
  },
  {
    id: 'verifies-raw-body',
    severity: 'error',
    description:
      'The 9 byte-tricky valid bodies (escaped unicode, whitespace, key order, 2.0, trailing newline), each signed over its exact bytes, all get a 2xx.',
  },
  {
    id: 'tolerates-unknown-event-type',
    severity: 'error',
    description:
      'Valid envelopes with event types IDaaS may add later ("user.suspended", "session.terminated") get a 2xx (A15).',
  },
  {
    id: 'tolerates-unknown-fields',
    severity: 'error',
    description:
      'Valid events with extra fields at the top level, in data and in data.entityAttributes get a 2xx (A15).',
  },
  {
    id: 'accepts-redelivery',
    severity: 'error',
    description: 'The same delivery (same envelope id) twice gets a 2xx both times.',
  },
  {
    id: 'responds-in-time',
    severity: 'error',
    description:
      'Every attempt of the sequential valid deliveries is answered within the deadline (3000 ms); a warning above 1000 ms; reports p50/p95/max.',
  },
  {
    id: 'rejects-missing-signature',
    severity: 'error',
    description:
      'Deliveries without Signature/Signature-Input, without Content-Digest, or with none of the three, do not get a 2xx.',
  },
  {
    id: 'rejects-wrong-token',
    severity: 'error',
    description:
      'Deliveries signed with another token, another label, another alg, for another @target-uri, or with a malformed Signature-Input, do not get a 2xx.',
  },
  {
    id: 'rejects-tampered-body',
    severity: 'error',
    description:
      'Deliveries whose body changed after signing (old or recomputed Content-Digest), whose digest is not signed or cannot be checked, do not get a 2xx.',
  },
  {
    id: 'rejects-stale-signature',
    severity: 'warning',
    description:
      'A correctly signed delivery whose created is one hour old does not get a 2xx (A4).',
  },
  {
    id: 'handles-burst',
    severity: 'error',
    description:
      '50 concurrent deliveries (configurable) all get a 2xx under the IDaaS policy, with p95 within the deadline.',
  },
  {
    id: 'no-redirect',
    severity: 'error',
    description:
      'No delivery gets a 3xx: IDaaS retries only 5xx and is assumed not to follow redirects (A7), so a redirect is a failed delivery.',
  },
]

/** Whether a check ran and passed, ran and failed, or did not run (`details.skipped` says why). */
export type VerifyCheckStatus = 'passed' | 'failed' | 'skipped'

/** The result of one check. `ok` is true only when it ran and passed: a skipped check is not ok. */
export interface VerifyCheckResult {
  id: VerifyCheckId
  status: VerifyCheckStatus
  /** `status === 'passed'`. */
  ok: boolean
  /** For a failure: how much it matters. For a pass or a skipped check: the check's severity. */
  severity: VerifySeverity
  /** One sentence; never contains the token or a signature. */
  message: string
  /** Evidence: see {@link VerifyCheckDetails}. */
  details: VerifyCheckDetails
}

/** One request a check sent and how the receiver answered: the evidence in a report. */
export interface VerifyEvidence {
  /** What was sent: an event type, a negative vector id, a tricky body id. */
  case: string
  /** What the case is, in words, when the id is not enough. */
  description?: string
  /** `success`, a failure kind of the delivery engine, or `not-sent` (the receiver had stopped answering). */
  outcome: string
  /** The last response status, if any. */
  status?: number
  /** Milliseconds of the last attempt. */
  durationMs?: number
  /** Attempts made under the delivery policy (1 for requests sent once). */
  attempts?: number
  /** The first 200 characters of the response body, with the token and signatures redacted. */
  body?: string
  /** For a 3xx: the `Location` header. */
  location?: string
  /** For a network, TLS or timeout failure: what happened. */
  error?: string
}

/** Response-time statistics in milliseconds (nearest-rank percentiles). */
export interface VerifyTimings {
  count: number
  p50: number
  p95: number
  max: number
}

/** The details of a check result. Every field but `durationMs` is optional; checks add their own. */
export interface VerifyCheckDetails {
  /** How long the check took, in milliseconds. */
  durationMs: number
  /** Why the check was not run (excluded by `only`/`skip`, receiver unreachable…); `status` is then `skipped`. */
  skipped?: string
  /**
   * What the failures point to and how to fix it, e.g. a receiver that checks only the older
   * `x-sha2-signature` header (A17).
   */
  diagnosis?: string
  /** Things that passed but deserve attention, e.g. a success after a retry or an answer above 1000 ms. */
  warnings?: string[]
  /** One entry per request that made the check fail. */
  failures?: VerifyEvidence[]
  [key: string]: unknown
}

/** The report of {@link verifyReceiver}: also the exact JSON the `json` reporter writes. */
export interface VerifyReport {
  /** True when no check of severity `error` failed. */
  ok: boolean
  /** The signature schemes valid deliveries carried and forgeries were forged in (A17). */
  schemes: readonly SignatureScheme[]
  /** The URL deliveries were sent to (for an in-process handler: the URL it was given). */
  target: string
  /** Wall time of the whole run, in milliseconds. */
  durationMs: number
  checks: VerifyCheckResult[]
}

/** What a receiver under test is: a URL, or a Fetch-API handler verified in-process with no port. */
export type VerifyTarget =
  | { url: string | URL }
  | {
      handler: FetchReceiver
      /** The URL the handler sees on each request. @default 'https://receiver.idaas-webhook-kit.test/webhooks/idaas' */
      url?: string | URL
    }

/** Progress of a run, for live output. */
export type VerifyProgressEvent =
  | {
      type: 'start'
      target: string
      /** The checks that will run, in order. */
      checks: readonly VerifyCheckId[]
      /** The per-attempt deadline in milliseconds. */
      timeoutMs: number
      /** Concurrent deliveries of `handles-burst`. */
      burst: number
      /** `url`, or `handler` for an in-process handler. */
      targetKind: 'url' | 'handler'
    }
  | { type: 'check-start'; id: VerifyCheckId }
  | { type: 'check-end'; result: VerifyCheckResult }

/** Options of {@link verifyReceiver}. */
export interface VerifyReceiverOptions {
  /** The webhook token the receiver verifies with (A1). Never printed, logged or reported. */
  token: string
  /** How the token becomes the HMAC key, as the receiver expects it (A1). @default 'utf8' */
  keyEncoding?: KeyEncoding
  /**
   * The signatures the tenant sends (A17): valid deliveries carry these, forgeries are forged in
   * them, and checks the schemes cannot support are skipped (`x-sha2` alone: no URL, method or
   * `created` binding). @default ['rfc9421']
   */
  schemes?: readonly SignatureScheme[]
  /**
   * The callback URL as registered in IDaaS, when the receiver is reached at another URL (behind
   * a proxy or a tunnel): it is the signed `@target-uri` (A5). @default the target URL
   */
  publicUrl?: string | URL
  /** Run only these checks. @default every check */
  only?: readonly VerifyCheckId[]
  /** Do not run these checks. @default none */
  skip?: readonly VerifyCheckId[]
  /** Concurrent deliveries of `handles-burst`, 1 to 1000. @default 50 */
  burst?: number
  /** Per-attempt deadline in milliseconds (IDaaS: a 2xx "within 3 seconds"). @default 3000 */
  timeoutMs?: number
  /** `responds-in-time` warns about answers slower than this many milliseconds. @default 1000 */
  slowMs?: number
  /** Extra trusted CA certificates (PEM) for an https receiver with a self-signed certificate. */
  ca?: CaCertificates
  /** Seed of the events sent: the same seed sends the same events. @default 1 */
  seed?: number
  /**
   * Where the delivery engine takes time from: retries wait on it. @default a new virtual clock per
   * delivery, so retries cost no wall time while each attempt's deadline runs for real
   */
  clock?: ClockOption
  /** Sends requests for a `url` target instead of the kit's node:http client (e.g. a stub in tests). */
  fetch?: FetchLike
  /** Called as the run progresses, e.g. to print a line per check as it ends. */
  onProgress?: (event: VerifyProgressEvent) => void
}
