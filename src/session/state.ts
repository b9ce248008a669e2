import { CookieJar } from '../cookie/index.js'
import { goesToHost } from '../cookie/jar.js'
import { originOf, parseUrl } from '../cookie/url.js'
import type { Cookie } from '../cookie/index.js'
import { SessionError, maskId } from '../errors.js'
import type { Resolved } from '../options.js'
import type { Platform, PlatformCallOptions, PlatformResponse } from '../platform/types.js'
import { headerValue, mergeCookie, takeSessionCookie, withSessionInUrl } from './carrier.js'
import { createCsrf } from './csrf.js'
import { createSaver, load, type Stored, type Worth } from './persist.js'

// The session's state in one place. Everything that decides (the gate, renew, the timer, logout)
// reads these facts through the functions below and keeps no copy of its own:
//   - id: the session id as the backend will see it ('' when none). Cookie mode: the session
//     cookie the jar would send to the backend; header/url mode: the id captured from it.
//   - boundId: the id the last successful login produced. Logged in ⇔ boundId === id, so a new
//     id the SDK did not get from its own login (rotation, a fresh anonymous session, an expired
//     or deleted cookie) means "not logged in" without anyone having to remember to say so.
//   - wantsLogin: the user's intent (automatic login, or login() called) until logout().
//   - generation: counts session changes; every call remembers the one it was sent with.
//   - epoch: counts logouts; nothing started before the last one may change the session.

/** What a call remembers of the session it was sent with. */
export interface Stamp {
  generation: number
  epoch: number
  id: string
}

/** Longest id accepted (ids are opaque tokens; a 20 KB one is an attack or a bug). */
const MAX_ID_LENGTH = 4096
// Visible ASCII only: safe in a Cookie or custom header and in a URL once encoded.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/

/** A session id we may send and store: visible ASCII, 1 to 4096 characters. */
const isValidId = (id: unknown): id is string =>
  typeof id === 'string' && id.length <= MAX_ID_LENGTH && VISIBLE_ASCII.test(id)

// A cookie a request header can carry: no control characters, nothing beyond Latin-1, name and
// value at most 4096 characters (6265bis §5.7). Only storage written by something else holds
// others, and one of them would make every request fail.
const HEADER_TEXT = /^[\x20-\x7e\x80-\xff]*$/
const isCarriable = (c: Cookie): boolean =>
  HEADER_TEXT.test(c.name + c.value) && c.name.length + c.value.length <= 4096

export function createState(o: Resolved, platform: Platform, report: (error: SessionError) => void) {
  const { mode, names, clock, log, key, headerName } = o
  const isSessionCookie = (c: { name: string }): boolean => names.has(c.name.toLowerCase())
  const jarOptions = {
    now: () => clock.now(),
    // Everything on the backend's Path=/ is sent together: use alone cannot protect the session
    // (the backend's only: another host's `sid` is worth no more than its other cookies).
    evictLast: (c: Cookie) => worth(c) === 2,
    ...(o.isPublicSuffix ? { isPublicSuffix: o.isPublicSuffix } : {}),
  }
  const stored = load(platform.storage, key, report)
  const storedSession = Object(stored.session) as Record<string, unknown>

  // The backend: baseURL's origin, or else the origin of the first answer that set the id (kept
  // with the session, so a restart keeps sending it there only).
  let backend = originOf(o.baseURL) || (typeof storedSession.origin === 'string' ? storedSession.origin : '')
  const backendUrl = (): string => (o.baseURL || backend) + '/'

  // What storage keeps when the record is over its budget: the session, then the backend's cookies.
  // (asked for every comparison when a full jar is sorted for eviction: parseUrl remembers the URL)
  function worth(c: Cookie): Worth {
    const host = (parseUrl(backendUrl()) || { host: '' }).host
    const backends = host !== '' && goesToHost(c, host)
    if (isSessionCookie(c) && (backends || !host)) return 2
    return backends ? 1 : 0
  }

  // With `jar: false` the jar stays empty: nothing is read into it or captured.
  let jar = CookieJar.fromJSON({ v: 1, cookies: o.jar ? stored.cookies : [] }, jarOptions)
  if (!jar.all().every(isCarriable)) {
    report(new SessionError('STORAGE', 'stored cookies that no request can carry: dropped'))
    jar = CookieJar.fromJSON({ v: 1, cookies: jar.all().filter(isCarriable) }, jarOptions)
  }

  let headerId = ''
  if (mode !== 'cookie' && storedSession.id !== undefined) {
    if (isValidId(storedSession.id)) headerId = storedSession.id
    else report(new SessionError('STORAGE', `stored session id is not a valid id: ignored`))
  }

  // Cookie mode: the id is read from the jar when the jar changed or the cookie expired, not on
  // every request (a rolling session answers with a new Expires every time).
  let cookieId: { value: string; expires: number } | undefined
  function idFromJar(): string {
    if (cookieId && cookieId.expires > clock.now()) return cookieId.value
    const url = backendUrl()
    const cookie = (backend ? jar.getCookies(url) : jar.all()).find(isSessionCookie)
    const value = cookie && isValidId(cookie.value) ? cookie.value : ''
    if (cookie && !value) log(`session cookie ${cookie.name} has an invalid value: ignored`)
    cookieId = { value, expires: (cookie && cookie.expires) ?? Infinity }
    return value
  }
  const id = (): string => (mode === 'cookie' ? idFromJar() : headerId)

  const legacyLoggedIn = storedSession.loggedIn === true
  let boundId: string | undefined =
    typeof storedSession.boundId === 'string' ? storedSession.boundId : legacyLoggedIn ? id() : undefined
  let loginAnswer: unknown = storedSession.loginAnswer
  let wantsLogin =
    typeof storedSession.wantsLogin === 'boolean' ? storedSession.wantsLogin : o.autoLogin || legacyLoggedIn
  let generation = 0
  let epoch = 0
  // A warm-up answered without an id we can see (Alipay's native jar, or a server that only
  // creates the session later): not repeated until the session is renewed or cleared.
  let blindWarm = false
  let disposed = false

  // The key could not be read at launch and now can: what it holds comes back where this launch
  // has nothing of its own (its cookies win over the stored ones of the same name, domain and
  // path); after a logout of this launch, nothing of the stored session does.
  function adopt(late: Stored): void {
    const mine = jar.toJSON().cookies
    const name = (c: Cookie): string => `${c.name};${c.domain};${c.path}`
    const taken = new Set(mine.map(name))
    const before = id()
    const stored = o.jar ? CookieJar.fromJSON({ v: 1, cookies: late.cookies }, jarOptions).all() : []
    const theirs = stored.filter((c) => !taken.has(name(c)) && !(epoch && isSessionCookie(c)))
    jar = CookieJar.fromJSON({ v: 1, cookies: [...theirs, ...mine] }, jarOptions)
    cookieId = undefined
    const session = (epoch ? {} : Object(late.session)) as Record<string, unknown>
    if (mode !== 'cookie' && !headerId && isValidId(session.id)) headerId = session.id
    if (boundId === undefined && typeof session.boundId === 'string') {
      boundId = session.boundId
      loginAnswer = session.loginAnswer
      if (loggedIn()) wantsLogin = true
    }
    if (!backend && typeof session.origin === 'string') backend = session.origin
    if (id() !== before) bump('storage read late')
  }

  const persist = createSaver(
    platform.storage,
    key,
    o.persistSessionCookies,
    report,
    () => ({
      cookies: jar.toJSON().cookies,
      session: {
        ...(mode !== 'cookie' && headerId ? { id: headerId } : {}),
        // A login bound to an id JS cannot see (Alipay's native jar) is not kept: that jar is not.
        ...(boundId ? { boundId } : {}),
        ...(boundId && loginAnswer !== undefined ? { loginAnswer } : {}),
        wantsLogin,
        ...(backend && !o.baseURL ? { origin: backend } : {}),
      },
    }),
    { unread: stored.unread === true, adopt, worth },
  )

  const loggedIn = (): boolean => boundId !== undefined && boundId === id()
  // Until the backend is known (no baseURL, no session yet) every URL may be it: the id, which
  // only the backend sets, decides. A CSRF token read from answers waits for a known backend.
  // One call asks about its own URL several times (gate, attach, capture, expiry check): the URL
  // asked about last keeps its origin, so it is parsed once.
  let lastUrl = ''
  let lastOrigin = ''
  const originOfUrl = (url: string): string => {
    if (url !== lastUrl) {
      lastOrigin = originOf(url)
      lastUrl = url
    }
    return lastOrigin
  }
  // A URL the parser refuses is nobody's backend: what the network would contact is not known.
  const isBackend = (url: string): boolean => {
    const origin = originOfUrl(url)
    return origin !== '' && (!backend || origin === backend)
  }
  const isKnownBackend = (url: string): boolean => !!backend && originOfUrl(url) === backend
  // CSRF tokens belong to the session id they came with, like a login.
  const csrf = createCsrf(o.csrf, () => id() || undefined)

  function bump(why: string): void {
    generation++
    log(`${why}: generation ${generation}, id ${maskId(id())}${loggedIn() ? ', logged in' : ''}`)
  }

  function save(): void {
    if (disposed) return
    persist(true)
    log(`persist ${key} id=${maskId(id())}`)
  }

  const stamp = (): Stamp => ({ generation, epoch, id: id() })

  /**
   * The platform options for a call to `url`: the jar's cookies; for the backend only, the id and
   * on unsafe methods the CSRF token.
   */
  function attach(url: string, method: string, options: Record<string, unknown>): PlatformCallOptions {
    const header: Record<string, string> = { ...(options.header as Record<string, string> | undefined) }
    csrf.attach(header, method, isKnownBackend(url), () => jar.getCookies(url))
    const cookies = jar.getCookieHeader(url)
    if (cookies) mergeCookie(header, cookies)
    let target = url
    if (mode !== 'cookie' && headerId && isBackend(url)) {
      if (mode === 'url') target = withSessionInUrl(url, o.urlStyle, o.urlName, headerId)
      else header[headerName] = o.formatId(headerId)
    }
    return { ...options, url: target, header }
  }

  /**
   * Takes what an answer says about the session. Nothing when the client is disposed, when the
   * call started before the last logout, or (`own` calls excepted: warm-up, login) when the
   * session changed since the call was sent: an old answer must not overwrite a newer session.
   * Returns whether the answer is current.
   */
  function capture(res: PlatformResponse, url: string, sent: Stamp, own: boolean): boolean {
    if (disposed || sent.epoch !== epoch) return false
    if (!own && sent.generation !== generation) return false
    const fromBackend = isBackend(url)
    let lines = res.setCookies
    let next: string | undefined // '' when deleted
    if (mode !== 'cookie' && fromBackend) {
      ;[next, lines] = takeSessionCookie(lines, names, clock.now())
      next = o.parseId(headerValue(res.header, headerName)) ?? next
      const fromBody = own && o.sessionFromBody ? o.sessionFromBody(res.data) : undefined
      if (fromBody !== undefined && fromBody !== null && fromBody !== '') next = fromBody as string
      if (next && !isValidId(next)) {
        report(
          new SessionError(
            'INVALID_OPTION',
            `refused a session id that is not visible ASCII of at most ${MAX_ID_LENGTH} characters`,
            { url },
          ),
        )
        next = undefined
      }
    }
    const before = id()
    const change = o.jar && lines.length ? jar.setCookies(lines, url) : 0
    if (change === 2) cookieId = undefined
    if (mode !== 'cookie' && next !== undefined) headerId = next
    const after = id()
    if (after && !backend) {
      backend = originOfUrl(url)
      log(`backend is ${backend} (the first answer that set the session)`)
    }
    if (after !== before) {
      bump('capture')
      save()
    } else if (change === 2) save()
    else if (change) persist(false)
    if (isKnownBackend(url)) csrf.capture(res)
    return true
  }

  /** The login that just succeeded binds to the id the session has now. */
  function bindLogin(answer: unknown): void {
    boundId = id()
    loginAnswer = answer
    wantsLogin = true
    bump('login')
    save()
  }

  /** The server said this id is not logged in (an expired answer about it). */
  function forgetLogin(expiredId: string): void {
    if (boundId === expiredId) {
      boundId = undefined
      loginAnswer = undefined
    }
  }

  /** logout(): the session goes at once, in memory and in storage; the server's other cookies stay. */
  function clear(): void {
    epoch++
    headerId = ''
    jar = CookieJar.fromJSON(
      { v: 1, cookies: jar.all().filter((c: Cookie) => !isSessionCookie(c)) },
      jarOptions,
    )
    cookieId = undefined
    boundId = undefined
    loginAnswer = undefined
    wantsLogin = false
    csrf.forget()
    blindWarm = false
    bump('logout')
    save()
  }

  return {
    id,
    loggedIn,
    isBackend,
    isKnownBackend,
    csrf,
    stamp,
    attach,
    capture,
    bindLogin,
    forgetLogin,
    clear,
    bump,
    flush: () => {
      if (!disposed) persist()
    },
    generation: () => generation,
    epoch: () => epoch,
    wantsLogin: () => wantsLogin,
    loginAnswer: () => loginAnswer,
    /** There is a session to use: an id, or a warm-up that gave none we can see. */
    hasSession: () => id() !== '' || blindWarm,
    setBlindWarm(value: boolean) {
      blindWarm = value
    },
    dispose() {
      persist()
      disposed = true
    },
    disposed: () => disposed,
  }
}
