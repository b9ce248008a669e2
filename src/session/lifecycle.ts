import type { Cookie, CookieJar } from '../cookie/index.js'
import { SessionError, maskId } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import type { Platform, PlatformResponse } from '../platform/types.js'
import type { Capture, Carrier } from './carrier.js'
import type { Persister } from './persist.js'

/** One call the lifecycle makes itself (warm-up, login, logout); its answer always counts. */
export type Exchange = (url: string, method: string, data?: unknown) => Promise<PlatformResponse>

export interface SessionDeps {
  o: ResolvedOptions
  platform: Platform
  carrier: Carrier
  persister: Persister
  /** Restored from storage. */
  loggedIn: boolean
  exchange: Exchange
  /** A full request (gate, renew on expiry) for the refresh timer's keep-alive. */
  keepAlive: (url: string) => Promise<unknown>
  rebuildJar: (cookies: Cookie[]) => CookieJar
}

export interface Session {
  /** Counts sessions: a request records it at send time, so an answer about an older one is recognised as stale. */
  readonly generation: number
  readonly loggedIn: boolean
  log(message: string): void
  report(error: SessionError): void
  /** After every answer of the current session: store what changed, restart the idle clock. */
  captured(c: Capture): void
  /** What a request waits for before it is sent; undefined (no await) when nothing. */
  ready(needLogin: boolean): Promise<unknown> | undefined
  /**
   * Called by a request whose answer said "expired": joins the renew in flight, or starts one if
   * the request was sent with the current session. Resolves false when there is nothing to renew
   * with (no warm-up, no login to redo), so the caller keeps the answer as it is.
   */
  renew(sentWith: number, needLogin: boolean): Promise<boolean>
  /** One login at a time, whoever asks; resolves with the server's body. */
  login(): Promise<unknown>
  /** Calls the logout endpoint if any, then forgets the session locally, whatever the endpoint said. */
  logout(): Promise<void>
  dispose(): void
}

const MAX_BACKOFF = 60_000
const noop = (): void => {}

// A login endpoint relays code2Session errors either as an HTTP error or as 200 with a non-zero
// errcode (PLATFORM.md 4); either way the server's own message is what the app needs to see.
function loginError(res: PlatformResponse): string | undefined {
  const body = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as Record<string, unknown>
  const failed = res.statusCode >= 400 || (typeof body.errcode === 'number' && body.errcode !== 0)
  if (!failed) return undefined
  const said = body.errmsg ?? body.message ?? body.msg
  const code = body.errcode === undefined ? '' : ` (errcode ${String(body.errcode)})`
  return `${typeof said === 'string' && said ? said : `server answered ${res.statusCode}`}${code}`
}

/** When the session exists: warm-up, login, renew-on-expiry and the refresh timer, each single-flight through one stored promise. */
export function createSession({
  o,
  platform,
  carrier,
  persister,
  exchange,
  keepAlive,
  rebuildJar,
  ...restored
}: SessionDeps): Session {
  const { clock, refreshInterval: interval, refresh } = o
  let generation = 0
  let loggedIn = restored.loggedIn
  let warm = carrier.sessionId() !== undefined
  let warming: Promise<void> | undefined
  let loggingIn: Promise<unknown> | undefined
  let renewing: Promise<boolean> | undefined
  let failure: { at: number; backoff: number; error: SessionError } | undefined
  let lastActivity = clock.now()
  let timer: unknown
  let hidden = false
  let disposed = false

  const log = (message: string): void => o.debug?.(message)

  const report = (error: SessionError): void => {
    log(`error ${error.message}`)
    try {
      o.onError?.(error)
    } catch {
      // A throwing onError must not break the request that reported through it.
    }
  }

  const stored = () => ({ loggedIn, ...(carrier.id === undefined ? {} : { id: carrier.id }) })
  const save = (): void => {
    persister.save(carrier.jar, stored())
    log(`persist ${persister.key} id=${maskId(carrier.sessionId())}`)
  }
  const bump = (why: string): void => {
    generation++
    log(`${why}: session ${generation} id=${maskId(carrier.sessionId())}`)
  }

  function warmup(): Promise<void> {
    if (warming) return warming
    const url = o.warmup as string
    const failed = failure
    // Fail fast inside the backoff window: a broken backend must not be hammered by every tap.
    if (failed && clock.now() < failed.at + failed.backoff) return Promise.reject(failed.error)
    log(`warm-up GET ${url}`)
    return (warming = exchange(url, 'GET')
      .then(
        (res) => {
          if (res.statusCode >= 400) {
            throw new SessionError('WARMUP_FAILED', `server answered ${res.statusCode}`, {
              method: 'GET',
              url,
              statusCode: res.statusCode,
              data: res.data,
            })
          }
          warm = true
          failure = undefined
          bump('warm-up')
        },
        (cause: SessionError) => {
          throw new SessionError('WARMUP_FAILED', `warm-up call failed: ${cause.code}`, {
            cause,
            method: 'GET',
            url,
          })
        },
      )
      .catch((error: SessionError) => {
        const backoff = failed ? Math.min(failed.backoff * 2, MAX_BACKOFF) : o.warmupBackoff
        failure = { at: clock.now(), backoff, error }
        log(`warm-up failed; next try in ${backoff} ms`)
        throw error
      })
      .finally(() => {
        warming = undefined
      }))
  }

  function login(): Promise<unknown> {
    if (loggingIn) return loggingIn
    const config = o.login
    if (!config) return Promise.reject(new SessionError('INVALID_OPTION', 'login() needs the `login` option'))
    const where = { method: config.method, url: config.url }
    return (loggingIn = (async () => {
      if (o.warmup && !warm) await warmup()
      let code: string
      try {
        code = await platform.login()
      } catch (cause) {
        throw new SessionError(
          'LOGIN_FAILED',
          `wx.login failed: ${(cause as { message?: string }).message ?? ''}`,
          { cause },
        )
      }
      log(`login ${config.method} ${config.url}`)
      let res: PlatformResponse
      try {
        res = await exchange(config.url, config.method, config.data(code))
      } catch (cause) {
        throw new SessionError('LOGIN_FAILED', `login call failed: ${(cause as SessionError).code}`, {
          cause,
          ...where,
        })
      }
      const error = loginError(res)
      if (error !== undefined)
        throw new SessionError('LOGIN_FAILED', error, {
          ...where,
          statusCode: res.statusCode,
          data: res.data,
        })
      loggedIn = warm = true
      bump('login')
      save()
      return res.data
    })().finally(() => {
      loggingIn = undefined
    }))
  }

  function ready(needLogin: boolean): Promise<unknown> | undefined {
    if (renewing) return renewing.catch(noop).then(() => ready(needLogin))
    if (o.warmup && !warm) return warmup().then(() => ready(needLogin))
    if (needLogin && o.login && !loggedIn) return login()
    return undefined
  }

  function renew(sentWith: number, needLogin: boolean): Promise<boolean> {
    if (renewing) return renewing
    // Stale answer: the session changed since this request left; just retry (PEERS.md section 4, item 7).
    if (sentWith !== generation) return Promise.resolve(true)
    const relogin = o.login !== false && (loggedIn || needLogin)
    if (!o.warmup && !relogin) return Promise.resolve(false)
    log(`renew (session ${sentWith} expired)`)
    return (renewing = (async () => {
      warm = false
      if (o.warmup) await warmup()
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
    carrier.id = undefined
    carrier.clearSessionCookies(rebuildJar)
    loggedIn = warm = false
    bump('logout')
    save()
  }

  function schedule(): void {
    if (interval === false || refresh === false || hidden || disposed) return
    if (timer !== undefined) clock.clearTimeout(timer as never)
    timer = clock.setTimeout(
      () => {
        timer = undefined
        tick()
      },
      Math.max(0, lastActivity + interval - clock.now()),
    )
  }

  // Wall-clock check rather than tick counting: timers do not run while suspended, and some
  // Android phones fire the queued ones all at once on return (PLATFORM.md 5).
  function tick(): void {
    if (interval === false || refresh === false || disposed || hidden) return
    if (clock.now() - lastActivity < interval) return schedule()
    lastActivity = clock.now()
    // Nothing to keep alive without a session; and the timer never logs anyone in who was not.
    if (refresh === 'login' ? !loggedIn : carrier.sessionId() === undefined) return schedule()
    log(`refresh ${refresh}`)
    ;(refresh === 'login' ? login() : keepAlive(refresh)).catch(report).finally(schedule)
  }

  function hide(): void {
    hidden = true
    if (timer !== undefined) clock.clearTimeout(timer as never)
    timer = undefined
    persister.flush(carrier.jar, stored())
  }

  function show(): void {
    if (!hidden || disposed) return
    hidden = false
    tick()
  }

  const unsubscribe = [platform.onHide(hide), platform.onShow(show)]
  schedule()

  return {
    get generation() {
      return generation
    },
    get loggedIn() {
      return loggedIn
    },
    log,
    report,
    captured(c) {
      lastActivity = clock.now()
      if (c.idChanged) bump('capture')
      if (c.change === 2) save()
      else if (c.change === 1) persister.markDirty()
    },
    ready,
    renew,
    login,
    logout,
    dispose() {
      if (disposed) return
      hide()
      disposed = true
      for (const off of unsubscribe) off()
    },
  }
}
