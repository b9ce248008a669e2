import { SessionError } from './errors.js'

/** What `isExpired`, `sessionFromBody` and logs see of an answer. */
export interface SessionResponse {
  statusCode: number
  /** Response headers as the platform gave them (any casing). */
  header: Record<string, unknown>
  data: unknown
}

/** Time and timers; tests pass a fake clock so nothing waits for real. */
export interface SessionClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: any): void
}

export interface LoginOptions {
  /** Endpoint that turns a `wx.login` code into a session, e.g. `'/login'`. */
  url: string
  /** @default 'POST' */
  method?: 'POST' | 'PUT' | 'GET'
  /**
   * Request body built from the code.
   * @default code => ({ code })
   */
  data?: (code: string) => string | Record<string, unknown>
}

/**
 * Options of `init` / `createClient`. All optional; the defaults work for Tomcat (JSESSIONID),
 * PHP (PHPSESSID) and express-session (connect.sid) in cookie mode.
 */
export interface SessionOptions {
  /**
   * Prefix for relative URLs and the backend's origin: URL and header modes only put the session
   * on URLs of this origin, never on third-party ones.
   * @default '' (URLs are used as given)
   * @example 'https://api.example.com'
   */
  baseURL?: string
  /**
   * The runtime object to use (wx, or a test runtime's). Nothing is patched on it.
   * @default the runtime's global `wx`
   */
  platform?: unknown
  /**
   * How the session id travels: the cookie jar, a request header, or the URL.
   * @default 'cookie'
   */
  mode?: 'cookie' | 'header' | 'url'
  /**
   * Name(s) of the server's session cookie: tells whether a session exists (warm-up), and in
   * header/url mode is where the id is captured from when the answer has no session header.
   * @default ['JSESSIONID', 'PHPSESSID', 'connect.sid', 'SESSION', 'sid']
   */
  sessionCookie?: string | readonly string[]
  /**
   * Header mode: the request header carrying the id, also read from responses.
   * @default { name: 'X-Session-Id' }
   * @example { name: 'session_id' }
   */
  header?: { name?: string }
  /**
   * URL mode: `;jsessionid=ID` before the query (servlet style, `style: 'path'`) or
   * `?PHPSESSID=ID` (`style: 'query'`).
   * @default { style: 'path', name: 'jsessionid' } (query style: name 'PHPSESSID')
   */
  url?: { style?: 'path' | 'query'; name?: string }
  /**
   * Header/url mode: reads the session id from a warm-up or login body, for servers that answer
   * `{ sessionId }`. Return undefined when absent.
   * @default undefined
   * @example body => body.sessionId
   */
  sessionFromBody?: (data: unknown) => unknown
  /**
   * Keep a cookie jar (in every mode, so a server's other cookies are honoured).
   * @default true
   */
  jar?: boolean
  /**
   * A blank call that creates the server session before anything else ("warm-up"). When set and
   * there is no session yet, the first requests of a launch wait for exactly one such call.
   * @default false
   * @example '/session'
   */
  warmup?: string | false
  /**
   * Milliseconds after a failed warm-up during which requests fail fast with WARMUP_FAILED
   * instead of calling again; doubles on each failure, up to 60 s.
   * @default 1000
   */
  warmupBackoff?: number
  /**
   * The login endpoint: `login()` calls wx.login and sends the code there.
   * @default false
   * @example { url: '/login' }
   */
  login?: LoginOptions | false
  /**
   * Whether requests wait for a login first (per call: `needLogin`).
   * @default false
   */
  needLogin?: boolean
  /**
   * Logout endpoint (POST), called by `logout()` before the session is cleared locally.
   * @default false
   */
  logout?: string | false
  /**
   * Whether an answer means "session gone": triggers one renew (warm-up and/or login) and one
   * retry.
   * @default res => res.statusCode === 401
   * @example res => res.data?.code === -1
   */
  isExpired?: (res: SessionResponse) => boolean
  /**
   * Keep-alive period while the app is shown (servers often drop sessions after 30 idle minutes).
   * `false` turns the timer off.
   * @default 1_200_000 (20 minutes)
   */
  refreshInterval?: number | false
  /**
   * What the refresh timer does: GET a URL (keep-alive) or `'login'` to log in again.
   * @default the warm-up URL; else 'login' when `login` is set; else nothing
   */
  refresh?: string
  /**
   * Storage key of the persisted jar and session.
   * @default 'miniprogram-session'
   */
  storageKey?: string
  /**
   * Appended to the storage key (`key:namespace`) so release and dev builds don't collide.
   * @default ''
   */
  namespace?: string
  /**
   * Keep session cookies (no Expires/Max-Age) across app restarts, as a mini-program user expects.
   * @default true
   */
  persistSessionCookies?: boolean
  /** @default Date.now with the global setTimeout/clearTimeout */
  clock?: SessionClock
  /**
   * Errors that are not any caller's to handle (storage, refresh timer, logout endpoint).
   * @default undefined
   */
  onError?: (error: SessionError) => void
  /**
   * Called when the session is gone for good (expired again after a renew): open the login page.
   * @default undefined
   */
  onSessionExpired?: (error: SessionError) => void
  /**
   * Log each step (warm-up, login, renew, capture, persist), ids masked. A function receives the lines.
   * @default false
   */
  debug?: boolean | ((message: string) => void)
}

export interface ResolvedOptions {
  baseURL: string
  platform: unknown
  mode: 'cookie' | 'header' | 'url'
  sessionCookie: readonly string[]
  header: { name: string }
  url: { style: 'path' | 'query'; name: string }
  sessionFromBody: ((data: unknown) => unknown) | undefined
  jar: boolean
  warmup: string | false
  warmupBackoff: number
  login: Required<LoginOptions> | false
  needLogin: boolean
  logout: string | false
  isExpired: (res: SessionResponse) => boolean
  refreshInterval: number | false
  refresh: string | false
  storageKey: string
  namespace: string
  persistSessionCookies: boolean
  clock: SessionClock
  onError: ((error: SessionError) => void) | undefined
  onSessionExpired: ((error: SessionError) => void) | undefined
  debug: ((message: string) => void) | undefined
}

export const defaults = {
  baseURL: '',
  mode: 'cookie',
  sessionCookie: ['JSESSIONID', 'PHPSESSID', 'connect.sid', 'SESSION', 'sid'],
  headerName: 'X-Session-Id',
  urlStyle: 'path',
  urlName: { path: 'jsessionid', query: 'PHPSESSID' },
  jar: true,
  warmup: false,
  warmupBackoff: 1000,
  loginMethod: 'POST',
  loginData: (code: string) => ({ code }),
  needLogin: false,
  logout: false,
  isExpired: (res: SessionResponse) => res.statusCode === 401,
  refreshInterval: 20 * 60_000,
  storageKey: 'miniprogram-session',
  namespace: '',
  persistSessionCookies: true,
} as const

// Every option name, typed so that adding an option without listing it fails to compile.
const known: { [K in keyof SessionOptions]-?: true } = {
  baseURL: true, platform: true, mode: true, sessionCookie: true, header: true, url: true,
  sessionFromBody: true, jar: true, warmup: true, warmupBackoff: true, login: true, needLogin: true,
  logout: true, isExpired: true, refreshInterval: true, refresh: true, storageKey: true,
  namespace: true, persistSessionCookies: true, clock: true, onError: true, onSessionExpired: true,
  debug: true,
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function invalid(name: string, expected: string, got: unknown): never {
  const shown = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got
  throw new SessionError('INVALID_OPTION', `option \`${name}\` must be ${expected}, got ${shown}`)
}

function check<T>(o: Record<string, unknown>, name: string, ok: (v: unknown) => boolean, expected: string, fallback: T): T {
  const v = o[name]
  if (v === undefined) return fallback
  if (!ok(v)) invalid(name, expected, v)
  return v as T
}

const isString = (v: unknown) => typeof v === 'string'
const isFn = (v: unknown) => typeof v === 'function'
const isBool = (v: unknown) => typeof v === 'boolean'
const isMs = (v: unknown) => typeof v === 'number' && v > 0 && Number.isFinite(v)

const systemClock: SessionClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
}

/** Validates user options and fills in every default. Throws SessionError('INVALID_OPTION'). */
export function resolveOptions(input: unknown = {}): ResolvedOptions {
  if (!isObject(input)) invalid('options', 'an object', input)
  for (const key of Object.keys(input)) {
    if (!(key in known)) throw new SessionError('INVALID_OPTION', `unknown option \`${key}\``)
  }
  const o = input
  const mode = check(o, 'mode', (v) => v === 'cookie' || v === 'header' || v === 'url', "'cookie', 'header' or 'url'", defaults.mode as ResolvedOptions['mode'])
  const cookieNames = check<string | readonly string[]>(o, 'sessionCookie', (v) => isString(v) || (Array.isArray(v) && v.every(isString)), 'a string or an array of strings', defaults.sessionCookie)

  const header = check<Record<string, unknown>>(o, 'header', isObject, 'an object', {})
  const url = check<Record<string, unknown>>(o, 'url', isObject, 'an object', {})
  const urlStyle = check(url, 'style', (v) => v === 'path' || v === 'query', "'path' or 'query'", defaults.urlStyle as 'path' | 'query')

  const login = check<LoginOptions | false>(o, 'login', (v) => v === false || (isObject(v) && isString(v.url)), 'false or an object with a `url`', false)
  if (login) {
    if (login.method !== undefined && !['POST', 'PUT', 'GET'].includes(login.method)) invalid('login.method', "'POST', 'PUT' or 'GET'", login.method)
    if (login.data !== undefined && !isFn(login.data)) invalid('login.data', 'a function', login.data)
  }
  const warmup = check<string | false>(o, 'warmup', (v) => v === false || isString(v), 'false or a URL string', defaults.warmup)
  const refreshInterval = check<number | false>(o, 'refreshInterval', (v) => v === false || isMs(v), 'false or a positive number of ms', defaults.refreshInterval)
  const refresh = check<string | undefined>(o, 'refresh', isString, "a URL string or 'login'", undefined)
  const clock = check<SessionClock>(o, 'clock', (v) => isObject(v) && isFn(v.now) && isFn(v.setTimeout) && isFn(v.clearTimeout), 'an object with now, setTimeout and clearTimeout', systemClock)
  const debug = check<boolean | ((m: string) => void)>(o, 'debug', (v) => isBool(v) || isFn(v), 'a boolean or a function', false)

  return {
    baseURL: check(o, 'baseURL', isString, 'a string', defaults.baseURL as string).replace(/\/+$/, ''),
    platform: o.platform,
    mode,
    sessionCookie: typeof cookieNames === 'string' ? [cookieNames] : cookieNames,
    header: { name: check(header, 'name', (v) => isString(v) && v !== '', 'a non-empty string', defaults.headerName as string) },
    url: { style: urlStyle, name: check(url, 'name', (v) => isString(v) && v !== '', 'a non-empty string', defaults.urlName[urlStyle] as string) },
    sessionFromBody: check(o, 'sessionFromBody', isFn, 'a function', undefined),
    jar: check(o, 'jar', isBool, 'a boolean', defaults.jar as boolean),
    warmup,
    warmupBackoff: check(o, 'warmupBackoff', isMs, 'a positive number of ms', defaults.warmupBackoff as number),
    login: login && { url: login.url, method: login.method ?? defaults.loginMethod, data: login.data ?? defaults.loginData },
    needLogin: check(o, 'needLogin', isBool, 'a boolean', defaults.needLogin as boolean),
    logout: check<string | false>(o, 'logout', (v) => v === false || isString(v), 'false or a URL string', defaults.logout),
    isExpired: check(o, 'isExpired', isFn, 'a function', defaults.isExpired),
    refreshInterval,
    refresh: refresh ?? (warmup || (login ? 'login' : false)),
    storageKey: check(o, 'storageKey', (v) => isString(v) && v !== '', 'a non-empty string', defaults.storageKey as string),
    namespace: check(o, 'namespace', isString, 'a string', defaults.namespace as string),
    persistSessionCookies: check(o, 'persistSessionCookies', isBool, 'a boolean', defaults.persistSessionCookies as boolean),
    clock,
    onError: check(o, 'onError', isFn, 'a function', undefined),
    onSessionExpired: check(o, 'onSessionExpired', isFn, 'a function', undefined),
    debug: debug === true ? (m: string) => console.log(`[miniprogram-session] ${m}`) : debug || undefined,
  }
}
