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
  clearTimeout(handle: never): void
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

/** The defaults, one place. Nested defaults (header, url, login) are filled in by resolveOptions. */
export const defaults = {
  baseURL: '',
  mode: 'cookie',
  sessionCookie: ['JSESSIONID', 'PHPSESSID', 'connect.sid', 'SESSION', 'sid'],
  jar: true,
  warmup: false,
  warmupBackoff: 1000,
  needLogin: false,
  logout: false,
  login: false,
  isExpired: (res: SessionResponse) => res.statusCode === 401,
  refreshInterval: 20 * 60_000,
  storageKey: 'miniprogram-session',
  namespace: '',
  persistSessionCookies: true,
} as const

type Rule = [ok: (v: unknown) => boolean, expected: string]
const is = (type: string): Rule => [(v) => typeof v === type, `a ${type}`]
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const str = is('string')
const fn = is('function')
const bool = is('boolean')
const object: Rule = [isObject, 'an object']
const urlOrFalse: Rule = [(v) => v === false || typeof v === 'string', 'false or a URL string']
const ms: Rule = [(v) => typeof v === 'number' && v > 0 && v < Infinity, 'a positive number of ms']
const oneOf = (...values: string[]): Rule => [
  (v) => values.includes(v as string),
  values.map((x) => `'${x}'`).join(' or '),
]

// Every option and its check; the mapped type makes a new option without a rule a compile error.
const rules: { [K in keyof SessionOptions]-?: Rule } = {
  baseURL: str,
  platform: [() => true, ''],
  mode: oneOf('cookie', 'header', 'url'),
  sessionCookie: [
    (v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
    'a string or an array of strings',
  ],
  header: object,
  url: object,
  sessionFromBody: fn,
  jar: bool,
  warmup: urlOrFalse,
  warmupBackoff: ms,
  login: [
    (v) => v === false || (isObject(v) && typeof v.url === 'string'),
    'false or an object with a `url`',
  ],
  needLogin: bool,
  logout: urlOrFalse,
  isExpired: fn,
  refreshInterval: [(v) => v === false || ms[0](v), 'false or a positive number of ms'],
  refresh: str,
  storageKey: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  namespace: str,
  persistSessionCookies: bool,
  clock: [
    (v) => isObject(v) && ['now', 'setTimeout', 'clearTimeout'].every((k) => typeof v[k] === 'function'),
    'an object with now, setTimeout and clearTimeout',
  ],
  onError: fn,
  onSessionExpired: fn,
  debug: [(v) => typeof v === 'boolean' || typeof v === 'function', 'a boolean or a function'],
}

function check(name: string, value: unknown, [ok, expected]: Rule): void {
  if (value !== undefined && !ok(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
    throw new SessionError('INVALID_OPTION', `option \`${name}\` must be ${expected}, got ${got}`)
  }
}

const systemClock: SessionClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
}

/** Validates user options and fills in every default. Throws SessionError('INVALID_OPTION'). */
export function resolveOptions(input: unknown = {}): ResolvedOptions {
  check('options', input, object)
  const given = input as SessionOptions
  for (const key in given) {
    const rule = Object.prototype.hasOwnProperty.call(rules, key)
      ? rules[key as keyof SessionOptions]
      : undefined
    if (!rule) throw new SessionError('INVALID_OPTION', `unknown option \`${key}\``)
    check(key, given[key as keyof SessionOptions], rule)
  }
  // undefined means "default" everywhere, as if the key were absent.
  const o = { ...defaults } as Record<string, unknown>
  for (const key in given)
    if (given[key as keyof SessionOptions] !== undefined) o[key] = given[key as keyof SessionOptions]
  const { header = {}, url = {}, login, debug, sessionCookie, refresh, warmup } = o as SessionOptions
  check('header.name', header.name, rules.storageKey)
  check('url.style', url.style, oneOf('path', 'query'))
  check('url.name', url.name, rules.storageKey)
  const style = url.style ?? 'path'
  if (login) {
    check('login.method', login.method, oneOf('POST', 'PUT', 'GET'))
    check('login.data', login.data, fn)
  }
  return {
    ...(o as Omit<
      ResolvedOptions,
      'header' | 'url' | 'login' | 'debug' | 'sessionCookie' | 'refresh' | 'clock'
    >),
    baseURL: (o.baseURL as string).replace(/\/+$/, ''),
    sessionCookie: typeof sessionCookie === 'string' ? [sessionCookie] : (sessionCookie as readonly string[]),
    header: { name: header.name ?? 'X-Session-Id' },
    url: { style, name: url.name ?? (style === 'path' ? 'jsessionid' : 'PHPSESSID') },
    login: login
      ? { url: login.url, method: login.method ?? 'POST', data: login.data ?? ((code) => ({ code })) }
      : false,
    refresh: refresh ?? (warmup || (login ? 'login' : false)),
    clock: (o.clock as SessionClock | undefined) ?? systemClock,
    sessionFromBody: o.sessionFromBody as ResolvedOptions['sessionFromBody'],
    onError: o.onError as ResolvedOptions['onError'],
    onSessionExpired: o.onSessionExpired as ResolvedOptions['onSessionExpired'],
    debug: debug === true ? (m: string) => console.log(`[miniprogram-session] ${m}`) : debug || undefined,
  }
}
