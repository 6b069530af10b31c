// Taken at load, so that fake timers (vi.useFakeTimers) cannot freeze the yield below.
const realSetImmediate = globalThis.setImmediate as typeof setImmediate | undefined
const realSetTimeout = globalThis.setTimeout

/** Chunks read without any turn of the event loop before reading yields to timers. */
const YIELD_EVERY_CHUNKS = 64

/** Resolves on the next turn of the event loop (a macrotask), after due timers have run. @internal */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (realSetImmediate !== undefined) realSetImmediate(resolve)
    else realSetTimeout(resolve, 0)
  })
}

/**
 * Returns a function to call after each chunk: it yields (resolves on the next turn) once
 * {@link YIELD_EVERY_CHUNKS} chunks came without the event loop turning. An in-process body
 * (a `ReadableStream` from `createInProcessFetch` or MSW) can hand out chunks on microtasks
 * alone, forever: without this the deadline timer would never get to run. A body read from a
 * socket waits for I/O, so the loop turns and this never yields. @internal
 */
export function createTurnTaker(): () => Promise<void> | undefined {
  let chunks = 0
  let turned = false
  const arm = () => {
    turned = false
    const mark = () => {
      turned = true
    }
    if (realSetImmediate !== undefined) realSetImmediate(mark)
    else realSetTimeout(mark, 0)
  }
  arm()
  return () => {
    if (turned) {
      chunks = 0
      arm()
      return undefined
    }
    chunks++
    if (chunks < YIELD_EVERY_CHUNKS) return undefined
    chunks = 0
    return nextTurn().then(arm)
  }
}

/** How much of a response body the kit keeps to show as evidence, in bytes. */
export const RESPONSE_BODY_LIMIT = 1024

/** `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/**
 * Reads a response body to its end, giving up when `signal` aborts (the attempt's deadline
 * covers the body too), and returns its first {@link RESPONSE_BODY_LIMIT} bytes as text. Only
 * that much is kept in memory, whatever the receiver sends, and timers get to run between
 * chunks, so the deadline ends an endless body even when it streams on microtasks alone.
 */
export async function drainResponseBody(response: Response, signal: AbortSignal): Promise<string> {
  const stream = response.body
  if (stream === null) return ''
  const reader = stream.getReader()
  const kept: Uint8Array[] = []
  let keptBytes = 0
  const takeTurn = createTurnTaker()
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal)
      if (done) break
      // Lets the deadline fire even when every chunk arrives on a microtask.
      const turn = takeTurn()
      if (turn !== undefined) await turn
      if (signal.aborted) throw signal.reason
      if (keptBytes < RESPONSE_BODY_LIMIT) {
        const slice = value.subarray(0, RESPONSE_BODY_LIMIT - keptBytes)
        kept.push(slice)
        keptBytes += slice.byteLength
      }
    }
  } catch (error) {
    reader.cancel().catch(() => {})
    throw error
  }
  return new TextDecoder().decode(Buffer.concat(kept))
}
