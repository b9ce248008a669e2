import { SessionError } from './errors.js'
import { resolveOptions } from './options.js'
import type { SessionOptions } from './options.js'
import { detectPlatform } from './platform/detect.js'
import type { PlatformTask } from './platform/types.js'
import { absolute } from './session/carrier.js'
import { createSession } from './session/lifecycle.js'
import type { Api } from './session/lifecycle.js'

/** What a request's `data` and its answer's `data` may be (as wx.request types it). */
export type RequestData = string | WechatMiniprogram.IAnyObject | ArrayBuffer

/** Our per-call fields, on top of the platform's own options. */
export interface CallOptions {
  /** Wait for a login before sending. Defaults to the client's `needLogin`. */
  needLogin?: boolean
  /** Reject with a `HTTP` SessionError on status >= 400 instead of resolving. @default false */
  rejectOnHttpError?: boolean
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

/** Makes an independent client (its own jar, storage key and timers). */
export function createClient(options?: SessionOptions): Client {
  const o = resolveOptions(options)
  const { baseURL, isExpired, log } = o
  /** One call: gate → attach/send/capture → expired? renew (within the budget) and retry → resolve. */
  function start(api: Api, options: unknown): TransferPromise<never> {
    const { url: given, needLogin, rejectOnHttpError, ...rest } = Object(options) as Record<string, unknown>
    const url = absolute(baseURL, String(given))
    const method =
      api === 'request' ? String(rest.method || 'GET').toUpperCase() : api === 'uploadFile' ? 'POST' : 'GET'
    const need = typeof needLogin === 'boolean' ? needLogin : session.needsLoginByDefault(url)
    const fail = (
      code: 'ABORTED' | 'HTTP' | 'SESSION_EXPIRED' | 'INVALID_OPTION',
      message: string,
      more?: object,
    ): SessionError => new SessionError(code, message, { ...more, method, url })
    // Listeners and abort() wait for the platform task, and are re-attached to a retry's task.
    const listeners: Array<[Listen, unknown]> = []
    let task: PlatformTask | undefined
    let aborted: SessionError | undefined
    let reject: (error: unknown) => void = () => {}
    const on = (name: Listen, fn: unknown): void => {
      if (task && task[name]) (task[name] as (l: unknown) => void)(fn)
    }

    // The budget is renews, not retries: an expired answer stands (SESSION_EXPIRED) only when it
    // arrives after a renew that started after the call was first sent (or that it joined) has
    // finished. A stale answer (the session changed while the call was out) is retried with the
    // current session and costs no renew.
    async function journey(): Promise<unknown> {
      if (typeof given !== 'string') throw new SessionError('INVALID_OPTION', `${api} needs a \`url\` string`)
      const callback = ['success', 'fail', 'complete'].find((k) => typeof rest[k] === 'function')
      if (callback)
        throw fail('INVALID_OPTION', `\`${callback}\` callbacks are not called: use the returned promise`)
      let renews = 0
      let staleRetries = 0
      let firstSent: number | undefined
      let csrfRetried = false
      for (;;) {
        const wait = session.ready(url, need)
        if (wait) await wait
        if (aborted) throw aborted
        const { res, stamp, stale, renewsBefore } = await session.send(api, url, method, rest, (t) => {
          task = t
          for (const [name, fn] of listeners) on(name, fn)
        })
        if (firstSent === undefined) firstSent = renewsBefore
        const { statusCode, data } = res
        // A CSRF refusal (the server rejected before its handler ran): the token is got again
        // once and the call retried once, within the same renew budget; a second one stands.
        if (!csrfRetried && renews < MAX_RENEWS && session.csrfRefused(method, url, res)) {
          csrfRetried = true
          renews++ // one budget; whether a session renew already failed is asked of those alone
          log(`CSRF refused: retry ${method} ${url}`)
          if (await session.refreshCsrf()) continue
        }
        if (session.isBackend(url) && isExpired(res)) {
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
          if (await session.renew(stamp, need)) continue
        }
        if (rejectOnHttpError === true && statusCode >= 400)
          throw fail('HTTP', `HTTP ${statusCode}`, { statusCode, data })
        return res.raw
      }
    }

    const promise = new Promise<unknown>((resolve, rej) => {
      reject = rej
      journey().then(resolve, rej)
    }) as unknown as TransferPromise<never>
    promise.abort = () => {
      if (aborted) return
      aborted = fail('ABORTED', 'aborted')
      if (task) task.abort()
      reject(aborted)
    }
    const listen =
      (name: Listen) =>
      (fn: unknown): TransferPromise<never> => (listeners.push([name, fn]), on(name, fn), promise)
    promise.onHeadersReceived = listen('onHeadersReceived')
    promise.onProgressUpdate = listen('onProgressUpdate')
    return promise
  }

  const session = createSession(o, detectPlatform(o.platform), (url) =>
    start('request', { url, needLogin: false }),
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
