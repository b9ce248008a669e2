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
  let query = queryAt < 0 ? '' : rest.slice(queryAt)
  rest = queryAt < 0 ? rest : rest.slice(0, queryAt)
  if (style === 'path') {
    // Servlet spec: the path parameter follows the last path segment, before the query.
    const existing = rest.toLowerCase().lastIndexOf(`;${name.toLowerCase()}=`)
    if (existing >= 0) rest = rest.slice(0, existing)
    return `${rest};${name}=${id}${query}${hash}`
  }
  const pairs = query ? query.slice(1).split('&').filter((p) => p && p.split('=')[0] !== name) : []
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
export class Carrier {
  /** Header/url mode: the current id. Cookie mode keeps it in the jar. */
  id: string | undefined
  private readonly names: Set<string>
  private readonly origin: string | undefined

  constructor(
    private readonly o: ResolvedOptions,
    public jar: CookieJar | undefined,
  ) {
    this.names = new Set([...o.sessionCookie, ...(o.mode === 'url' ? [o.url.name] : [])].map((n) => n.toLowerCase()))
    this.origin = o.baseURL ? originOf(o.baseURL) : undefined
  }

  /** Session ids go to our backend only (a third-party URL never sees them). */
  private ours(url: string): boolean {
    return this.origin === undefined || url.startsWith(this.origin) || originOf(url) === this.origin
  }

  /** Adds the session to `header` (mutated) and returns the URL to send. */
  attach(url: string, header: Record<string, string>): string {
    if (this.jar) {
      const fromJar = this.jar.getCookieHeader(url)
      if (fromJar) mergeCookie(header, fromJar)
    }
    if (this.o.mode === 'cookie' || this.id === undefined || !this.ours(url)) return url
    if (this.o.mode === 'header') {
      header[this.o.header.name] = this.id
      return url
    }
    return withSessionInUrl(url, this.o.url.style, this.o.url.name, this.id)
  }

  /** Reads cookies and the session id from an answer to `url` (the URL before `attach`). */
  capture(url: string, res: PlatformResponse, body: boolean): Capture {
    let lines = res.setCookies
    let idChanged = false
    if (this.o.mode === 'cookie') {
      if (!this.jar || lines.length === 0) return { change: 0, idChanged }
      const before = this.sessionId()
      const change = this.jar.setCookies(lines, url)
      return { change, idChanged: change === 2 && this.sessionId() !== before }
    }
    let id: string | null | undefined // undefined: not in this answer; null: deleted
    if (lines.length > 0) {
      const others: string[] = []
      for (const line of lines) {
        const name = cookieName(line)
        if (!name || !this.names.has(name.toLowerCase())) {
          others.push(line)
          continue
        }
        const semi = line.indexOf(';')
        const value = line.slice(line.indexOf('=') + 1, semi < 0 ? undefined : semi).trim()
        id = deletes(line, value) ? null : value
      }
      lines = others
    }
    const fromHeader = headerValue(res.header, this.o.header.name)
    if (fromHeader) id = fromHeader
    if (body && this.o.sessionFromBody) {
      const fromBody = this.o.sessionFromBody(res.data)
      if (typeof fromBody === 'string' && fromBody) id = fromBody
    }
    if (id !== undefined && (id ?? undefined) !== this.id) {
      this.id = id ?? undefined
      idChanged = true
    }
    const change = this.jar && lines.length > 0 ? this.jar.setCookies(lines, url) : 0
    return { change: idChanged ? 2 : change, idChanged }
  }

  /** Forgets the session cookies (logout); the server's other cookies stay. */
  clearSessionCookies(rebuild: (cookies: Cookie[]) => CookieJar): void {
    if (!this.jar) return
    const all = this.jar.toJSON().cookies
    const kept = all.filter((c) => !this.names.has(c.name.toLowerCase()))
    if (kept.length !== all.length) this.jar = rebuild(kept)
  }

  /** The current session id, if any. */
  sessionId(): string | undefined {
    if (this.o.mode !== 'cookie') return this.id
    if (!this.jar) return undefined
    for (const c of this.jar.all()) if (this.names.has(c.name.toLowerCase())) return c.value
    return undefined
  }
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
  const ownNames = new Set(own.split(';').map((p) => p.slice(0, p.indexOf('=') >>> 0).trim()))
  const kept = fromJar.split('; ').filter((p) => !ownNames.has(p.slice(0, p.indexOf('=') >>> 0).trim()))
  header[key as string] = kept.length ? `${kept.join('; ')}; ${own}` : own
}
