import { createDeliveryPolicy } from '../delivery/policy.js'
import type { CheckOutcome } from './check.js'
import type { VerifyContext } from './context.js'
import type { VerifyCheckId } from './types.js'

/**
 * What stops a run before the checks: the receiver cannot take a single valid delivery. Always an
 * error, whichever check reports it (even `rejects-stale-signature` alone, a warning otherwise).
 */
export interface ProbeFailure {
  /** The engine's failure kind: `network`, `tls`, `timeout` or `redirect`. */
  kind: 'network' | 'tls' | 'timeout' | 'redirect'
  /** The one result to report, attributed to the check it belongs to. */
  outcome: CheckOutcome
  /** Why every other check was not run, for their `details.skipped`. */
  reason: string
}

/** The check a probe failure is reported under, when it was selected. */
const ATTRIBUTION: Record<ProbeFailure['kind'], VerifyCheckId | undefined> = {
  network: undefined,
  tls: 'uses-https',
  timeout: 'responds-in-time',
  redirect: 'no-redirect',
}

/** The check that reports a probe failure: the natural one if selected, else the first selected. */
export function attributeProbeFailure(
  kind: ProbeFailure['kind'],
  selected: readonly VerifyCheckId[],
): VerifyCheckId | undefined {
  const natural = ATTRIBUTION[kind]
  if (natural !== undefined && selected.includes(natural)) return natural
  return selected.find((id) => id !== 'uses-https') ?? selected[0]
}

/**
 * One valid delivery, one attempt, before any check: a receiver that cannot be reached, hangs,
 * fails TLS or redirects would fail every check the same way, so it is reported once instead.
 * A 4xx or 5xx answer is not a probe failure: the checks say what is wrong.
 */
export async function probeReceiver(context: VerifyContext): Promise<ProbeFailure | undefined> {
  const { policy, sendUrl, timeoutMs, targetKind } = context.options
  const event = context.event('authentication.succeeded', 0)
  const name = `${event.type} (probe)`
  const outcome = await context.deliverEvent(event, 'probe', name, {
    policy: createDeliveryPolicy({ name: policy.name, maxAttempts: 1 }, policy),
  })
  const { evidence } = outcome
  const where = `POST ${sendUrl}`
  const failures = [evidence]
  switch (evidence.outcome) {
    case 'network':
      return {
        kind: 'network',
        reason: 'receiver unreachable',
        outcome: {
          ok: false,
          severity: 'error',
          message:
            targetKind === 'handler'
              ? `The handler failed on a valid delivery (${evidence.error ?? 'no answer'}), so no other check was run.`
              : `Failed to reach the receiver at ${where}: ${evidence.error ?? 'network error'}. Is it running, and is the URL right? No other check was run.`,
          failures,
        },
      }
    case 'tls':
      return {
        kind: 'tls',
        reason: 'TLS handshake failed',
        outcome: {
          ok: false,
          severity: 'error',
          message: `Failed to connect to ${where} over TLS: ${evidence.error ?? 'handshake failed'}. No other check was run.`,
          failures,
        },
      }
    case 'timeout':
      return {
        kind: 'timeout',
        reason: 'the receiver did not answer the probe',
        outcome: {
          ok: false,
          severity: 'error',
          message: `The receiver did not answer a valid delivery ("${event.type}", the probe) within ${timeoutMs} ms, so no other check was run: IDaaS marks such an attempt failed and does not retry it, as it retries only 5xx responses. Answer 2xx first and do slow work afterwards.`,
          failures,
        },
      }
    case 'redirect':
      return {
        kind: 'redirect',
        reason: 'the receiver redirects',
        outcome: {
          ok: false,
          severity: 'error',
          message: `The receiver answered ${evidence.status ?? '3xx'}${evidence.location ? ` with Location "${evidence.location}"` : ''}: IDaaS is assumed not to follow redirects (A7) and does not retry a 3xx, so every delivery would fail. Point verify, and the webhook, at the final URL. No other check was run.`,
          failures,
        },
      }
    default:
      return undefined
  }
}
