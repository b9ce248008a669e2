import { originOf, parseUrl } from './cookie/url.js'
import { SessionError } from './errors.js'
import { headerCarrier } from './session/carrier.js'
import { resolveCsrf } from './session/csrf.js'
import type { CsrfConfig, CsrfOptions } from './session/csrf.js'
import type { AbortSignalLike, Hooks, RetryOptions } from './client.js'

/**
 * An answer's body as the platform parsed it: JSON (object or array), a string or an ArrayBuffer.
 * `any`, so that callbacks read `res.data?.code` without a cast: check the shape yourself where
 * the server can't be trusted.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnswerBody = any

/** What `isExpired`, `sessionFromBody` and logs see of an answer. */
export interface SessionResponse {
  statusCode: number
  /** Response headers as the platform gave them (any casing). */
  header: Record<string, unknown>
  data: AnswerBody
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
   * @default the global found: `qq`, `tt`, `swan`, else `wx` (Alipay: pass `alipay(my)`)
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
   * @default ['JSESSIONID', 'PHPSESSID', 'connect.sid', 'SESSION', 'sessionid', 'sid']
   */
  sessionCookie?: string | readonly string[]
  /**
   * Header mode: the request header carrying the id, also read from responses. `prefix` goes
   * before the id (`'Bearer '` for `Authorization: Bearer <id>`) and is stripped from an answer's
   * header; `format` builds the value itself (its answer's header is read with `prefix` stripped,
   * or not at all without one: then the id comes from the login body, see `sessionFromBody`).
   * @default { name: 'X-Session-Id' }
   * @example { name: 'Authorization', prefix: 'Bearer ' }
   */
  header?: { name?: string; prefix?: string; format?: (id: string) => string }
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
  sessionFromBody?: (data: AnswerBody) => unknown
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
   * Keep the user logged in without being asked: with `login` set, requests to the backend wait
   * for a silent login (wx.login needs no user action) after the launch warm-up, after a restart
   * whose stored session is gone and whenever the server replaced the session, and an expired
   * answer logs in again. Calls with `needLogin: false` (public pages) never wait for it.
   * `logout()` pauses it until the next `login()`. Set `false` for apps that log in only after
   * an explicit user action: then a login happens only through `login()` or `needLogin`.
   * @default true (when `login` is set)
   */
  autoLogin?: boolean
  /**
   * Milliseconds that wx.login and then the login endpoint each have to answer before the login
   * fails with LOGIN_FAILED.
   * @default 10000
   */
  loginTimeout?: number
  /**
   * Milliseconds after a failed login during which calls that need a login fail fast with the
   * same LOGIN_FAILED instead of burning another wx.login code; doubles on each failure, up to 60 s.
   * @default 1000
   */
  loginBackoff?: number
  /**
   * Whether requests wait for a login first (per call: `needLogin`). With `autoLogin` (the
   * default) backend requests already do; this also makes them wait after a `logout()`.
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
   * Storage key of the persisted jar and session. The default is derived from `baseURL`, so two
   * clients for two backends never share (and never swap) a session.
   * @default 'miniprogram-session', or `miniprogram-session@<origin of baseURL>` when `baseURL` is set
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
   * A full public-suffix check for the cookie jar, e.g. backed by the public suffix list
   * (`domain => tldts.getPublicSuffix(domain, { allowPrivateDomains: true }) === domain`). The
   * built-in guard only knows bare TLDs and `com|net|org|gov|edu|co|ac` under a country code.
   * @default undefined
   */
  isPublicSuffix?: (domain: string) => boolean
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
  /**
   * CSRF tokens of session-cookie backends (Django, Laravel, Spring, express): on unsafe requests
   * to the backend, echo token cookies in headers (`XSRF-TOKEN` → `X-XSRF-TOKEN`, `csrftoken` →
   * `X-CSRFToken`, `__Host-psifi.x-csrf-token` → `x-csrf-token`), or carry a token read from
   * answers or fetched from an endpoint; one retry after a CSRF refusal. `false` turns it off.
   * @default {} (echo the pairs of `defaultCsrfEcho`)
   */
  csrf?: CsrfOptions | false
  /**
   * Hooks of every call of this client (request, uploadFile, downloadFile), before the call's own
   * `hooks`. With `sdkCalls: true` the SDK's own calls (warm-up, login, logout, keep-alive, CSRF
   * token endpoint) go through them too.
   * @default {}
   */
  hooks?: Hooks & { sdkCalls?: boolean }
  /**
   * Retries of transient failures (network errors, timeouts, and the `statusCodes` given) for
   * idempotent methods, with exponential backoff and jitter; a number is `{ limit }`. Per call:
   * `retry`. Separate from the session's renew-and-retry on an expired answer.
   * @default false (no retries)
   * @example { limit: 2, statusCodes: [408, 429, 500, 502, 503, 504] }
   */
  retry?: RetryOptions | number | false
}

// Each option: what it accepts (kinds separated by spaces, see `kinds`; 'a|b|c' for one of those
// values) and its default. The mapped type makes a new option without a rule a compile error.
const spec: { [K in keyof SessionOptions]-?: [accepts: string, fallback?: unknown] } = {
  baseURL: ['baseURL', ''],
  platform: ['any'],
  mode: ['cookie|header|url', 'cookie'],
  sessionCookie: ['name name[]', ['JSESSIONID', 'PHPSESSID', 'connect.sid', 'SESSION', 'sessionid', 'sid']],
  header: ['object', {}],
  url: ['object', {}],
  sessionFromBody: ['function'],
  jar: ['boolean', true],
  warmup: ['false string', false],
  warmupBackoff: ['ms', 1000],
  login: ['false {url}', false],
  autoLogin: ['boolean', true],
  loginTimeout: ['ms', 10_000],
  loginBackoff: ['ms', 1000],
  needLogin: ['boolean', false],
  logout: ['false string', false],
  isExpired: ['function', (res: SessionResponse) => res.statusCode === 401],
  refreshInterval: ['false ms', 20 * 60_000],
  refresh: ['string'],
  storageKey: ['name'],
  namespace: ['string', ''],
  persistSessionCookies: ['boolean', true],
  clock: [
    'clock',
    {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (handle: never) => clearTimeout(handle),
    },
  ],
  isPublicSuffix: ['function'],
  onError: ['function'],
  onSessionExpired: ['function'],
  debug: ['boolean function', false],
  csrf: ['false object'],
  hooks: ['object', {}],
  retry: ['false count object', 0],
}
// The keys an object option may have, and what each accepts. Any other key is refused as unknown.
const nested: Record<string, string> = {
  'header.name': 'name',
  'header.prefix': 'string',
  'header.format': 'function',
  'url.style': 'path|query',
  'url.name': 'name',
  'login.url': 'string',
  'login.method': 'POST|PUT|GET',
  'login.data': 'function',
  'csrf.echo': 'object',
  'csrf.tokenFrom': 'string function',
  'csrf.tokenHeader': 'name',
  'csrf.endpoint': 'false string',
  'csrf.oneTime': 'boolean',
  'csrf.isFailure': 'function',
  ...hookRules('hooks'),
  'hooks.sdkCalls': 'boolean',
  ...retryRules('retry'),
}

/** The rules of a `hooks` object (client option, or a call's own). */
function hookRules(parent: string): Record<string, string> {
  return {
    [`${parent}.beforeRequest`]: 'function',
    [`${parent}.afterResponse`]: 'function',
    [`${parent}.onError`]: 'function',
  }
}

/** The rules of a `retry` object (client option, or a call's own). */
function retryRules(parent: string): Record<string, string> {
  return {
    [`${parent}.limit`]: 'count',
    [`${parent}.methods`]: 'name[]',
    [`${parent}.statusCodes`]: 'number[]',
    [`${parent}.delay`]: 'ms',
    [`${parent}.maxDelay`]: 'ms',
    [`${parent}.random`]: 'function',
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const isName = (v: unknown): boolean => typeof v === 'string' && v !== ''
// What src/cookie/url.ts parses as http(s) with a host (so what the network contacts is the
// origin the session is bound to), with no credentials in the authority, no '\', query,
// fragment or space.
const isBaseUrl = (v: string): boolean =>
  /^https?:\/\/[^/@\\?#\s]*(\/[^\\?#\s]*)?$/i.test(v) && parseUrl(v) !== null

type Kind = [check: (v: unknown) => boolean, described: string]
/** The kinds of value an option may accept that `typeof` does not name: check, and words for a message. */
const kinds: Record<string, Kind> = {
  any: [() => true, 'anything'],
  false: [(v) => v === false, 'false'],
  name: [isName, 'a non-empty string'],
  'name[]': [(v) => Array.isArray(v) && v.every(isName), 'an array of non-empty strings'],
  ms: [(v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'milliseconds > 0'],
  count: [
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10,
    'an integer from 0 to 10',
  ],
  'number[]': [(v) => Array.isArray(v) && v.every((n) => typeof n === 'number'), 'an array of numbers'],
  signal: [
    (v) => isObject(v) && typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function',
    'an AbortSignal ({ aborted, addEventListener })',
  ],
  object: [isObject, 'an object'],
  '{url}': [(v) => isObject(v) && typeof v.url === 'string', '{ url: string }'],
  clock: [
    (v) => isObject(v) && ['now', 'setTimeout', 'clearTimeout'].every((k) => typeof v[k] === 'function'),
    '{ now, setTimeout, clearTimeout }',
  ],
  baseURL: [
    (v) => v === '' || (typeof v === 'string' && isBaseUrl(v)),
    "an absolute http(s) URL like 'https://api.example.com'",
  ],
}
const TYPEOF = ['boolean', 'string', 'number', 'function']

/** A kind from `kinds`; else boolean, string, number or function (typeof); else 'a|b|c': one of those. */
function kind(name: string): Kind {
  const values = name.split('|')
  if (kinds[name]) return kinds[name]
  if (TYPEOF.includes(name)) return [(v) => typeof v === name, `a ${name}`]
  return [(v) => values.includes(v as string), `'${values.join("' | '")}'`]
}

function refuse(message: string): never {
  throw new SessionError('INVALID_OPTION', message)
}

/**
 * Refuses an unknown option, naming the known one it differs from only in case or in `.`, `_`
 * and `-` (baseUrl, base_url → baseURL; loginUrl → `login: { url }`).
 */
function unknown(path: string, known: string[]): never {
  const plain = (s: string) => s.toLowerCase().replace(/[._-]/g, '')
  const guess = known.find((candidate) => plain(candidate) === plain(path))
  // A nested option is spelled as it is written: `login: { url }`.
  const spelled = guess && guess.replace(/^(\w+)\.(\w+)$/, '$1: { $2 }')
  refuse(`unknown option \`${path}\`${spelled ? ` — did you mean \`${spelled}\`?` : ''}`)
}

/** Refuses a value none of the space-separated kinds in `accepted` accepts. */
function check(name: string, value: unknown, accepted: string): void {
  const rules = accepted.split(' ').map(kind)
  if (value === undefined || rules.some(([ok]) => ok(value))) return
  const what = rules.map(([, described]) => described).join(' or ')
  refuse(`${name === 'options' ? '`options`' : `option \`${name}\``} must be ${what}`)
}

/** Options after validation, with every default and derived value filled in. */
export interface Resolved {
  baseURL: string
  platform: unknown
  mode: 'cookie' | 'header' | 'url'
  /** Lower-cased names of the session cookie (and in url mode the URL parameter). */
  names: Set<string>
  headerName: string
  urlStyle: 'path' | 'query'
  urlName: string
  sessionFromBody: ((data: unknown) => unknown) | undefined
  jar: boolean
  warmup: string | false
  warmupBackoff: number
  login: Required<LoginOptions> | false
  /** Only true when `login` is set. */
  autoLogin: boolean
  loginTimeout: number
  loginBackoff: number
  needLogin: boolean
  logout: string | false
  isExpired: (res: SessionResponse) => boolean
  refreshInterval: number | false
  refresh: string | false
  key: string
  persistSessionCookies: boolean
  clock: SessionClock
  isPublicSuffix: ((domain: string) => boolean) | undefined
  onError: ((error: SessionError) => void) | undefined
  onSessionExpired: ((error: SessionError) => void) | undefined
  log: (message: string) => void
  csrf: CsrfConfig
  /** Header mode: the value sent for an id, and the id read from an answer's header value. */
  formatId: (id: string) => string
  parseId: (value: string | undefined) => string | undefined
  hooks: Hooks
  /** The SDK's own calls go through `hooks`. */
  sdkHooks: boolean
  retry: Retry
}

/** Retry options with every default filled in. */
export interface Retry {
  limit: number
  methods: readonly string[]
  statusCodes: readonly number[]
  delay: number
  maxDelay: number
  random: () => number
}

const NO_RETRY: Retry = {
  limit: 0,
  methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'],
  statusCodes: [],
  delay: 300,
  maxDelay: 10_000,
  random: Math.random,
}

/** `retry` (a number, false or an object; undefined keeps `base`) over `base`. */
function retryOver(base: Retry, given: unknown): Retry {
  if (given === undefined) return base
  if (given === false) return { ...base, limit: 0 }
  if (typeof given === 'number') return { ...base, limit: given }
  const own = given as RetryOptions
  return {
    limit: own.limit ?? base.limit,
    methods: own.methods ? own.methods.map((m) => m.toUpperCase()) : base.methods,
    statusCodes: own.statusCodes ?? base.statusCodes,
    delay: own.delay ?? base.delay,
    maxDelay: own.maxDelay ?? base.maxDelay,
    random: own.random ?? base.random,
  }
}

/** A call's own options, validated: what the SDK adds to the platform's options. */
export interface CallResolved {
  needLogin: boolean | undefined
  rejectOnHttpError: boolean
  hooks: Hooks
  retry: Retry
  signal: AbortSignalLike | undefined
}

const callSpec: Record<string, string> = {
  needLogin: 'boolean',
  rejectOnHttpError: 'boolean',
  hooks: 'object',
  retry: 'false count object',
  signal: 'signal',
}
const callNested: Record<string, string> = { ...hookRules('hooks'), ...retryRules('retry') }

/** Validates a call's own options (the platform's options are the platform's to check). */
export function resolveCall(o: Resolved, given: Record<string, unknown>): CallResolved {
  for (const key in callSpec) {
    const value = given[key]
    if (value === undefined) continue // the common case, on every call: nothing to check
    check(key, value, callSpec[key]!)
    const keys = Object.keys(callNested).filter((path) => path.startsWith(`${key}.`))
    if (!isObject(value) || !keys.length) continue
    for (const sub in value) {
      if (!keys.includes(`${key}.${sub}`)) unknown(`${key}.${sub}`, keys)
      check(`${key}.${sub}`, value[sub], callNested[`${key}.${sub}`]!)
    }
  }
  return {
    needLogin: given.needLogin as boolean | undefined,
    rejectOnHttpError: given.rejectOnHttpError === true,
    hooks: (given.hooks || {}) as Hooks,
    retry: retryOver(o.retry, given.retry),
    signal: given.signal as AbortSignalLike | undefined,
  }
}

/** Validates user options and fills in every default (one place). Throws SessionError('INVALID_OPTION'). */
export function resolveOptions(input: unknown = {}): Resolved {
  check('options', input, 'object')
  const given = input as Record<string, Record<string, unknown> | undefined>
  // undefined means "default" everywhere, as if the key were absent.
  const o: Record<string, unknown> = {}
  for (const key in spec) o[key] = spec[key as 'jar'][1]
  const nestedPaths = Object.keys(nested)
  const keysOf = (parent: string) => nestedPaths.filter((path) => path.startsWith(`${parent}.`))
  for (const key in given) {
    if (!Object.prototype.hasOwnProperty.call(spec, key)) unknown(key, [...Object.keys(spec), ...nestedPaths])
    const value = given[key]
    // Unknown keys inside an object option first: `login: { URL }` is a typo, not a wrong type.
    const keys = keysOf(key)
    if (keys.length > 0 && isObject(value))
      for (const sub in value) if (!keys.includes(`${key}.${sub}`)) unknown(`${key}.${sub}`, keys)
    check(key, value, spec[key as 'jar'][0])
    if (value !== undefined) o[key] = value
  }
  for (const path of nestedPaths) {
    const [parent, key] = path.split('.') as [string, string]
    const value = o[parent]
    if (isObject(value)) check(path, value[key], nested[path]!)
  }
  const {
    header,
    url,
    login,
    debug,
    sessionCookie,
    mode,
    warmup,
    storageKey,
    namespace,
    baseURL,
    autoLogin,
  } = o as unknown as Required<SessionOptions>
  const base = baseURL.replace(/\/+$/, '')
  // Two clients for two backends must not share a key: the default names the backend's origin.
  const key = storageKey || (base ? `miniprogram-session@${originOf(base) || base}` : 'miniprogram-session')
  const urlStyle = url.style || 'path'
  const urlName = url.name || (urlStyle === 'path' ? 'jsessionid' : 'PHPSESSID')
  return Object.assign(o as unknown as Resolved, {
    baseURL: base,
    names: new Set(
      [
        ...(typeof sessionCookie === 'string' ? [sessionCookie] : sessionCookie),
        ...(mode === 'url' ? [urlName] : []),
      ].map((n) => n.toLowerCase()),
    ),
    headerName: header.name || 'X-Session-Id',
    ...headerCarrier(header.prefix || '', header.format),
    hooks: o.hooks as Hooks,
    sdkHooks: (o.hooks as { sdkCalls?: boolean }).sdkCalls === true,
    retry: retryOver(NO_RETRY, o.retry),
    urlStyle,
    urlName,
    login: login && {
      url: login.url,
      method: login.method || 'POST',
      data: login.data || ((code: string) => ({ code })),
    },
    autoLogin: !!login && autoLogin,
    refresh: o.refresh === undefined ? warmup || (login ? 'login' : false) : o.refresh,
    key: namespace ? `${key}:${namespace}` : key,
    csrf: resolveCsrf(o.csrf as CsrfOptions | false | undefined),
    log: (m: string) => (debug === true ? console.log(`[miniprogram-session] ${m}`) : debug && debug(m)),
  })
}
