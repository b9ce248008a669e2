// The mini-program calling convention shared by every async API of the emulation.

/** success / fail / complete, as every async wx API takes them. */
export interface Callbacks<R = any, E = any> {
  success?: (result: R) => void
  fail?: (error: E) => void
  complete?: (result: R | E) => void
}

/** Runs `fn` later, or not at all: the runtime defers it while suspended and drops it once destroyed. */
export type Deliver = (fn: () => void) => void

const hasCallbacks = (o: Callbacks | undefined): boolean =>
  !!o && (typeof o.success === 'function' || typeof o.fail === 'function' || typeof o.complete === 'function')

/**
 * Reports an outcome: always asynchronously, `success|fail` then `complete` with the same object
 * (PLATFORM.md item 2). Without callbacks, returns a Promise instead (base library >= 2.10.2,
 * `PromisifySuccessResult` in miniprogram-api-typings), rejected with the `{errMsg}` object.
 */
export function report(deliver: Deliver, options: Callbacks | undefined, ok: boolean, result: object): Promise<any> | undefined {
  if (!hasCallbacks(options)) {
    return new Promise((resolve, reject) => deliver(() => (ok ? resolve(result) : reject(result))))
  }
  reportTo(deliver, options, ok, result)
  return undefined
}

/** Callback-only variant for task-returning APIs (request, uploadFile, downloadFile): never a Promise. */
export function reportTo(deliver: Deliver, o: Callbacks | undefined, ok: boolean, result: object): void {
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
