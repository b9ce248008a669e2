import { parseUrl } from '../cookie/index.js'
import type { Cookie, CookieJar, JarChange } from '../cookie/index.js'
import type { ResolvedOptions } from '../options.js'
import type { PlatformResponse } from '../platform/types.js'

/** Puts the session id into a URL: `;name=ID` before the query (servlet) or `?name=ID` (PHP). */
export function withSessionInUrl(url: string, style: 'path' | 'query', name: string, id: string): string {
  const hashAt = url.indexOf('#')
  const hash = hashAt < 0 ? '' : url.slice(hashAt)
  let rest = hashAt < 0 ? url : url.slice(0, hashAt)
  const queryAt = rest.indexOf('?')
  const query = queryAt < 0 ? '' : rest.slice(queryAt)
  rest = queryAt < 0 ? rest : rest.slice(0, queryAt)
  if (style === 'path') {
    // Servlet spec: the path parameter follows the last path segment, before the query.
    const existing = rest.toLowerCase().lastIndexOf(`;${name.toLowerCase()}=`)
    if (existing >= 0) rest = rest.slice(0, existing)
    return `${rest};${name}=${id}${query}${hash}`
  }
  const pairs = query
    ? query
        .slice(1)
        .split('&')
        .filter((p) => p && p.split('=')[0] !== name)
    : []
  pairs.push(`${name}=${encodeURIComponent(id)}`)
  return `${rest}?${pairs.join('&')}${hash}`
}

function originOf(url: string): string | undefined {
  const u = parseUrl(url)
  return u ? `${u.scheme}://${u.host}:${u.port}` : undefined
}

function cookieName(line: string): string {
  const eq = line.indexOf('=')
  const semi = line.indexOf(';')
  return (eq < 0 || (semi >= 0 && semi < eq) ? '' : line.slice(0, eq)).trim()
}

// A Set-Cookie that deletes: empty value, Max-Age <= 0 (RFC 6265bis 5.6.2) or a past date we do
// not bother parsing here; the jar does the precise work in cookie mode.
function deletes(line: string, value: string): boolean {
  return value === '' || /;\s*max-age\s*=\s*(-|0+\s*(;|$))/i.test(line)
}

export interface Capture {
  /** The jar's verdict (0 nothing, 1 only expiry moved, 2 a cookie changed). */
  change: JarChange
  /** The session id appeared, changed or went away. */
  idChanged: boolean
}

/**
 * How the session id travels (cookie | header | url): attach it to outgoing calls, capture it
 * from answers. The jar, when on, stores every cookie in every mode; in header/url mode the
 * session cookie itself is taken as the id instead of being stored in the jar.
 */
export interface Carrier {
  /** Header/url mode: the current id. Cookie mode keeps it in the jar. */
  id: string | undefined
  readonly jar: CookieJar | undefined
  /** Adds the session to `header` (mutated) and returns the URL to send. */
  attach(url: string, header: Record<string, string>): string
  /** Reads cookies and the session id from an answer to `url` (the URL before `attach`); `body`: also ask sessionFromBody. */
  capture(url: string, res: PlatformResponse, body: boolean): Capture
  /** The current session id, if any. */
  sessionId(): string | undefined
  /** Forgets the session cookies (logout); the server's other cookies stay. */
  clearSessionCookies(rebuild: (cookies: Cookie[]) => CookieJar): void
}

export function createCarrier(o: ResolvedOptions, jar: CookieJar | undefined): Carrier {
  const {
    mode,
    header: { name: headerName },
    url: { style, name: urlName },
  } = o
  const names = new Set(
    [...o.sessionCookie, ...(mode === 'url' ? [urlName] : [])].map((n) => n.toLowerCase()),
  )
  const origin = o.baseURL ? originOf(o.baseURL) : undefined
  const isSession = (name: string): boolean => names.has(name.toLowerCase())
  // Session ids go to our backend only: a third-party URL never sees them.
  const ours = (url: string): boolean =>
    origin === undefined || url.startsWith(origin) || originOf(url) === origin
  const fromJar = (): string | undefined => {
    for (const c of jar ? jar.all() : []) if (isSession(c.name)) return c.value
    return undefined
  }
  // Cookie mode: the id as of the last change, so an answer that only moves an expiry (a rolling
  // session sends one on every response) costs no jar scan.
  let cookieId = mode === 'cookie' ? fromJar() : undefined

  const carrier: Carrier = {
    id: undefined,
    get jar() {
      return jar
    },
    attach(url, header) {
      if (jar) {
        const fromJar = jar.getCookieHeader(url)
        if (fromJar) mergeCookie(header, fromJar)
      }
      const id = carrier.id
      if (mode === 'cookie' || id === undefined || !ours(url)) return url
      if (mode === 'url') return withSessionInUrl(url, style, urlName, id)
      header[headerName] = id
      return url
    },
    capture(url, res, body) {
      let lines = res.setCookies
      if (mode === 'cookie') {
        const change = jar && lines.length > 0 ? jar.setCookies(lines, url) : 0
        if (change !== 2) return { change, idChanged: false }
        const before = cookieId
        cookieId = fromJar()
        return { change, idChanged: cookieId !== before }
      }
      let id: string | null | undefined // undefined: not in this answer; null: deleted
      if (lines.length > 0) {
        const others: string[] = []
        for (const line of lines) {
          const name = cookieName(line)
          if (!name || !isSession(name)) {
            others.push(line)
            continue
          }
          const semi = line.indexOf(';')
          const value = line.slice(line.indexOf('=') + 1, semi < 0 ? undefined : semi).trim()
          id = deletes(line, value) ? null : value
        }
        lines = others
      }
      id = headerValue(res.header, headerName) ?? id
      if (body && o.sessionFromBody) {
        const fromBody = o.sessionFromBody(res.data)
        if (typeof fromBody === 'string' && fromBody) id = fromBody
      }
      const idChanged = id !== undefined && (id ?? undefined) !== carrier.id
      if (idChanged) carrier.id = id ?? undefined
      const change = jar && lines.length > 0 ? jar.setCookies(lines, url) : 0
      return { change: idChanged ? 2 : change, idChanged }
    },
    sessionId: () => (mode === 'cookie' ? fromJar() : carrier.id),
    clearSessionCookies(rebuild) {
      if (!jar) return
      const all = jar.toJSON().cookies
      const kept = all.filter((c) => !isSession(c.name))
      if (kept.length !== all.length) jar = rebuild(kept)
      cookieId = undefined
    },
  }
  return carrier
}

function headerValue(header: Record<string, unknown>, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const key in header) {
    if (key.toLowerCase() !== wanted) continue
    const v = header[key]
    const s = Array.isArray(v) ? v[0] : v
    return typeof s === 'string' && s ? s : undefined
  }
  return undefined
}

// A caller's own Cookie header is kept: its pairs win over the jar's pairs of the same name.
function mergeCookie(header: Record<string, string>, fromJar: string): void {
  let key: string | undefined
  for (const k in header) if (k.toLowerCase() === 'cookie') key = k
  const own = key === undefined ? '' : String(header[key]).trim()
  if (!own) {
    if (key !== undefined) delete header[key]
    header['Cookie'] = fromJar
    return
  }
  const nameOf = (pair: string): string => {
    const eq = pair.indexOf('=')
    return (eq < 0 ? pair : pair.slice(0, eq)).trim()
  }
  const ownNames = new Set(own.split(';').map(nameOf))
  const kept = fromJar.split('; ').filter((p) => !ownNames.has(nameOf(p)))
  header[key as string] = kept.length ? `${kept.join('; ')}; ${own}` : own
}
