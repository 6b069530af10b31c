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
 * that much is kept in memory, whatever the receiver sends.
 */
export async function drainResponseBody(response: Response, signal: AbortSignal): Promise<string> {
  const stream = response.body
  if (stream === null) return ''
  const reader = stream.getReader()
  const kept: Uint8Array[] = []
  let keptBytes = 0
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal)
      if (done) break
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
