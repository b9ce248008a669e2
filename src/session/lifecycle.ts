import type { Cookie, CookieJar } from '../cookie/index.js'
import { SessionError, maskId } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import type { Platform, PlatformResponse } from '../platform/types.js'
import type { Capture, Carrier } from './carrier.js'
import type { Persister } from './persist.js'

/** One call the lifecycle makes itself (warm-up, login, logout); its answer always counts. */
export type Exchange = (url: string, method: string, data?: unknown) => Promise<PlatformResponse>

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

/**
 * When the session exists: warm-up, login, renew-on-expiry and the refresh timer, each
 * single-flight through one stored promise. `generation` counts sessions: a request records it
 * at send time, so an answer about an older session is recognised as stale.
 */
export class Session {
  generation = 0
  warm: boolean
  loggedIn: boolean
  private warming: Promise<void> | undefined
  private loggingIn: Promise<unknown> | undefined
  private renewing: Promise<boolean> | undefined
  private warmupFailure: { at: number; backoff: number; error: SessionError } | undefined
  private lastActivity: number
  private timer: unknown
  private hidden = false
  private disposed = false
  private readonly unsubscribe: Array<() => void>

  constructor(
    private readonly o: ResolvedOptions,
    private readonly platform: Platform,
    private readonly carrier: Carrier,
    private readonly persister: Persister,
    loggedIn: boolean,
    private readonly exchange: Exchange,
    private readonly keepAlive: (url: string) => Promise<unknown>,
    private readonly rebuildJar: (cookies: Cookie[]) => CookieJar,
  ) {
    this.loggedIn = loggedIn
    this.warm = carrier.sessionId() !== undefined
    this.lastActivity = o.clock.now()
    this.unsubscribe = [platform.onHide(() => this.hide()), platform.onShow(() => this.show())]
    this.schedule()
  }

  log(message: string): void {
    this.o.debug?.(message)
  }

  report(error: SessionError): void {
    this.log(`error ${error.message}`)
    try {
      this.o.onError?.(error)
    } catch {
      // A throwing onError must not break the request that reported through it.
    }
  }

  private save(): void {
    const session = { loggedIn: this.loggedIn, ...(this.carrier.id === undefined ? {} : { id: this.carrier.id }) }
    this.persister.save(this.carrier.jar, session)
    this.log(`persist ${this.persister.key} id=${maskId(this.carrier.sessionId())}`)
  }

  private bump(why: string): void {
    this.generation++
    this.log(`${why}: session ${this.generation} id=${maskId(this.carrier.sessionId())}`)
  }

  /** After every answer of the current session: store what changed, keep the idle clock. */
  captured(c: Capture): void {
    this.lastActivity = this.o.clock.now()
    if (c.idChanged) this.bump('capture')
    if (c.change === 2) this.save()
    else if (c.change === 1) this.persister.markDirty()
  }

  /** What a request waits for before it is sent; undefined (no await) when nothing. */
  ready(needLogin: boolean): Promise<unknown> | undefined {
    if (this.renewing) return this.renewing.catch(noop).then(() => this.ready(needLogin))
    if (this.o.warmup && !this.warm) return this.warmup().then(() => this.ready(needLogin))
    if (needLogin && this.o.login && !this.loggedIn) return this.login()
    return undefined
  }

  warmup(): Promise<void> {
    if (this.warming) return this.warming
    const url = this.o.warmup as string
    const failed = this.warmupFailure
    // Fail fast inside the backoff window: a broken backend must not be hammered by every tap.
    if (failed && this.o.clock.now() < failed.at + failed.backoff) return Promise.reject(failed.error)
    this.log(`warm-up GET ${url}`)
    const run = this.exchange(url, 'GET').then(
      (res) => {
        if (res.statusCode >= 400) {
          throw new SessionError('WARMUP_FAILED', `server answered ${res.statusCode}`, { method: 'GET', url, statusCode: res.statusCode, data: res.data })
        }
        this.warm = true
        this.warmupFailure = undefined
        this.bump('warm-up')
      },
      (cause: SessionError) => {
        throw new SessionError('WARMUP_FAILED', `warm-up call failed: ${cause.code}`, { cause, method: 'GET', url })
      },
    )
    this.warming = run
      .catch((error: SessionError) => {
        const backoff = failed ? Math.min(failed.backoff * 2, MAX_BACKOFF) : this.o.warmupBackoff
        this.warmupFailure = { at: this.o.clock.now(), backoff, error }
        this.log(`warm-up failed; next try in ${backoff} ms`)
        throw error
      })
      .finally(() => {
        this.warming = undefined
      })
    return this.warming
  }

  /** One login at a time, whoever asks; resolves with the server's body. */
  login(): Promise<unknown> {
    if (this.loggingIn) return this.loggingIn
    const login = this.o.login
    if (!login) return Promise.reject(new SessionError('INVALID_OPTION', 'login() needs the `login` option'))
    this.loggingIn = (async () => {
      if (this.o.warmup && !this.warm) await this.warmup()
      let code: string
      try {
        code = await this.platform.login()
      } catch (cause) {
        throw new SessionError('LOGIN_FAILED', `wx.login failed: ${(cause as { message?: string }).message ?? ''}`, { cause })
      }
      this.log(`login ${login.method} ${login.url}`)
      let res: PlatformResponse
      try {
        res = await this.exchange(login.url, login.method, login.data(code))
      } catch (cause) {
        throw new SessionError('LOGIN_FAILED', `login call failed: ${(cause as SessionError).code}`, { cause, method: login.method, url: login.url })
      }
      const error = loginError(res)
      if (error !== undefined) {
        throw new SessionError('LOGIN_FAILED', error, { method: login.method, url: login.url, statusCode: res.statusCode, data: res.data })
      }
      this.loggedIn = true
      this.warm = true
      this.bump('login')
      this.save()
      return res.data
    })().finally(() => {
      this.loggingIn = undefined
    })
    return this.loggingIn
  }

  /**
   * Called by a request whose answer said "expired". Joins the renew in flight, or starts one if
   * the request was sent with the current session. Resolves false when there is nothing to renew
   * with (no warm-up, no login to redo), so the caller keeps the answer as it is.
   */
  renew(sentWith: number, needLogin: boolean): Promise<boolean> {
    if (this.renewing) return this.renewing
    // Stale answer: the session already changed since this request left; just retry (PEERS.md 4.7).
    if (sentWith !== this.generation) return Promise.resolve(true)
    const relogin = this.o.login !== false && (this.loggedIn || needLogin)
    if (!this.o.warmup && !relogin) return Promise.resolve(false)
    this.log(`renew (session ${sentWith} expired)`)
    this.renewing = (async () => {
      this.warm = false
      if (this.o.warmup) await this.warmup()
      if (relogin) {
        this.loggedIn = false
        await this.login()
      }
      this.bump('renew')
      return true
    })().finally(() => {
      this.renewing = undefined
    })
    return this.renewing
  }

  /** Calls the logout endpoint if any, then forgets the session locally, whatever the endpoint said. */
  async logout(): Promise<void> {
    if (this.o.logout) {
      try {
        await this.exchange(this.o.logout, 'POST')
      } catch (error) {
        this.report(error as SessionError)
      }
    }
    this.carrier.id = undefined
    this.carrier.clearSessionCookies(this.rebuildJar)
    this.loggedIn = false
    this.warm = false
    this.bump('logout')
    this.save()
  }

  private schedule(): void {
    if (this.o.refreshInterval === false || this.o.refresh === false || this.hidden || this.disposed) return
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer)
    const wait = Math.max(0, this.lastActivity + this.o.refreshInterval - this.o.clock.now())
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined
      this.tick()
    }, wait)
  }

  // Wall-clock check rather than tick counting: timers do not run while suspended, and some
  // Android phones fire the queued ones all at once on return (PLATFORM.md 5).
  private tick(): void {
    if (this.o.refreshInterval === false || this.disposed || this.hidden) return
    if (this.o.clock.now() - this.lastActivity < this.o.refreshInterval) return this.schedule()
    const what = this.o.refresh as string
    // Nothing to keep alive without a session; and the timer never logs anyone in who was not.
    if (what === 'login' ? !this.loggedIn : this.carrier.sessionId() === undefined) {
      this.lastActivity = this.o.clock.now()
      return this.schedule()
    }
    this.lastActivity = this.o.clock.now()
    this.log(`refresh ${what}`)
    const done = what === 'login' ? this.login() : this.keepAlive(what)
    done.catch((error: SessionError) => this.report(error)).finally(() => this.schedule())
  }

  private hide(): void {
    this.hidden = true
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.persister.flush(this.carrier.jar, { loggedIn: this.loggedIn, ...(this.carrier.id === undefined ? {} : { id: this.carrier.id }) })
  }

  private show(): void {
    if (!this.hidden || this.disposed) return
    this.hidden = false
    this.tick()
  }

  dispose(): void {
    if (this.disposed) return
    this.hide()
    this.disposed = true
    for (const off of this.unsubscribe) off()
  }
}
