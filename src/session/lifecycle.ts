import { CookieJar } from '../cookie/index.js'
import { SessionError, maskId } from '../errors.js'
import type { Resolved } from '../options.js'
import type {
  Platform,
  PlatformCallOptions,
  PlatformFailure,
  PlatformResponse,
  PlatformTask,
} from '../platform/types.js'
import { absolute, headerValue, mergeCookie, takeSessionCookie, withSessionInUrl } from './carrier.js'
import { createSaver, load } from './persist.js'

export type Api = 'request' | 'uploadFile' | 'downloadFile'

export interface Session {
  /**
   * Attach → send → capture. Resolves with the answer and the session generation it speaks for:
   * the current one, or for a non-`own` call the older one it was sent with (a stale answer,
   * which captures nothing). `own` calls are the session's (warm-up, login, logout).
   */
  send(
    api: Api,
    url: string,
    method: string,
    options: Record<string, unknown>,
    bind?: (task: PlatformTask) => void,
    own?: boolean,
  ): Promise<[PlatformResponse, number]>
  /** What a request waits for before it is sent; undefined (no await) when nothing. */
  ready(needLogin: boolean): Promise<unknown> | undefined
  /**
   * Called by a request whose answer said "expired": joins the renew in flight, or starts one if
   * the request was sent with the current session. Resolves false when there is nothing to renew
   * with (no warm-up, no login to redo), so the caller keeps the answer as it is.
   */
  renew(sentWith: number, needLogin: boolean): Promise<boolean>
  login(): Promise<unknown>
  logout(): Promise<void>
  state(): { id: string | undefined; loggedIn: boolean; generation: number }
  dispose(): void
}

// A login endpoint relays code2Session errors either as an HTTP error or as 200 with a non-zero
// errcode (PLATFORM.md 4); either way the server's own message is what the app needs to see.
function loginError({ statusCode, data }: PlatformResponse): string | false {
  const { errcode, errmsg, message, msg } = Object(data) as Record<string, unknown>
  return (
    (statusCode > 399 || (typeof errcode === 'number' && errcode !== 0)) &&
    `${errmsg || message || msg || `HTTP ${statusCode}`}${errcode === undefined ? '' : ` (errcode ${errcode})`}`
  )
}

/**
 * When and how the session exists: the id and the jar (carrier), storage, and warm-up, login,
 * renew-on-expiry and the refresh timer, each single-flight through one stored promise.
 * `keepAlive` is a full request (gate, renew on expiry) for the refresh timer.
 */
export function createSession(
  o: Resolved,
  platform: Platform,
  keepAlive: (url: string) => Promise<unknown>,
): Session {
  const {
    mode,
    names,
    clock,
    warmup: warmupUrl,
    login: loginConfig,
    refreshInterval: interval,
    refresh,
    log,
    key,
    headerName,
    sessionFromBody,
    onError,
  } = o
  const { storage } = platform
  const jarOptions = { now: () => clock.now() }
  const report = (error: SessionError): void => {
    log(`error ${error.message}`)
    try {
      if (onError) onError(error)
    } catch {
      // A throwing onError must not break the request that reported through it.
    }
  }
  const stored = load(storage, key, report)
  // With `jar: false` the jar stays empty: nothing is read into it or captured.
  let jar = CookieJar.fromJSON({ v: 1, cookies: o.jar ? stored.cookies : [] }, jarOptions)
  const isSession = (c: { name: string }): boolean => names.has(c.name.toLowerCase())
  const fromJar = (): string => (jar.all().find(isSession) || { value: '' }).value
  // Cookie mode: the id as of the last jar change, so an answer that only moves an expiry (a
  // rolling session sends one on every response) costs no jar scan. Header/url mode: the id.
  let id = mode === 'cookie' ? fromJar() : String(stored.id || '')
  const sessionId = (): string | undefined => (mode === 'cookie' ? fromJar() : id) || undefined
  // Logged in means: into a session we still hold (session cookies may not have been kept).
  let loggedIn = stored.loggedIn === true && !!sessionId()
  let warm = !!sessionId()
  let generation = 0
  let warming: Promise<void> | undefined
  let loggingIn: Promise<unknown> | undefined
  let renewing: Promise<boolean> | undefined
  let failed: SessionError | undefined
  let failedAt = 0
  let backoff = 0
  let lastActivity = clock.now()
  let timer: unknown
  let hidden = false
  let disposed = false

  const persist = createSaver(storage, key, o.persistSessionCookies, report, () => ({
    cookies: jar.toJSON().cookies,
    loggedIn,
    ...(mode !== 'cookie' && id ? { id } : {}),
  }))
  const save = (): void => {
    persist(true)
    log(`persist ${key} id=${maskId(sessionId())}`)
  }
  const bump = (why: string): void => log(`${why}: session ${++generation} id=${maskId(sessionId())}`)

  // Session ids go to our backend only: a third-party URL never sees them.
  const origin = (/^[^:]+:\/\/[^/?#]*/.exec(o.baseURL) || [''])[0].toLowerCase()
  const ours = (url: string): boolean =>
    !origin || (url.toLowerCase().startsWith(origin) && /^([/?#;]|$)/.test(url.slice(origin.length)))

  const send: Session['send'] = async (api, url, method, options, bind, own) => {
    const sentWith = generation
    const header: Record<string, string> = { ...(options.header as Record<string, string> | undefined) }
    const fromJarHeader = jar.getCookieHeader(url)
    if (fromJarHeader) mergeCookie(header, fromJarHeader)
    let target = url
    if (mode !== 'cookie' && id && ours(url)) {
      if (mode === 'url') target = withSessionInUrl(url, o.urlStyle, o.urlName, id)
      else header[headerName] = id
    }
    const call = platform[api]({ ...options, url: target, header } as PlatformCallOptions)
    if (bind) bind(call.task)
    let res: PlatformResponse
    try {
      res = await call.result
    } catch (e) {
      const f = e as PlatformFailure
      throw new SessionError(f.code || 'NETWORK', f.message, { cause: f.raw, method, url })
    }
    // Stale-answer guard: an answer about an older session must not overwrite the newer one.
    if (!own && sentWith !== generation) return [res, sentWith]
    lastActivity = clock.now()
    let lines = res.setCookies
    let change = 0
    let next: string | undefined // '' when deleted
    if (mode !== 'cookie') {
      ;[next, lines] = takeSessionCookie(lines, names, clock.now())
      next = headerValue(res.header, headerName) || next
      const fromBody = own && sessionFromBody && sessionFromBody(res.data)
      if (typeof fromBody === 'string' && fromBody) next = fromBody
    }
    if (o.jar && lines.length) change = jar.setCookies(lines, url)
    if (mode === 'cookie' && change === 2) next = fromJar()
    if (next !== undefined && next !== id) {
      id = next
      bump('capture')
      change = 2
    }
    if (change === 2) save()
    else if (change) persist(false)
    // A current answer speaks for the session it just set (a 401 may carry a fresh cookie).
    return [res, generation]
  }

  const exchange = (url: string, method: string, data?: unknown): Promise<PlatformResponse> =>
    send(
      'request',
      absolute(o.baseURL, url),
      method,
      data === undefined ? { method } : { method, data },
      undefined,
      true,
    ).then((r) => r[0])

  function warmup(): Promise<void> {
    const url = warmupUrl as string
    // Fail fast inside the backoff window: a broken backend must not be hammered by every tap.
    if (warming) return warming
    if (failed && clock.now() < failedAt + backoff) return Promise.reject(failed)
    log(`warm-up GET ${url}`)
    const fail = (message: string, more: object): never => {
      throw new SessionError('WARMUP_FAILED', message, { method: 'GET', url, ...more })
    }
    return (warming = exchange(url, 'GET')
      .then(
        ({ statusCode, data }) => {
          if (statusCode >= 400) fail(`HTTP ${statusCode}`, { statusCode, data })
          warm = true
          failed = undefined
          bump('warm-up')
        },
        (cause: SessionError) => fail(cause.code, { cause }),
      )
      .catch((error: SessionError) => {
        backoff = failed ? Math.min(backoff * 2, 60_000) : o.warmupBackoff
        failed = error
        failedAt = clock.now()
        log(`warm-up failed, backoff ${backoff} ms`)
        throw error
      })
      .finally(() => {
        warming = undefined
      }))
  }

  function login(): Promise<unknown> {
    if (!loginConfig)
      return Promise.reject(new SessionError('INVALID_OPTION', 'login() needs the `login` option'))
    const { url, method } = loginConfig
    const fail = (message: string, more?: object): never => {
      throw new SessionError('LOGIN_FAILED', message, { ...more, method, url })
    }
    return (loggingIn ||= (async () => {
      if (warmupUrl && !warm) await warmup()
      const code = await platform.login().catch((cause: PlatformFailure) => fail(cause.message, { cause }))
      log(`login ${method} ${url}`)
      const res = await exchange(url, method, loginConfig.data(code)).catch((cause: SessionError) =>
        fail(cause.code, { cause }),
      )
      const error = loginError(res)
      if (error) fail(error, { statusCode: res.statusCode, data: res.data })
      loggedIn = warm = true
      bump('login')
      save()
      return res.data
    })().finally(() => {
      loggingIn = undefined
    }))
  }

  function ready(needLogin: boolean): Promise<unknown> | undefined {
    const again = (): Promise<unknown> | undefined => ready(needLogin)
    if (renewing) return renewing.catch(() => {}).then(again)
    if (warmupUrl && !warm) return warmup().then(again)
    if (needLogin && loginConfig && !loggedIn) return login()
    return undefined
  }

  function renew(sentWith: number, needLogin: boolean): Promise<boolean> {
    if (renewing) return renewing
    // Stale answer: the session changed since this request left; just retry (PEERS.md section 4, item 7).
    if (sentWith !== generation) {
      log(`stale ${sentWith}, retry`)
      return Promise.resolve(true)
    }
    const relogin = loginConfig && (loggedIn || needLogin)
    if (!warmupUrl && !relogin) return Promise.resolve(false)
    log(`renew ${sentWith}`)
    return (renewing = (async () => {
      warm = false
      if (warmupUrl) await warmup()
      if (relogin) {
        loggedIn = false
        await login()
      }
      bump('renew')
      return true
    })().finally(() => {
      renewing = undefined
    }))
  }

  async function logout(): Promise<void> {
    if (o.logout) await exchange(o.logout, 'POST').catch(report)
    id = ''
    // The session cookies go; the server's other cookies stay.
    jar = CookieJar.fromJSON({ v: 1, cookies: jar.all().filter((c) => !isSession(c)) }, jarOptions)
    loggedIn = warm = false
    bump('logout')
    save()
  }

  const stop = (): void => {
    clock.clearTimeout(timer as never)
    timer = undefined
  }

  function schedule(): void {
    stop()
    if (interval && refresh && !hidden && !disposed)
      timer = clock.setTimeout(tick, Math.max(0, lastActivity + interval - clock.now()))
  }

  // Wall-clock check rather than tick counting: timers do not run while suspended, and some
  // Android phones fire the queued ones all at once on return (PLATFORM.md 5).
  function tick(): void {
    timer = undefined
    if (!interval || !refresh) return
    if (clock.now() - lastActivity < interval) return schedule()
    lastActivity = clock.now()
    // Nothing to keep alive without a session; and the timer never logs anyone in who was not.
    if (refresh === 'login' ? !loggedIn : !sessionId()) return schedule()
    log(`refresh ${refresh}`)
    ;(refresh === 'login' ? login() : keepAlive(refresh)).catch(report).finally(schedule)
  }

  function hide(): void {
    hidden = true
    stop()
    persist()
  }

  const unsubscribe = [
    platform.onHide(hide),
    platform.onShow(() => {
      if (hidden && !disposed) {
        hidden = false
        tick()
      }
    }),
  ]
  schedule()
  log(`start ${mode} ${platform.name} id=${maskId(sessionId())}`)

  return {
    send,
    ready,
    renew,
    login,
    logout,
    state: () => ({ id: sessionId(), loggedIn, generation }),
    dispose() {
      if (disposed) return
      hide()
      disposed = true
      for (const off of unsubscribe) off()
    },
  }
}
