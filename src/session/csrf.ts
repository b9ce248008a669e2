import { SessionError } from '../errors.js'
import type { SessionResponse } from '../options.js'
import { headerValue } from './carrier.js'

// CSRF tokens for session-cookie backends (../shared/CSRF.md): echo a token cookie in a header
// the way axios and Angular do in a browser, or carry a token the backend hands out in answers.
// Pure: the session layer (lifecycle.ts) owns the jar, the id, the origin check and the network,
// and calls in before sending (ensure, attach), on each answer (capture, isFailure) and on logout
// (forget). A token read from answers is a fact about one session id, like a login (DESIGN.md):
// once the id changes (login and renew rotate it, a dropped session gets a new one) it is void.

/** A cookie as the jar would send it with a request. */
export interface CookiePair {
  name: string
  value: string
}

/** The `csrf` option. Every field is optional; `csrf: false` turns all of it off. */
export interface CsrfOptions {
  /**
   * Cookie → request header pairs. On an unsafe request (not GET/HEAD/OPTIONS/TRACE) to the
   * backend, the value of each of these cookies that the jar sends with that request also goes,
   * URL-decoded, in its header. Replaces the defaults (spread `defaultCsrfEcho` to extend them).
   * @default { 'XSRF-TOKEN': 'X-XSRF-TOKEN', csrftoken: 'X-CSRFToken', '__Host-psifi.x-csrf-token': 'x-csrf-token' }
   * (Spring's cookie repository, Laravel, Angular-style and ASP.NET SPA recipes; Django; csrf-csrf)
   */
  echo?: Readonly<Record<string, string>>
  /**
   * Where a token that is not in a cookie comes from (Spring's session repository, Flask-WTF,
   * Rails, csrf-sync, ThinkPHP): the name of a response header, or a function of an answer's body
   * that returns the token (anything but a non-empty string means "no token here"). Read from
   * every answer of the backend; the token is sent in `tokenHeader`.
   * @default undefined
   * @example 'X-CSRF-Token'
   * @example body => body.csrfToken
   */
  tokenFrom?: string | ((data: unknown) => unknown)
  /**
   * The request header that carries a token read by `tokenFrom`.
   * @default 'X-CSRF-Token'
   */
  tokenHeader?: string
  /**
   * A URL (GET) whose answer carries the token, fetched before the first unsafe request of each
   * session id (so again after login, logout and a renew) and after a CSRF failure.
   * @default false
   * @example '/csrf'
   */
  endpoint?: string | false
  /**
   * One-time tokens (ThinkPHP deletes its token on every check): fetch a fresh token from
   * `endpoint` before each unsafe request, one request at a time. Needs `endpoint`.
   * @default false
   */
  oneTime?: boolean
  /**
   * Whether an answer is the backend refusing a request for its CSRF token: the session then gets
   * the token again and retries once.
   * @default `isCsrfFailure`: 419 (Laravel), or 403 / 400 (Flask-WTF) with "csrf" or "xsrf" in the body
   */
  isFailure?: (res: SessionResponse) => boolean
}

/** `CsrfOptions` with every default filled in; `csrf: false` gives one that does nothing. */
export interface CsrfConfig {
  /** [cookie name, header name], in the order given. */
  echo: ReadonlyArray<readonly [cookie: string, header: string]>
  tokenFrom: string | ((data: unknown) => unknown) | undefined
  tokenHeader: string
  endpoint: string | false
  oneTime: boolean
  isFailure: (res: SessionResponse) => boolean
}

/** The cookie → header pairs echoed unless `echo` says otherwise. */
export const defaultCsrfEcho: Readonly<Record<string, string>> = {
  'XSRF-TOKEN': 'X-XSRF-TOKEN',
  csrftoken: 'X-CSRFToken',
  '__Host-psifi.x-csrf-token': 'x-csrf-token',
}

// RFC 9110 §9.2.1: the safe methods, which no CSRF check covers (Django checks all but these four).
const SAFE = /^(GET|HEAD|OPTIONS|TRACE)$/i
// RFC 9110 §5.6.2 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~\w-]+$/
// A token we are willing to put in a header: visible ASCII, bounded (a CR/LF must never reach a header).
const TOKEN = /^[\x21-\x7e]{1,4096}$/
const MARKER = /csrf|xsrf/i

/**
 * The default `isFailure`: Laravel's 419, or a 403 (Django, Spring, csrf-csrf, csrf-sync) or 400
 * (Flask-WTF) whose body names CSRF. A plain 403 is a refusal of the resource, not of the token.
 */
export function isCsrfFailure({ statusCode, data }: SessionResponse): boolean {
  if (statusCode === 419) return true
  if (statusCode !== 403 && statusCode !== 400) return false
  if (typeof data === 'string') return MARKER.test(data)
  if (!data || typeof data !== 'object' || data instanceof ArrayBuffer) return false
  try {
    return MARKER.test(JSON.stringify(data))
  } catch {
    return false
  }
}

const invalid = (name: string, rule: string): SessionError =>
  new SessionError('INVALID_OPTION', `option \`csrf.${name}\` must be ${rule}`)

/**
 * Fills in the defaults of the `csrf` option (undefined means the defaults, false means off).
 * Throws SessionError('INVALID_OPTION') for what a type check alone cannot see.
 */
export function resolveCsrf(input: CsrfOptions | false | undefined): CsrfConfig {
  if (input === false)
    return {
      echo: [],
      tokenFrom: undefined,
      tokenHeader: '',
      endpoint: false,
      oneTime: false,
      isFailure: () => false,
    }
  const options = input || {}
  if (options.echo !== undefined && (typeof options.echo !== 'object' || options.echo === null))
    throw invalid('echo', 'an object of cookie names mapped to header names')
  const echo = Object.entries(options.echo || defaultCsrfEcho)
  for (const [cookie, header] of echo)
    if (!cookie || typeof header !== 'string' || !HEADER_NAME.test(header))
      throw invalid('echo', 'an object of cookie names mapped to header names')
  const tokenHeader = options.tokenHeader || 'X-CSRF-Token'
  if (!HEADER_NAME.test(tokenHeader)) throw invalid('tokenHeader', 'a header name')
  const endpoint = options.endpoint || false
  if (options.oneTime && !endpoint) throw invalid('oneTime', 'used with `csrf.endpoint`')
  return {
    echo,
    tokenFrom: options.tokenFrom,
    tokenHeader,
    endpoint,
    oneTime: options.oneTime === true,
    isFailure: options.isFailure || isCsrfFailure,
  }
}

/** What the session layer calls. `isBackend`: the URL is the backend's origin (`baseURL`). */
export interface Csrf {
  /**
   * Before an unsafe backend request is sent: resolves once a token has been fetched from the
   * endpoint, if one must be (the first unsafe request of each session id; every one with
   * `oneTime`), with a `done` to call as soon as that request's answer (or failure) is in. With
   * `oneTime` the next request waits for it. Undefined when there is nothing to wait for.
   * Call it before the request takes note of its session: the fetch may change the id.
   * Concurrent callers share one fetch; one-time turns run one after another.
   * Rejects with `fetchToken`'s error when the endpoint cannot be reached.
   */
  ensure(
    method: string,
    isBackend: boolean,
    fetchToken: () => Promise<unknown>,
  ): Promise<() => void> | undefined
  /**
   * Adds to `header` (the copy about to be sent) the token headers of an unsafe backend request:
   * the token read from answers, then each echoed cookie among `cookies()` (called only when
   * needed). A header the caller set, in any casing, is never overwritten.
   */
  attach(
    header: Record<string, string>,
    method: string,
    isBackend: boolean,
    cookies: () => readonly CookiePair[],
  ): void
  /**
   * Reads a token from an answer of the backend (`tokenFrom`); never pass another origin's. Call
   * it after the answer's session id was taken, so the token belongs to the id it came with.
   */
  capture(res: SessionResponse): void
  /**
   * The token is void even though the id did not change (logout, a CSRF failure): the next unsafe
   * request fetches it again. A changed id needs no call.
   */
  forget(): void
  /** Whether the backend refused this unsafe request for its CSRF token (`isFailure`). */
  isFailure(method: string, isBackend: boolean, res: SessionResponse): boolean
}

const decoded = (value: string): string => {
  try {
    // Laravel's XSRF-TOKEN cookie is URL-encoded (`%3D`); the header must carry it decoded.
    return decodeURIComponent(value)
  } catch {
    return value // a stray `%` is sent as it is, as axios and Angular do
  }
}

const noop = (): void => {}

/** `sessionId` reads the session's current id (undefined when there is none). */
export function createCsrf(config: CsrfConfig, sessionId: () => string | undefined): Csrf {
  const { echo, tokenFrom, tokenHeader, endpoint, oneTime } = config
  const idNow = (): string => sessionId() || ''
  // The token read from answers, and the session id it came with.
  let token: string | undefined
  let tokenFor = ''
  // The session id the endpoint was fetched for (undefined: not fetched). `epoch` counts forget()
  // calls, so a fetch that one overtook does not count.
  let fetchedFor: string | undefined
  let epoch = 0
  let fetching: Promise<void> | undefined
  // One-time mode: released when the last request in line is done; the next one starts then.
  let line: Promise<void> = Promise.resolve()

  const unsafe = (method: string, isBackend: boolean): boolean => isBackend && !SAFE.test(method)

  function fetchShared(fetchToken: () => Promise<unknown>): Promise<void> {
    if (fetching) return fetching
    const startedIn = epoch
    const current: Promise<void> = Promise.resolve()
      .then(fetchToken)
      .then(() => {
        // It counts for the id its answer left (it may have made the session: a first contact, a
        // dropped session), unless forget() overtook it.
        if (startedIn === epoch) fetchedFor = idNow()
      })
      .finally(() => {
        if (fetching === current) fetching = undefined
      })
    return (fetching = current)
  }

  function takeTurn(fetchToken: () => Promise<unknown>): Promise<() => void> {
    const previous = line
    let release = noop
    // This turn starts when the previous one is released, so the next one need only wait for this.
    line = new Promise<void>((resolve) => (release = resolve))
    return previous.then(fetchToken).then(
      () => () => {
        token = undefined // used up by the check it is sent to
        release()
      },
      (error: unknown) => {
        release()
        throw error
      },
    )
  }

  return {
    ensure(method, isBackend, fetchToken) {
      if (!endpoint || !unsafe(method, isBackend)) return undefined
      if (oneTime) return takeTurn(fetchToken)
      if (fetchedFor === idNow()) return undefined
      // Fetched again, once, when forget() overtook the first fetch.
      return fetchShared(fetchToken)
        .then(() => (fetchedFor === idNow() ? undefined : fetchShared(fetchToken)))
        .then(() => noop)
    },

    attach(header, method, isBackend, cookies) {
      if (!unsafe(method, isBackend)) return
      const taken = new Set(Object.keys(header).map((name) => name.toLowerCase()))
      const put = (name: string, value: string | undefined): void => {
        if (value === undefined || !TOKEN.test(value) || taken.has(name.toLowerCase())) return
        header[name] = value
        taken.add(name.toLowerCase())
      }
      if (tokenFor === idNow()) put(tokenHeader, token)
      if (!echo.length) return
      // The first cookie of a name is the one a server reads: a later one never stands in for it.
      const seen = new Set<string>()
      for (const cookie of cookies()) {
        const pair = echo.find(([name]) => name === cookie.name)
        if (pair && !seen.has(cookie.name)) put(pair[1], decoded(cookie.value))
        seen.add(cookie.name)
      }
    },

    capture(res) {
      if (!tokenFrom) return
      let found: unknown
      try {
        found = typeof tokenFrom === 'string' ? headerValue(res.header, tokenFrom) : tokenFrom(res.data)
      } catch {
        return // a throwing extractor must not break the request whose answer it read
      }
      if (typeof found !== 'string' || !TOKEN.test(found)) return
      token = found
      tokenFor = idNow()
    },

    forget() {
      token = undefined
      fetchedFor = undefined
      fetching = undefined
      epoch++
    },

    isFailure: (method, isBackend, res) => unsafe(method, isBackend) && config.isFailure(res),
  }
}
