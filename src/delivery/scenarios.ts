import { KitError } from '../errors.js'
import type { DeliveryClock } from '../internal/clock.js'
import type { DeliverableEvent } from './engine.js'

/**
 * Anything that emits events: an `IdaasTenant`, or your own wrapper around `deliver`, e.g.
 * `{ emit: (event) => deliver(event, target) }`. `clock` is used for gaps between emits.
 */
export interface ScenarioTarget<R> {
  emit(event: DeliverableEvent): Promise<R>
  readonly clock?: DeliveryClock
}

/** Options of the scenario helpers. */
export interface ScenarioOptions {
  /**
   * Milliseconds of the target's clock between the two emits (virtual time costs nothing);
   * 0 sends the second as soon as the first has settled.
   * @default 0
   */
  gapMs?: number
}

async function gap(target: ScenarioTarget<unknown>, options: ScenarioOptions): Promise<void> {
  const gapMs = options.gapMs ?? 0
  if (typeof gapMs !== 'number' || !Number.isFinite(gapMs) || gapMs < 0) {
    throw new KitError(
      `Invalid option "gapMs": expected milliseconds (at least 0), got ${String(gapMs)}.`,
    )
  }
  if (gapMs === 0) return
  if (target.clock === undefined) {
    throw new KitError(
      'Invalid option "gapMs": the target has no clock to wait on. Pass a tenant, or a target with a "clock".',
    )
  }
  await target.clock.sleep(gapMs)
}

/**
 * Delivers the same event (same envelope `id`) twice, one after the other: what a receiver sees
 * when a retry reuses the envelope id (A6). A receiver should process it once and answer 2xx
 * both times.
 * @example const [first, second] = await emitTwice(tenant, createEvent('user.created'))
 */
export async function emitTwice<R>(
  target: ScenarioTarget<R>,
  event: DeliverableEvent,
  options: ScenarioOptions = {},
): Promise<[R, R]> {
  const first = await target.emit(event)
  await gap(target, options)
  const second = await target.emit(event)
  return [first, second]
}

/**
 * Delivers a pair out of order: `later` first, then `earlier`, as happens when the earlier
 * event's delivery is retried after the later one got through. Throws a `KitError` when the
 * `eventTime`s say the pair is already the other way round.
 * @example
 * const { earlier, later } = await emitOutOfOrder(tenant, created, deleted)
 */
export async function emitOutOfOrder<R>(
  target: ScenarioTarget<R>,
  earlier: DeliverableEvent,
  later: DeliverableEvent,
  options: ScenarioOptions = {},
): Promise<{ later: R; earlier: R }> {
  const earlierTime = eventTime(earlier)
  const laterTime = eventTime(later)
  if (earlierTime !== undefined && laterTime !== undefined && earlierTime > laterTime) {
    throw new KitError(
      `Failed to emit out of order: "earlier" happened at ${new Date(earlierTime).toISOString()}, after "later" at ${new Date(laterTime).toISOString()}. Swap the arguments?`,
    )
  }
  const laterResult = await target.emit(later)
  await gap(target, options)
  const earlierResult = await target.emit(earlier)
  return { later: laterResult, earlier: earlierResult }
}

/**
 * Delivers every event at once (N concurrent deliveries), resolving with their results in the
 * order given: what a receiver sees in a burst, e.g. a bulk user import.
 * @example
 * const results = await emitBurst(tenant, Array.from({ length: 50 }, (_, i) => createEvent('user.created', {}, { seed: i })))
 */
export function emitBurst<R>(
  target: ScenarioTarget<R>,
  events: readonly DeliverableEvent[],
): Promise<R[]> {
  if (!Array.isArray(events)) {
    return Promise.reject(
      new KitError('Failed to emit a burst: argument "events" must be an array of events.'),
    )
  }
  return Promise.all(events.map((event) => target.emit(event)))
}

function eventTime(event: DeliverableEvent): number | undefined {
  const value = (event as { eventTime?: unknown }).eventTime
  if (typeof value !== 'string') return undefined
  const time = Date.parse(value)
  return Number.isFinite(time) ? time : undefined
}
