import type { SessionError } from '../errors.js'
import type { SessionClock } from '../options.js'

/** The longest a failing warm-up or login is left alone before it may be tried again. */
const MAX_BACKOFF_MS = 60_000

/**
 * One operation that everyone shares (warm-up, login): while it runs, every caller gets the same
 * promise; after it failed, callers get the same error at once until the backoff window has
 * passed, so that a broken backend is not hammered by every tap. The window starts at
 * `firstBackoff` and doubles with each failure in a row; a success resets it.
 */
export interface Flight<T> {
  /** `tryNow`: the user asked (a login tap): run even inside the backoff window. */
  run(tryNow?: boolean): Promise<T>
  /** The promise in flight, if any (for callers that only want to wait for it). */
  current(): Promise<T> | undefined
}

export function createFlight<T>(
  clock: SessionClock,
  firstBackoff: number,
  operation: () => Promise<T>,
  onFailure: (error: SessionError, backoff: number) => void,
): Flight<T> {
  let running: Promise<T> | undefined
  let lastError: SessionError | undefined
  let failedAt = 0
  let backoff = 0

  function run(tryNow = false): Promise<T> {
    if (running) return running
    if (lastError && !tryNow && clock.now() < failedAt + backoff) return Promise.reject(lastError)
    running = operation().then(
      (value) => {
        lastError = undefined
        backoff = 0
        return value
      },
      (error: SessionError) => {
        backoff = lastError ? Math.min(backoff * 2, MAX_BACKOFF_MS) : firstBackoff
        lastError = error
        failedAt = clock.now()
        onFailure(error, backoff)
        throw error
      },
    )
    const settled = (): void => {
      running = undefined
    }
    running.then(settled, settled)
    return running
  }

  return { run, current: () => running }
}

/**
 * Rejects with `error()` when `promise` has not settled within `ms` on the client's clock;
 * `onTimeout` may cancel the work (abort the request task).
 */
export function withTimeout<T>(
  clock: SessionClock,
  ms: number,
  promise: Promise<T>,
  error: () => SessionError,
  onTimeout?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      if (onTimeout) onTimeout()
      reject(error())
    }, ms)
    promise.then(
      (value) => {
        clock.clearTimeout(timer as never)
        resolve(value)
      },
      (cause: unknown) => {
        clock.clearTimeout(timer as never)
        reject(cause)
      },
    )
  })
}
