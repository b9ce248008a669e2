import { SessionError, maskId } from '../errors.js'
import type { Resolved } from '../options.js'
import type {
  Platform,
  PlatformCallOptions,
  PlatformFailure,
  PlatformResponse,
  PlatformTask,
} from '../platform/types.js'
import { absolute, headerValue } from './carrier.js'
import { createFlight, withTimeout } from './flight.js'
import { MAX_REDIRECTS, isFollowed, nextHop } from './redirect.js'
import type { Hop } from './redirect.js'
import { createState } from './state.js'
import type { Stamp } from './state.js'

export type Api = 'request' | 'uploadFile' | 'downloadFile'

/**
 * Runs one of the SDK's own calls through the app's hooks (option `hooks.sdkCalls`): the hooks
 * may change `options` before `send` gets them, and see the answer or the error.
 */
export type Around = (
  url: string,
  options: Record<string, unknown>,
  send: (url: string, options: Record<string, unknown>) => Promise<PlatformResponse>,
) => Promise<PlatformResponse>

/** An answer and what the call knew of the session when it was sent. */
export interface Sent {
  res: PlatformResponse
  stamp: Stamp
  /** The session changed while the call was out: its answer captured nothing. */
  stale: boolean
  /** How many renews had started when the call was sent. */
  renewsBefore: number
}

export interface Session {
  /** Attach → send → capture, for a call of the app's. */
  send(
    api: Api,
    url: string,
    method: string,
    options: Record<string, unknown>,
    bind?: (task: PlatformTask) => void,
  ): Promise<Sent>
  /** Whether a call to `url` waits for a login when it does not say (`needLogin` per call). */
  needsLoginByDefault(url: string): boolean
  /**
   * What a call must wait for before it is sent; undefined (no await) when nothing. `needLogin`
   * undefined: the default, asked again after each wait.
   */
  ready(url: string, needLogin: boolean | undefined): Promise<unknown> | undefined
  /** Only the backend's answers can say its session expired. */
  isBackend(url: string): boolean
  /** A renew is running (joining it is a renew for the caller's budget). */
  renewing(): boolean
  /** A renew that started after a call sent with `renewsBefore` has finished. */
  renewedSince(renewsBefore: number): boolean
  /**
   * An expired answer from the backend: joins the renew in flight or starts one. Resolves false
   * when there is nothing to renew with (no warm-up, no login to redo): the answer stands.
   */
  renew(sent: Stamp, needLogin: boolean): Promise<boolean>
  /** The backend refused this unsafe call for its CSRF token (the token is forgotten then). */
  csrfRefused(method: string, url: string, res: PlatformResponse): boolean
  /** Gets a CSRF token again for a retry; false when there is no way to (the answer stands). */
  refreshCsrf(): Promise<boolean>
  /** While the app is hidden: resolves when it is shown again (or the client is disposed). */
  shown(): Promise<void> | undefined
  /** Calls onSessionExpired once per lost session. */
  lost(error: SessionError, sent: Stamp): void
  login(options?: { force?: boolean }): Promise<unknown>
  logout(): Promise<void>
  state(): { id: string | undefined; loggedIn: boolean; generation: number }
  dispose(): void
}

// A login endpoint relays code2Session errors either as an HTTP error or as 200 with a non-zero
// errcode (PLATFORM.md 4); either way the server's own message is what the app needs to see.
function loginError({ statusCode, data }: PlatformResponse): string | false {
  const { errcode, errmsg, message, msg } = Object(data) as Record<string, unknown>
  if (statusCode < 400 && (typeof errcode !== 'number' || errcode === 0)) return false
  const text = errmsg || message || msg || `HTTP ${statusCode}`
  return errcode === undefined ? String(text) : `${text} (errcode ${errcode})`
}

/** Calls the app's handler; one that throws must not change what the SDK does or rejects with. */
function callSafely<T>(handler: ((value: T) => void) | undefined, value: T): void {
  try {
    if (handler) handler(value)
  } catch {
    // ignored, see above
  }
}

/** The host and path of a URL for messages: where a failure happened, without the query. */
const where = (url: string): string => url.split(/[?#]/)[0] as string

/**
 * What changes the session: warm-up, login, renew, logout and the refresh timer, each
 * single-flight. The session's facts live in state.ts; every decision here reads them there.
 * `keepAlive` is a full request (gate, renew on expiry) for the refresh timer.
 */
export function createSession(
  o: Resolved,
  platform: Platform,
  keepAlive: (url: string) => Promise<unknown>,
  around?: Around,
): Session {
  const { clock, log, onError } = o
  // Without onError, the first such error still reaches the console once, so it is not silent.
  let warned = false
  const report = (error: SessionError): void => {
    log(`error ${error.message}`)
    if (onError) callSafely(onError, error)
    else if (!warned) {
      warned = true
      console.warn(`${error.message} (set the onError option to handle this and later errors)`)
    }
  }
  const state = createState(o, platform, report)

  // What is in flight: one warm-up, one login, one renew at a time, shared by every caller.
  let renewal: Promise<boolean> | undefined
  let renewsStarted = 0
  let renewsFinished = 0
  let lastActivity = clock.now()
  let timer: unknown
  let hidden = false
  const showWaiters: Array<() => void> = []
  const wake = (): void => {
    for (const resume of showWaiters.splice(0)) resume()
  }
  let lostGeneration = -1

  /** Sends options already attached; a failure becomes a SessionError naming the call. */
  async function transmit(
    api: Api,
    options: PlatformCallOptions,
    method: string,
    url: string,
    bind?: (task: PlatformTask) => void,
  ): Promise<PlatformResponse> {
    const call = platform[api](options)
    if (bind) bind(call.task)
    try {
      return await call.result
    } catch (e) {
      const f = e as PlatformFailure
      throw new SessionError(f.code || 'NETWORK', f.message, { cause: f.raw, method, url })
    }
  }

  /**
   * Attach → send → capture. `own` calls (warm-up, login, the CSRF token fetch) capture even when
   * the generation moved on while they were out: they are what moves it. Where the platform can
   * stop at a 3xx (`redirect: 'manual'`), the SDK follows it as a browser does, each hop attached
   * and captured for its own URL, so a hop's Set-Cookie is kept and the backend's session never
   * goes to another origin; unless the caller asked for `redirect: 'manual'` itself.
   */
  async function call(
    api: Api,
    url: string,
    method: string,
    options: Record<string, unknown>,
    own: boolean,
    bind?: (task: PlatformTask) => void,
  ): Promise<Sent> {
    // A CSRF token fetch may change the session, so it comes before the call notes its session.
    const waiting = state.csrf.ensure(method, state.isKnownBackend(url), fetchCsrfToken)
    const done = waiting && (await waiting)
    const renewsBefore = renewsStarted
    const follow = api === 'request' && !!platform.manualRedirect && options.redirect !== 'manual'
    let hop: Hop | undefined = { url, method, options: follow ? { ...options, redirect: 'manual' } : options }
    let sent: Sent | undefined
    let aborted = false
    // The app's abort() and headers listeners reach the hop in flight; the 3xx followed are
    // not heard, as the platform's own following shows only the final answer.
    const listen = (task: PlatformTask): void => {
      const listeners: Array<(event: never) => void> = []
      if (task.onHeadersReceived)
        task.onHeadersReceived((event: never) => {
          const { statusCode, header } = Object(event) as { statusCode?: number; header?: object }
          if (!isFollowed(statusCode, headerValue(Object(header) as Record<string, unknown>, 'location')))
            for (const listener of listeners) listener(event)
        })
      if (bind)
        bind({
          abort() {
            aborted = true
            task.abort()
          },
          onHeadersReceived: (listener) => void listeners.push(listener),
        })
    }
    const where = { method, url }
    try {
      for (let hops = 0; hop; hops++) {
        if (aborted) throw new SessionError('ABORTED', 'aborted', where)
        if (hops > MAX_REDIRECTS)
          throw new SessionError('TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects`, where)
        const stamp = state.stamp()
        const attached = state.attach(hop.url, hop.method, hop.options)
        const res = await transmit(api, attached, hop.method, hop.url, follow ? listen : bind)
        lastActivity = clock.now()
        const current = state.capture(res, hop.url, stamp, own)
        sent = { res, stamp, stale: !current, renewsBefore }
        hop = follow
          ? nextHop(hop, res.statusCode, headerValue(res.header, 'location'), o.headerName)
          : undefined
      }
    } finally {
      if (done) done()
    }
    return sent as Sent
  }

  const send: Session['send'] = (api, url, method, options, bind) =>
    call(api, url, method, options, false, bind)

  /** The session's own calls to the backend: a path (or URL), a method and the data. */
  const exchange = (
    path: string,
    method: string,
    data?: unknown,
    bind?: (task: PlatformTask) => void,
  ): Promise<PlatformResponse> => {
    const run = (url: string, options: Record<string, unknown>): Promise<PlatformResponse> =>
      call('request', url, method, options, true, bind).then((sent) => sent.res)
    const url = absolute(o.baseURL, path)
    const options = data === undefined ? { method } : { method, data }
    return around ? around(url, options, run) : run(url, options)
  }

  async function fetchCsrfToken(): Promise<void> {
    const url = o.csrf.endpoint as string
    const { statusCode, data } = await exchange(url, 'GET')
    if (statusCode >= 400)
      throw new SessionError('HTTP', `CSRF token: HTTP ${statusCode}`, { url, statusCode, data })
  }

  const failure =
    (code: 'WARMUP_FAILED' | 'LOGIN_FAILED', url: string, method: string) =>
    (message: string, more?: object): never => {
      throw new SessionError(code, message, { ...more, method, url })
    }

  const warmup = createFlight(
    clock,
    o.warmupBackoff,
    async () => {
      const url = o.warmup as string
      const fail = failure('WARMUP_FAILED', url, 'GET')
      log(`warm-up GET ${url}`)
      const { statusCode, data } = await exchange(url, 'GET').catch((cause: SessionError) =>
        fail(`${cause.code} reaching ${where(cause.url || url)}: ${cause.message}`, { cause }),
      )
      if (statusCode >= 400) fail(`HTTP ${statusCode}`, { statusCode, data })
      state.setBlindWarm(state.id() === '')
    },
    (error, backoff) => log(`warm-up failed, backoff ${backoff} ms: ${error.message}`),
  )

  const needsWarmup = (): boolean => !!o.warmup && !state.hasSession()

  const loginFlight = createFlight(
    clock,
    o.loginBackoff,
    async () => {
      const config = o.login as Exclude<Resolved['login'], false>
      const { url, method } = config
      const fail = failure('LOGIN_FAILED', url, method)
      const timeout = (what: string) => () =>
        new SessionError('LOGIN_FAILED', `${what} did not answer within ${o.loginTimeout} ms`, {
          method,
          url,
        })
      // Logout wins: a login that was out when the user logged out sends nothing more and binds
      // nothing (its answer captured nothing either: it was sent before the logout).
      const startedIn = state.epoch()
      const stopIfLoggedOut = (): void => {
        if (state.epoch() !== startedIn) fail('logout() was called while logging in')
      }
      if (needsWarmup()) await warmup.run()
      const code = await withTimeout(clock, o.loginTimeout, platform.login(), timeout('wx.login')).catch(
        (cause: PlatformFailure | SessionError) =>
          cause instanceof SessionError ? Promise.reject(cause) : fail(cause.message, { cause }),
      )
      stopIfLoggedOut()
      log(`login ${method} ${url}`)
      let task: PlatformTask | undefined
      const res = await withTimeout(
        clock,
        o.loginTimeout,
        exchange(url, method, config.data(code), (t) => (task = t)),
        timeout('the login endpoint'),
        () => task && task.abort(),
      ).catch((cause: SessionError) =>
        cause.code === 'LOGIN_FAILED' ? Promise.reject(cause) : fail(cause.code, { cause }),
      )
      const error = loginError(res)
      if (error) fail(error, { statusCode: res.statusCode, data: res.data })
      stopIfLoggedOut()
      state.bindLogin(res.data)
      return res.data
    },
    (error, backoff) => log(`login failed, backoff ${backoff} ms: ${error.message}`),
  )

  function login(options: { force?: boolean } = {}): Promise<unknown> {
    if (!o.login)
      return Promise.reject(new SessionError('INVALID_OPTION', 'login() needs the `login` option'))
    // Already logged in to the live session: the last login's answer, without a new wx.login.
    if (!options.force && state.loggedIn() && !loginFlight.current())
      return Promise.resolve(state.loginAnswer())
    // The user's own login() always tries; the backoff only holds back logins nobody asked for.
    return loginFlight.run(true)
  }

  const needsLoginByDefault = (url: string): boolean =>
    !!o.login && state.isBackend(url) && (o.needLogin || (o.autoLogin && state.wantsLogin()))

  // The gate, re-checked after each wait (a bounded number of times): a renew in flight, then a
  // session (warm-up), then a login if this call needs one. Third-party calls wait for nothing.
  // `needLogin` undefined: the client's default, asked again each round (a logout() during the
  // wait means nobody wants a login any more).
  function ready(url: string, needLogin: boolean | undefined, round = 0): Promise<unknown> | undefined {
    if (!state.isBackend(url) || round > 3) return undefined
    const again = (): Promise<unknown> | undefined => ready(url, needLogin, round + 1)
    if (renewal) return renewal.catch(() => {}).then(again)
    if (needsWarmup()) return warmup.run().then(again)
    const needs = needLogin ?? needsLoginByDefault(url)
    if (needs && o.login && !state.loggedIn()) return loginFlight.run().then(again)
    return undefined
  }

  // A CSRF refusal: the retry's ensure() fetches the token again (endpoint), or a warm-up brings a
  // fresh token cookie. The session and its login stand.
  async function refreshCsrf(): Promise<boolean> {
    if (o.csrf.endpoint) return true
    if (!o.warmup) return false
    await warmup.run()
    return true
  }

  function renew(sent: Stamp, needLogin: boolean): Promise<boolean> {
    if (renewal) return renewal
    // The server says the id this call was sent with is not logged in: a fact, whatever we thought.
    state.forgetLogin(sent.id)
    const relogin = !!o.login && (state.wantsLogin() || needLogin)
    if (!o.warmup && !relogin) return Promise.resolve(false)
    log(`renew: generation ${sent.generation} expired (id ${maskId(sent.id)})`)
    const startedIn = state.epoch()
    const running = (async () => {
      // The expired answer may already carry a fresh session: then no warm-up is needed.
      const fresh = state.id() !== '' && state.id() !== sent.id
      if (o.warmup && !fresh) {
        state.setBlindWarm(false)
        await warmup.run()
      }
      if (relogin && state.epoch() === startedIn) await loginFlight.run()
      state.bump('renew')
      return true
    })()
    renewal = running
    renewsStarted++
    const settled = (): void => {
      renewal = undefined
      renewsFinished = renewsStarted
    }
    running.then(settled, settled)
    return running
  }

  function lost(error: SessionError, sent: Stamp): void {
    log(`expired again: ${error.message}`)
    if (lostGeneration >= sent.generation) return
    lostGeneration = state.generation()
    callSafely(o.onSessionExpired, error)
  }

  // Logout wins: the session is cleared (and stored) at once, before the endpoint answers; the
  // endpoint still gets the old session so the server can end it; its answer captures nothing.
  async function logout(): Promise<void> {
    const endpoint = o.logout && absolute(o.baseURL, o.logout)
    const request = endpoint && state.attach(endpoint, 'POST', { method: 'POST' })
    state.clear()
    if (!endpoint || !request) return
    // Through the hooks, the session is attached already: they may add headers, not move it.
    const send = (_url: string, options: Record<string, unknown>): Promise<PlatformResponse> =>
      transmit('request', { ...options, url: request.url } as PlatformCallOptions, 'POST', endpoint)
    await (around ? around(endpoint, request, send) : send(endpoint, request)).catch(report)
  }

  const stop = (): void => {
    clock.clearTimeout(timer as never)
    timer = undefined
  }

  function schedule(): void {
    stop()
    if (o.refreshInterval && o.refresh && !hidden && !state.disposed())
      timer = clock.setTimeout(tick, Math.max(0, lastActivity + o.refreshInterval - clock.now()))
  }

  // Wall-clock check rather than tick counting: timers do not run while suspended, and some
  // Android phones fire the queued ones all at once on return (PLATFORM.md 5).
  function tick(): void {
    timer = undefined
    const interval = o.refreshInterval as number
    if (clock.now() - lastActivity < interval) return schedule()
    lastActivity = clock.now()
    // Nothing to keep alive without a session; and the timer logs in only a logged-in user.
    const loginRefresh = o.refresh === 'login'
    if (loginRefresh ? !state.loggedIn() : !state.hasSession()) return schedule()
    log(`refresh ${o.refresh}`)
    const done = loginRefresh ? login({ force: true }) : keepAlive(o.refresh as string)
    done.catch(report).finally(schedule)
  }

  function hide(): void {
    hidden = true
    stop()
    state.flush()
  }

  const unsubscribe = [
    platform.onHide(hide),
    platform.onShow(() => {
      if (hidden && !state.disposed()) {
        hidden = false
        wake()
        tick()
      }
    }),
  ]
  schedule()
  log(`start ${o.mode} ${platform.name} id=${maskId(state.id())}`)

  return {
    send,
    needsLoginByDefault,
    ready: (url, needLogin) => ready(url, needLogin),
    isBackend: state.isBackend,
    renewing: () => !!renewal,
    renewedSince: (renewsBefore) => renewsFinished > renewsBefore,
    refreshCsrf,
    csrfRefused(method, url, res) {
      const refused = state.csrf.isFailure(method, state.isKnownBackend(url), res)
      if (refused) state.csrf.forget()
      return refused
    },
    renew,
    shown: () =>
      hidden && !state.disposed() ? new Promise<void>((resume) => showWaiters.push(resume)) : undefined,
    lost,
    login,
    logout,
    state: () => ({
      id: state.id() || undefined,
      loggedIn: state.loggedIn(),
      generation: state.generation(),
    }),
    dispose() {
      if (state.disposed()) return
      hide()
      state.dispose()
      wake()
      // (A runtime already destroyed, as after a cold restart in tests, may throw: nothing is left.)
      for (const off of unsubscribe) callSafely(off, undefined)
    },
  }
}
