import { parseUrl } from './cookie/url.js'
import { SessionError } from './errors.js'
import { resolveCall, resolveOptions } from './options.js'
import type { AnswerBody, SessionOptions } from './options.js'
import { detectPlatform } from './platform/detect.js'
import type { PlatformTask } from './platform/types.js'
import { absolute, headerValue } from './session/carrier.js'
import { createSession } from './session/lifecycle.js'
import type { Api, Around } from './session/lifecycle.js'

/** What a request's `data` and its answer's `data` may be (as wx.request types it). */
export type RequestData = string | WechatMiniprogram.IAnyObject | ArrayBuffer

/** An `AbortSignal`, or anything shaped like one (Node's `AbortController().signal` in tests). */
export interface AbortSignalLike {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void): void
  removeEventListener?(type: 'abort', listener: () => void): void
}

/** Our per-call fields, on top of the platform's own options. */
export interface CallOptions {
  /** Wait for a login before sending. Defaults to the client's `needLogin`. */
  needLogin?: boolean
  /** Reject with a `HTTP` SessionError on status >= 400 instead of resolving. @default false */
  rejectOnHttpError?: boolean
  /** This call's hooks, run after the client's (`hooks` option) at each stage. */
  hooks?: Hooks
  /**
   * This call's retries, over the client's `retry` option: `{ methods: ['POST'] }` lets a POST
   * that is safe to repeat be retried, `false` turns retries off for it.
   */
  retry?: RetryOptions | number | false
  /**
   * Aborts the call as `abort()` does: aborted before it is sent, it is never sent; while it waits
   * for a warm-up, login or renew, it stops waiting (the others' wait goes on); in flight, the
   * task is aborted; during a retry's backoff, no retry. Rejects with ABORTED.
   */
  signal?: AbortSignalLike
}

/** Retries of transient failures (see the `retry` option). */
export interface RetryOptions {
  /** Retries after the first attempt, 0 to 10. @default 0 */
  limit?: number
  /**
   * Methods retried (uploadFile is a POST, downloadFile a GET).
   * @default ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']
   */
  methods?: readonly string[]
  /**
   * Statuses retried besides network errors and timeouts.
   * @default [] (none)
   * @example [408, 429, 500, 502, 503, 504]
   */
  statusCodes?: readonly number[]
  /** First backoff in ms; doubles with each retry, with jitter (half fixed, half random). @default 300 */
  delay?: number
  /**
   * The longest backoff in ms. A `Retry-After` (seconds or an HTTP date) is waited for as it
   * says; one longer than this is not waited for: the answer stands.
   * @default 10000
   */
  maxDelay?: number
  /** The jitter's random numbers in [0, 1) (tests pass a seeded one). @default Math.random */
  random?: () => number
}

/**
 * What a `beforeRequest` hook gets: this attempt's options, a fresh copy of the caller's (with
 * `header` and a plain-object `data`/`formData` copied too), `url` absolute. The session, its CSRF
 * token and cookies are attached after the hook, to the URL it leaves.
 */
export type HookOptions = (
  | Omit<WechatMiniprogram.RequestOption, 'success' | 'fail' | 'complete'>
  | Omit<WechatMiniprogram.UploadFileOption, 'success' | 'fail' | 'complete'>
  | Omit<WechatMiniprogram.DownloadFileOption, 'success' | 'fail' | 'complete'>
) & { url: string; header: Record<string, string> }

/** The platform's result a call resolves with, as an `afterResponse` hook gets it. */
export type HookResult =
  | (Omit<WechatMiniprogram.RequestSuccessCallbackResult, 'data'> & { data: AnswerBody })
  | WechatMiniprogram.UploadFileSuccessCallbackResult
  | WechatMiniprogram.DownloadFileSuccessCallbackResult

/** Which call a hook runs for: one object for every stage and attempt of a call. */
export interface HookContext {
  api: 'request' | 'uploadFile' | 'downloadFile'
  /** The call's method (upperCase). */
  method: string
  /** 0 for the first send; each retry, renew-retry or CSRF retry is one more. */
  attempt: number
  /** One of the SDK's own calls (warm-up, login, logout, keep-alive, CSRF token): see `hooks.sdkCalls`. */
  sdk: boolean
}

/**
 * Hooks into every attempt of a call. Order: the client's (`hooks` option), then the call's own,
 * at each stage. A hook that throws rejects the call with HOOK_FAILED, its error in `cause`.
 */
export interface Hooks {
  /**
   * Before each attempt is sent, after any wait for a warm-up, login or renew: change the options
   * in place or return new ones. May be async.
   */
  beforeRequest?: (
    options: HookOptions,
    context: HookContext,
  ) => void | HookOptions | Promise<void | HookOptions>
  /**
   * On the answer the call resolves with, after the session has judged it (`isExpired`, a CSRF
   * refusal, renew and retries all saw the server's own answer) and after `rejectOnHttpError`;
   * once per call. Return a value to resolve with instead. SDK calls: inspect only.
   */
  afterResponse?: (result: HookResult, context: HookContext) => unknown
  /** On the error the call rejects with, once per call. Rethrowing that error keeps it. */
  onError?: (error: SessionError, context: HookContext) => void | Promise<void>
}

export type RequestOptions<T extends RequestData = RequestData> = Omit<
  WechatMiniprogram.RequestOption<T>,
  'success' | 'fail' | 'complete'
> &
  CallOptions
export type UploadFileOptions = Omit<WechatMiniprogram.UploadFileOption, 'success' | 'fail' | 'complete'> &
  CallOptions
export type DownloadFileOptions = Omit<
  WechatMiniprogram.DownloadFileOption,
  'success' | 'fail' | 'complete'
> &
  CallOptions

/** The call's promise; the platform task stays reachable through it. */
export interface RequestPromise<R> extends Promise<R> {
  /** Aborts the call; before it is sent, it is never sent. Rejects with ABORTED. */
  abort(): void
  /** Listener kept until the task exists, then attached to it (and to a retry's task). */
  onHeadersReceived(
    listener: (result: WechatMiniprogram.RequestTaskOnHeadersReceivedListenerResult) => void,
  ): this
}

export interface TransferPromise<R> extends RequestPromise<R> {
  onProgressUpdate(
    listener: (result: WechatMiniprogram.UploadTaskOnProgressUpdateListenerResult) => void,
  ): this
}

/** The session as the client sees it now. */
export interface SessionState {
  /** The session id (session cookie value, or header/url id); undefined when there is none. */
  id: string | undefined
  loggedIn: boolean
  /** Increases each time the session changes (warm-up, login, renew, rotation, logout). */
  generation: number
}

type Listen = 'onHeadersReceived' | 'onProgressUpdate'

export interface Client {
  request<T extends RequestData = RequestData>(
    options: RequestOptions<T>,
  ): RequestPromise<WechatMiniprogram.RequestSuccessCallbackResult<T>>
  uploadFile(options: UploadFileOptions): TransferPromise<WechatMiniprogram.UploadFileSuccessCallbackResult>
  downloadFile(
    options: DownloadFileOptions,
  ): TransferPromise<WechatMiniprogram.DownloadFileSuccessCallbackResult>
  /**
   * wx.login, then the `login` endpoint; resolves with the server's body. One at a time. Already
   * logged in to the live session: resolves with the last login's body, no new wx.login
   * (`{ force: true }` logs in again).
   */
  login<T = unknown>(options?: { force?: boolean }): Promise<T>
  /**
   * Clears the session at once, in memory and in storage (nothing still in flight can bring it
   * back), then calls the `logout` endpoint, if set, with the old session.
   */
  logout(): Promise<void>
  getSession(): SessionState
  /** Stops the refresh timer and lifecycle listeners and flushes storage. */
  dispose(): void
}

/** Most renews one call may wait for (a CSRF retry counts as one): never a loop. */
const MAX_RENEWS = 2
/** Most retries of stale answers (the session changed while the call was out) per call. */
const MAX_STALE_RETRIES = 3

const isPlain = (v: unknown): v is object => Object.prototype.toString.call(v) === '[object Object]'
const messageOf = (e: unknown): string => String((Object(e) as { message?: unknown }).message || e)

/** Runs one stage's hooks in order, each on what the one before returned (undefined: unchanged). */
async function runHooks(
  sets: Hooks[],
  stage: keyof Hooks,
  value: unknown,
  context: HookContext,
  where: { method: string; url: string },
): Promise<unknown> {
  for (const hooks of sets) {
    const hook = hooks[stage] as ((value: unknown, context: HookContext) => unknown) | undefined
    if (!hook) continue
    try {
      const returned = await hook(value, context)
      if (returned !== undefined && stage !== 'onError') value = returned
      // What goes on to the session must still be options with a URL.
      if (stage === 'beforeRequest' && typeof Object(value).url !== 'string')
        throw new TypeError('beforeRequest must leave options with a `url` string (or return nothing)')
    } catch (cause) {
      // onError rethrowing the error it was given: that error stands.
      if (stage === 'onError' && cause === value) throw cause
      throw new SessionError('HOOK_FAILED', `${stage} hook threw: ${messageOf(cause)}`, { ...where, cause })
    }
  }
  return value
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date); undefined without one. */
function retryAfter(header: Record<string, unknown>, now: number): number | undefined {
  const value = headerValue(header, 'retry-after')
  if (!value) return undefined
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now
  return Number.isNaN(ms) ? undefined : Math.max(0, ms)
}

/** Makes an independent client (its own jar, storage key and timers). */
export function createClient(options?: SessionOptions): Client {
  const o = resolveOptions(options)
  const { baseURL, isExpired, log, clock } = o
  /**
   * One call: gate → hooks → attach/send/capture → expired? renew (within the budget) and retry;
   * transient failure? retry (within `retry`) → hooks → resolve. `sdk`: the keep-alive.
   */
  function start(api: Api, options: unknown, sdk = false): TransferPromise<never> {
    const {
      url: given,
      needLogin,
      rejectOnHttpError,
      hooks,
      retry,
      signal,
      ...rest
    } = Object(options) as Record<string, unknown>
    const url = absolute(baseURL, String(given))
    const method =
      api === 'request' ? String(rest.method || 'GET').toUpperCase() : api === 'uploadFile' ? 'POST' : 'GET'
    const fail = (
      code: 'ABORTED' | 'HTTP' | 'SESSION_EXPIRED' | 'INVALID_OPTION',
      message: string,
      more?: object,
    ): SessionError => new SessionError(code, message, { ...more, method, url })
    // What the parser cannot read surely (src/cookie/url.ts) is not sent: its host is not known.
    const refuseUnreadable = (target: string): void => {
      if (!parseUrl(target))
        throw fail(
          'INVALID_OPTION',
          `refused ${target}: not an absolute http(s) URL with a plain host (a relative URL needs baseURL, an IDN host is written in punycode, IPv4 as a.b.c.d)`,
        )
    }
    // Listeners and abort() wait for the platform task, and are re-attached to a retry's task.
    const listeners: Array<[Listen, unknown]> = []
    let task: PlatformTask | undefined
    let aborted: SessionError | undefined
    let backoff: unknown
    let listening: AbortSignalLike | undefined
    let reject: (error: unknown) => void = () => {}
    let stop: (error: SessionError) => void = () => {}
    const stopped = new Promise<never>((_, rej) => (stop = rej))
    stopped.catch(() => {})
    /** Waits for `promise` unless the call is aborted first (the promise goes on for others). */
    const unlessAborted = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, stopped])
    const on = (name: Listen, fn: unknown): void => {
      if (task && task[name]) (task[name] as (l: unknown) => void)(fn)
    }
    const abort = (): void => {
      if (aborted) return
      aborted = fail('ABORTED', 'aborted')
      if (task) task.abort()
      clock.clearTimeout(backoff as never)
      stop(aborted)
      reject(aborted)
    }
    // One object for every stage of this call: a hook may keep it as the call's key (WeakMap).
    const context: HookContext = { api, method, attempt: 0, sdk }
    let sets: Hooks[] = sdk && !o.sdkHooks ? [] : [o.hooks]

    // Every attempt starts from the caller's options: what a hook or the session added last time is gone.
    function fresh(): Record<string, unknown> {
      const copy: Record<string, unknown> = { ...rest, url, header: { ...(rest.header as object) } }
      if (isPlain(rest.data)) copy.data = { ...rest.data }
      if (isPlain(rest.formData)) copy.formData = { ...rest.formData }
      return copy
    }

    // The budget is renews, not retries: an expired answer stands (SESSION_EXPIRED) only when it
    // arrives after a renew that started after the call was first sent (or that it joined) has
    // finished. A stale answer (the session changed while the call was out) is retried with the
    // current session and costs no renew. Retries of transient failures have a budget of their own.
    async function journey(): Promise<unknown> {
      if (typeof given !== 'string') throw new SessionError('INVALID_OPTION', `${api} needs a \`url\` string`)
      const callback = ['success', 'fail', 'complete'].find((k) => typeof rest[k] === 'function')
      if (callback)
        throw fail('INVALID_OPTION', `\`${callback}\` callbacks are not called: use the returned promise`)
      refuseUnreadable(url)
      const own = resolveCall(o, { needLogin, rejectOnHttpError, hooks, retry, signal })
      if (!sdk) sets = [o.hooks, own.hooks]
      if (own.signal) {
        if (own.signal.aborted) abort()
        else (listening = own.signal).addEventListener('abort', abort)
      }
      // The client's default is asked again at each wait and renew: after a logout() it no longer
      // logs anyone in, even for calls sent before it.
      const needs = (): boolean => own.needLogin ?? session.needsLoginByDefault(url)
      const { limit, methods, statusCodes, delay, maxDelay, random } = own.retry
      let renews = 0
      let staleRetries = 0
      let retries = 0
      let firstSent: number | undefined
      let csrfRetried = false
      let sends = 0

      /** The backoff before retry number `retries` (or what Retry-After said), paused while hidden. */
      async function pause(after: number | undefined, why: string): Promise<void> {
        const cap = Math.min(maxDelay, delay * 2 ** retries++)
        const ms = after === undefined ? cap / 2 + (random() * cap) / 2 : after
        log(`${why}: retry ${retries}/${limit} of ${method} ${url} in ${Math.round(ms)} ms`)
        await unlessAborted(new Promise<void>((resume) => (backoff = clock.setTimeout(resume, ms))))
        // While the app is hidden the retry waits to be shown again (the user is not looking).
        for (let shown = session.shown(); shown; shown = session.shown()) await unlessAborted(shown)
      }

      for (;;) {
        if (aborted) throw aborted
        const wait = session.ready(url, own.needLogin)
        if (wait) await unlessAborted(wait)
        context.attempt = sends++
        // Without a beforeRequest hook the call goes out now, in this turn, as wx.request would.
        // (the session attaches to a copy of its own: without a hook nothing else needs one)
        const prepared = sets.some((hooks) => hooks.beforeRequest)
          ? Object(await runHooks(sets, 'beforeRequest', fresh(), context, { method, url }))
          : { ...rest, url }
        const target = absolute(baseURL, String(prepared.url))
        refuseUnreadable(target)
        // A hook that moved the call to another URL: that URL's gate (its backend, its login).
        const moved = target !== url && session.ready(target, own.needLogin)
        if (moved) await unlessAborted(moved)
        if (aborted) throw aborted
        const sending = api === 'request' ? String(prepared.method || 'GET').toUpperCase() : method
        const retryable = !sdk && retries < limit && methods.includes(sending)
        let sent
        try {
          sent = await session.send(api, target, sending, prepared, (t) => {
            task = t
            for (const [name, fn] of listeners) on(name, fn)
          })
        } catch (error) {
          const code = (error as SessionError).code
          if (retryable && !aborted && (code === 'NETWORK' || code === 'TIMEOUT')) {
            await pause(undefined, code)
            continue
          }
          throw error
        }
        const { res, stamp, stale, renewsBefore } = sent
        if (firstSent === undefined) firstSent = renewsBefore
        const { statusCode, data } = res
        // A CSRF refusal (the server rejected before its handler ran): the token is got again
        // once and the call retried once, within the same renew budget; a second one stands.
        if (!csrfRetried && renews < MAX_RENEWS && session.csrfRefused(sending, target, res)) {
          csrfRetried = true
          renews++ // one budget; whether a session renew already failed is asked of those alone
          log(`CSRF refused: retry ${method} ${url}`)
          if (await session.refreshCsrf()) continue
        }
        if (session.isBackend(target) && isExpired(res)) {
          const expired = (why: string): SessionError => {
            const error = fail('SESSION_EXPIRED', why, { statusCode, data })
            session.lost(error, stamp)
            return error
          }
          if (stale && !session.renewing()) {
            if (++staleRetries > MAX_STALE_RETRIES) throw expired('expired on every retry')
            log(`stale answer (generation ${stamp.generation}): retry ${method} ${url}`)
            continue
          }
          const sessionRenews = renews - (csrfRetried ? 1 : 0)
          if (!stale && (sessionRenews > 0 || session.renewedSince(firstSent)))
            throw expired('expired again after renewing')
          if (renews === MAX_RENEWS) throw expired(`expired after ${MAX_RENEWS} renews`)
          renews++
          if (await session.renew(stamp, needs())) continue
        }
        if (retryable && statusCodes.includes(statusCode)) {
          const after = retryAfter(res.header, clock.now())
          // A Retry-After longer than the cap is not waited for: the answer stands.
          if (after === undefined || after <= maxDelay) {
            await pause(after, `HTTP ${statusCode}`)
            continue
          }
        }
        if (own.rejectOnHttpError && statusCode >= 400)
          throw fail('HTTP', `HTTP ${statusCode}`, { statusCode, data })
        return runHooks(sets, 'afterResponse', res.raw, context, { method, url })
      }
    }

    const promise = new Promise<unknown>((resolve, rej) => {
      reject = rej
      const done = (): void => {
        if (listening && listening.removeEventListener) listening.removeEventListener('abort', abort)
      }
      journey().then(
        (value) => {
          done()
          resolve(value)
        },
        async (thrown: unknown) => {
          done()
          // Aborted: the caller already has that error (the task's own ABORTED is the same event).
          const error = aborted || thrown
          rej(
            await runHooks(sets, 'onError', error, context, { method, url }).then(
              () => error,
              (e) => e,
            ),
          )
        },
      )
    }) as unknown as TransferPromise<never>
    promise.abort = abort
    const listen =
      (name: Listen) =>
      (fn: unknown): TransferPromise<never> => (listeners.push([name, fn]), on(name, fn), promise)
    promise.onHeadersReceived = listen('onHeadersReceived')
    promise.onProgressUpdate = listen('onProgressUpdate')
    return promise
  }

  // The SDK's own calls (warm-up, login, logout, CSRF token) through the client's hooks, when asked.
  const around: Around | undefined = o.sdkHooks
    ? async (url, options, send) => {
        const method = String(options.method || 'GET')
        const context: HookContext = { api: 'request', method, attempt: 0, sdk: true }
        const sets = [o.hooks]
        try {
          const copy = { ...options, url, header: { ...(options.header as object) } }
          const prepared = Object(await runHooks(sets, 'beforeRequest', copy, context, { method, url }))
          const res = await send(absolute(baseURL, String(prepared.url)), prepared)
          await runHooks(sets, 'afterResponse', res.raw, context, { method, url })
          return res
        } catch (error) {
          throw await runHooks(sets, 'onError', error, context, { method, url }).then(
            () => error,
            (e: unknown) => e,
          )
        }
      }
    : undefined

  const session = createSession(
    o,
    detectPlatform(o.platform),
    (url) => start('request', { url, needLogin: false }, true),
    around,
  )

  return {
    request: (options) => start('request', options),
    uploadFile: (options) => start('uploadFile', options),
    downloadFile: (options) => start('downloadFile', options),
    login: (options) => session.login(options) as Promise<never>,
    logout: session.logout,
    getSession: session.state,
    dispose: session.dispose,
  }
}
