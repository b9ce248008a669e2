// The mini-program calling convention shared by every async API of the emulation.

/** What every async API hands `fail` (and `complete`): `errno` since base library 2.24.0. */
export interface FailResult {
  errMsg: string
  errno?: number
}

/** success / fail / complete, as every async wx API takes them. */
export interface Callbacks<R extends object = { errMsg: string }, E extends object = FailResult> {
  success?(result: R): void
  fail?(error: E): void
  complete?(result: R | E): void
}

/** Runs `fn` later, or not at all: the runtime defers it while suspended and drops it once destroyed. */
export type Deliver = (fn: () => void) => void

type AnyCallbacks = Callbacks<object, object>

const hasCallbacks = (o: AnyCallbacks | undefined): o is AnyCallbacks =>
  !!o && (typeof o.success === 'function' || typeof o.fail === 'function' || typeof o.complete === 'function')

/** Callback-only variant for task-returning APIs (request, uploadFile, downloadFile): never a Promise. */
export function reportTo(deliver: Deliver, o: AnyCallbacks | undefined, ok: boolean, result: object): void {
  if (!o) return
  deliver(() => {
    try {
      if (ok) o.success?.(result)
      else o.fail?.(result)
    } finally {
      o.complete?.(result)
    }
  })
}

/**
 * Reports an outcome: always asynchronously, `success|fail` then `complete` with the same object
 * (PLATFORM.md item 2). Without callbacks, returns a Promise instead (base library >= 2.10.2,
 * `PromisifySuccessResult` in miniprogram-api-typings), rejected with the `{errMsg}` object.
 */
export function report<T extends object>(
  deliver: Deliver,
  options: AnyCallbacks | undefined,
  ok: boolean,
  result: object,
): Promise<T> | undefined {
  if (hasCallbacks(options)) {
    reportTo(deliver, options, ok, result)
    return undefined
  }
  return new Promise<T>((resolve, reject) => deliver(() => (ok ? resolve(result as T) : reject(result))))
}
