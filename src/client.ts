import { CookieJar } from './cookie/index.js'
import { SessionError, isSessionError, maskId } from './errors.js'
import { resolveOptions } from './options.js'
import type { SessionOptions } from './options.js'
import { detectPlatform } from './platform/detect.js'
import { isPlatformFailure } from './platform/types.js'
import type { PlatformCallOptions, PlatformResponse, PlatformTask } from './platform/types.js'
import { createCarrier } from './session/carrier.js'
import { createSession } from './session/lifecycle.js'
import type { Session } from './session/lifecycle.js'
import { createPersister } from './session/persist.js'

type Data = string | WechatMiniprogram.IAnyObject | ArrayBuffer
type Callbacks = 'success' | 'fail' | 'complete'

/** Our per-call fields, on top of the platform's own options. */
export interface CallOptions {
  /** Wait for a login before sending. Defaults to the client's `needLogin`. */
  needLogin?: boolean
  /** Reject with a `HTTP` SessionError on status >= 400 instead of resolving. @default false */
  rejectOnHttpError?: boolean
}

export type RequestOptions<T extends Data = Data> = Omit<WechatMiniprogram.RequestOption<T>, Callbacks> &
  CallOptions
export type UploadFileOptions = Omit<WechatMiniprogram.UploadFileOption, Callbacks> & CallOptions
export type DownloadFileOptions = Omit<WechatMiniprogram.DownloadFileOption, Callbacks> & CallOptions

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

export interface Client {
  request<T extends Data = Data>(
    options: RequestOptions<T>,
  ): RequestPromise<WechatMiniprogram.RequestSuccessCallbackResult<T>>
  uploadFile(options: UploadFileOptions): TransferPromise<WechatMiniprogram.UploadFileSuccessCallbackResult>
  downloadFile(
    options: DownloadFileOptions,
  ): TransferPromise<WechatMiniprogram.DownloadFileSuccessCallbackResult>
  /** wx.login, then the `login` endpoint; resolves with the server's body. One at a time. */
  login<T = unknown>(): Promise<T>
  /** Calls the `logout` endpoint if set, then clears the session locally, always. */
  logout(): Promise<void>
  getSession(): SessionState
  /** Stops the refresh timer and lifecycle listeners and flushes storage. */
  dispose(): void
}

type Api = 'request' | 'uploadFile' | 'downloadFile'
type Listen = 'onHeadersReceived' | 'onProgressUpdate'

const FAILURE_CODE = { timeout: 'TIMEOUT', abort: 'ABORTED', network: 'NETWORK' } as const

function toError(error: unknown, method: string, url: string): SessionError {
  if (isSessionError(error)) return error
  if (isPlatformFailure(error))
    return new SessionError(FAILURE_CODE[error.kind], error.message, { cause: error.raw, method, url })
  return new SessionError('NETWORK', String(error), { cause: error, method, url })
}

// Buffers listeners and abort() until the platform task exists, and re-attaches them to a retry's task.
class Handle {
  task: PlatformTask | undefined
  aborted = false
  private listeners: Array<[Listen, unknown]> = []
  bind(task: PlatformTask): void {
    this.task = task
    for (const [on, fn] of this.listeners) (task[on] as ((l: unknown) => void) | undefined)?.call(task, fn)
  }
  on(on: Listen, fn: unknown): void {
    this.listeners.push([on, fn])
    if (this.task) (this.task[on] as ((l: unknown) => void) | undefined)?.call(this.task, fn)
  }
}

/** Makes an independent client (its own jar, storage key and timers). */
export function createClient(options?: SessionOptions): Client {
  const o = resolveOptions(options)
  const platform = detectPlatform(o.platform)
  const jarOptions = { now: () => o.clock.now() }
  const key = o.namespace ? `${o.storageKey}:${o.namespace}` : o.storageKey
  // eslint-disable-next-line prefer-const -- report() reads `session` lazily
  let session: Session
  const report = (error: SessionError): void => (session ? session.report(error) : o.onError?.(error))
  const persister = createPersister(platform.storage, key, o.persistSessionCookies, report)
  const stored = persister.load(jarOptions)
  const carrier = createCarrier(o, o.jar ? stored.jar : undefined)
  if (o.mode !== 'cookie' && stored.session.id) carrier.id = stored.session.id
  // Logged in means: into a session we still hold (session cookies may not have been kept).
  const loggedIn = stored.session.loggedIn === true && carrier.sessionId() !== undefined

  const absolute = (url: string): string =>
    /^[a-z][a-z\d+.-]*:\/\//i.test(url) || !o.baseURL
      ? url
      : `${o.baseURL}${url.startsWith('/') ? '' : '/'}${url}`

  /** Attach → send → capture. `own` calls (warm-up, login, logout) always count as current. */
  async function send(
    api: Api,
    url: string,
    method: string,
    rest: Record<string, unknown>,
    handle: Handle | undefined,
    own: boolean,
  ): Promise<{ res: PlatformResponse; gen: number }> {
    const gen = session.generation
    const header: Record<string, string> = { ...(rest.header as Record<string, string> | undefined) }
    const target = carrier.attach(url, header)
    const call = platform[api]({ ...rest, url: target, header } as PlatformCallOptions)
    handle?.bind(call.task)
    let res: PlatformResponse
    try {
      res = await call.result
    } catch (error) {
      throw toError(error, method, url)
    }
    // Stale-answer guard: an answer about an older session must not overwrite the newer one.
    if (!own && gen !== session.generation) return { res, gen }
    session.captured(carrier.capture(url, res, own))
    // A current answer speaks for the session it just set (a 401 may carry a fresh cookie).
    return { res, gen: session.generation }
  }

  const exchange = (url: string, method: string, data?: unknown): Promise<PlatformResponse> =>
    send(
      'request',
      absolute(url),
      method,
      data === undefined ? { method } : { method, data },
      undefined,
      true,
    ).then((s) => s.res)

  /** One request's journey: gate → attach/send/capture → expired? renew once and retry → resolve. */
  async function journey(api: Api, options: Record<string, unknown>, handle: Handle): Promise<unknown> {
    const { url: given, needLogin, rejectOnHttpError, ...rest } = options
    if (typeof given !== 'string') throw new SessionError('INVALID_OPTION', '`url` must be a string')
    const url = absolute(given)
    const method =
      api === 'request' ? String(rest.method ?? 'GET').toUpperCase() : api === 'uploadFile' ? 'POST' : 'GET'
    const need = typeof needLogin === 'boolean' ? needLogin : o.needLogin
    for (let retried = false; ; retried = true) {
      const wait = session.ready(need)
      if (wait) await wait
      if (handle.aborted) throw new SessionError('ABORTED', 'aborted before sending', { method, url })
      const { res, gen } = await send(api, url, method, rest, handle, false)
      if (o.isExpired(res)) {
        if (retried) {
          const error = new SessionError('SESSION_EXPIRED', 'the session expired again after renewing', {
            method,
            url,
            statusCode: res.statusCode,
            data: res.data,
          })
          session.log(`expired again ${method} ${url}`)
          try {
            o.onSessionExpired?.(error)
          } catch {
            // The app's handler failing must not change what this request rejects with.
          }
          throw error
        }
        if (gen !== session.generation)
          session.log(`stale ${res.statusCode} for session ${gen}: retry ${method} ${url}`)
        if (await session.renew(gen, need)) continue
      }
      if (rejectOnHttpError === true && res.statusCode >= 400) {
        throw new SessionError('HTTP', `server answered ${res.statusCode}`, {
          method,
          url,
          statusCode: res.statusCode,
          data: res.data,
        })
      }
      return res.raw
    }
  }

  function start(api: Api, options: unknown): TransferPromise<never> {
    const handle = new Handle()
    let fail: (error: unknown) => void = () => {}
    const promise = new Promise<unknown>((resolve, reject) => {
      fail = reject
      if (typeof options !== 'object' || options === null)
        throw new SessionError('INVALID_OPTION', `${api} needs an options object`)
      journey(api, options as Record<string, unknown>, handle).then(resolve, reject)
    }) as unknown as TransferPromise<never>
    promise.abort = () => {
      if (handle.aborted) return
      handle.aborted = true
      handle.task?.abort()
      const url = (options as { url?: unknown } | null)?.url
      fail(new SessionError('ABORTED', 'aborted', { url: typeof url === 'string' ? absolute(url) : '' }))
    }
    promise.onHeadersReceived = (fn) => (handle.on('onHeadersReceived', fn), promise)
    promise.onProgressUpdate = (fn) => (handle.on('onProgressUpdate', fn), promise)
    return promise
  }

  session = createSession({
    o,
    platform,
    carrier,
    persister,
    loggedIn,
    exchange,
    keepAlive: (url) => start('request', { url }),
    rebuildJar: (cookies) => CookieJar.fromJSON({ v: 1, cookies }, jarOptions),
  })
  session.log(`ready: ${o.mode} mode, ${platform.name}, stored id=${maskId(carrier.sessionId())}`)

  return {
    request: (options) => start('request', options),
    uploadFile: (options) => start('uploadFile', options),
    downloadFile: (options) => start('downloadFile', options),
    login: () => session.login() as Promise<never>,
    logout: () => session.logout(),
    getSession: () => ({
      id: carrier.sessionId(),
      loggedIn: session.loggedIn,
      generation: session.generation,
    }),
    dispose: () => session.dispose(),
  }
}
