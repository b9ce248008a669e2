import { parseSetCookie } from './parse.js'
import { defaultPath, domainMatch, isLoopback, parseUrl, pathMatch } from './url.js'
import type { ParsedUrl } from './url.js'

/** A stored cookie: a plain JSON-able object. */
export interface Cookie {
  name: string
  value: string
  /** Canonical (lower-case, no leading dot). */
  domain: string
  path: string
  /** Sent to `domain` only, not to its subdomains (no Domain attribute was given). */
  hostOnly: boolean
  secure: boolean
  httpOnly: boolean
  sameSite?: 'strict' | 'lax' | 'none'
  /** ms since epoch; absent for a session cookie. */
  expires?: number
  /** ms since epoch; a replaced cookie keeps the creation time of the one it replaced (§5.7). */
  creation: number
}

export interface CookieJarOptions {
  /** Clock, ms since epoch. Defaults to `Date.now`. */
  now?: () => number
  /**
   * A full public-suffix check (e.g. backed by the PSL). The built-in guard only knows bare TLDs and
   * `com|net|org|gov|edu|co|ac` under a two-letter country code (`com.cn`, `co.uk`).
   */
  isPublicSuffix?: (domain: string) => boolean
  /** Called with each malformed or refused line and a short reason. Nothing is ever thrown. */
  onReject?: (line: string, reason: string) => void
  /** Defaults to 50 (RFC 6265 §6.1 minimum); the oldest cookie of the domain is evicted first. */
  maxCookiesPerDomain?: number
  /** Defaults to 3000; the oldest cookie is evicted first. */
  maxCookies?: number
}

/**
 * What a `setCookie(s)` call did to the jar: 0 nothing; 1 only the expiry or attributes of existing
 * cookies moved (a "touch"); 2 a cookie was added, removed, or its value changed.
 */
export type JarChange = 0 | 1 | 2

const DAY = 864e5
const PS = /^[^.]+$|^(com|net|org|gov|edu|co|ac)\.[a-z]{2}$/

// §5.1.1 / the "secure" protocols: https, wss, and (as browsers do) http to a loopback host.
const secure = (u: ParsedUrl): boolean => u.scheme === 'https' || u.scheme === 'wss' || isLoopback(u.host)

const same = (a: Cookie, b: Cookie): boolean =>
  a.hostOnly === b.hostOnly &&
  a.secure === b.secure &&
  a.httpOnly === b.httpOnly &&
  a.sameSite === b.sameSite &&
  a.expires === b.expires

// §5.8.3 step 2: longer paths first, then earlier creation times
const before = (a: Cookie, b: Cookie): boolean =>
  a.path.length > b.path.length || (a.path.length === b.path.length && a.creation < b.creation)

/** An RFC 6265bis cookie store (§5.7 storage, §5.8 retrieval) for one client. */
export class CookieJar {
  /** The cookies, oldest first. */
  private c: Cookie[] = []
  private o: CookieJarOptions

  constructor(options: CookieJarOptions = {}) {
    this.o = options
  }

  private now(): number {
    return (this.o.now || Date.now)()
  }

  /** Applies lines in order; returns the largest change. */
  setCookies(lines: readonly string[], url: string): JarChange {
    let ch: JarChange = 0
    for (const l of lines) ch = Math.max(ch, this.setCookie(l, url)) as JarChange
    return ch
  }

  /** RFC 6265bis §5.7. A line the RFC says to ignore is reported to `onReject` and changes nothing. */
  setCookie(line: string, url: string): JarChange {
    const no = (why: string): 0 => (this.o.onReject?.(line, why), 0)
    const u = parseUrl(url)
    const p = parseSetCookie(line)
    if (!u) return no('url')
    if (!p) return no('malformed')
    const { name, value, path = defaultPath(u.path) } = p
    const now = this.now()
    const host = u.host
    let d = p.domain || ''
    // §5.7 step 8: a public-suffix Domain is only allowed as the request host itself (host-only then)
    if (d && (this.o.isPublicSuffix || ((x: string) => PS.test(x)))(d)) {
      if (d !== host) return no('public suffix')
      d = ''
    }
    if (d && !domainMatch(host, d)) return no('domain')
    if (p.secure && !secure(u)) return no('secure')
    // §5.7 step 4 and steps 20-21: __Secure- needs Secure; __Host- also host-only and Path=/
    const pre = (name || value).slice(0, 9).toLowerCase()
    const host_ = pre.startsWith('__host-')
    if ((host_ || pre === '__secure-') && (!name || !p.secure || (host_ && (d || p.path !== '/')))) {
      return no('prefix')
    }
    const domain = d || host
    // §5.7 step 16: plain http must not overwrite (shadow) a Secure cookie
    if (
      !p.secure &&
      !secure(u) &&
      this.c.some(
        (o) =>
          o.secure &&
          o.name === name &&
          (domainMatch(o.domain, domain) || domainMatch(domain, o.domain)) &&
          pathMatch(path, o.path),
      )
    ) {
      return no('secure')
    }
    const c: Cookie = {
      name,
      value,
      domain,
      path,
      hostOnly: !d,
      secure: p.secure,
      httpOnly: p.httpOnly,
      creation: now,
    }
    if (p.sameSite) c.sameSite = p.sameSite
    // §5.6.1/§5.6.2: Max-Age wins over Expires; both are capped at 400 days
    const exp = p.maxAge === undefined ? p.expires : p.maxAge > 0 ? now + p.maxAge * 1e3 : 0
    if (exp !== undefined) c.expires = Math.min(exp, now + 400 * DAY)
    this.c = this.live(now)
    const i = this.c.findIndex((o) => o.name === name && o.domain === domain && o.path === path)
    const old = this.c[i]
    if (exp !== undefined && exp <= now) {
      // deletion: only a change when something was there
      if (!old) return 0
      this.c.splice(i, 1)
      return 2
    }
    if (old) {
      c.creation = old.creation
      this.c[i] = c
      return old.value !== value ? 2 : same(old, c) ? 0 : 1
    }
    this.c.push(c)
    // §5.7 limits: evict the oldest of the domain, then the oldest overall
    const mine = this.c.filter((o) => o.domain === domain)
    if (mine.length > (this.o.maxCookiesPerDomain || 50)) this.evict(mine)
    if (this.c.length > (this.o.maxCookies || 3000)) this.evict(this.c)
    return 2
  }

  private evict(list: Cookie[]): void {
    const oldest = list.reduce((a, b) => (b.creation < a.creation ? b : a))
    this.c.splice(this.c.indexOf(oldest), 1)
  }

  private live(now: number): Cookie[] {
    return this.c.filter((o) => o.expires === undefined || o.expires > now)
  }

  /** RFC 6265bis §5.8.3: the `Cookie` header for a request to `url`, '' when none. */
  getCookieHeader(url: string): string {
    let h = ''
    for (const c of this.match(url)) h += (h ? '; ' : '') + (c.name ? c.name + '=' + c.value : c.value)
    return h
  }

  /** The cookies `getCookieHeader` would send, in the same order (copies). */
  getCookies(url: string): Cookie[] {
    return this.match(url).map((c) => ({ ...c }))
  }

  private match(url: string): Cookie[] {
    const u = parseUrl(url)
    const out: Cookie[] = []
    if (!u) return out
    const now = this.now()
    const s = secure(u)
    for (const c of this.c) {
      if (
        (c.expires === undefined || c.expires > now) &&
        (c.hostOnly ? c.domain === u.host : domainMatch(u.host, c.domain)) &&
        pathMatch(u.path, c.path) &&
        (s || !c.secure)
      ) {
        // insertion by longer path first, then earlier creation (§5.8.3 step 2); stable
        let i = out.length
        while (i && before(c, out[i - 1]!)) i--
        out.splice(i, 0, c)
      }
    }
    return out
  }

  /** Every live cookie (copies), oldest first. */
  all(): Cookie[] {
    return (this.c = this.live(this.now())).map((c) => ({ ...c }))
  }

  clear(): void {
    this.c = []
  }

  toJSON(): { v: 1; cookies: Cookie[] } {
    return { v: 1, cookies: this.all() }
  }

  /** Restores `toJSON()` output. Entries that are not cookies are dropped; garbage gives an empty jar. */
  static fromJSON(data: unknown, options?: CookieJarOptions): CookieJar {
    const jar = new CookieJar(options)
    const d = data as { v?: unknown; cookies?: unknown } | null | undefined
    const list = d?.cookies
    if (d?.v !== 1 || !Array.isArray(list)) return jar
    for (const x of list as Partial<Record<keyof Cookie, unknown>>[]) {
      if (
        x &&
        [x.name, x.value, x.domain, x.path].every((s) => typeof s === 'string') &&
        [x.hostOnly, x.secure, x.httpOnly].every((b) => typeof b === 'boolean') &&
        Number.isFinite(x.creation) &&
        (x.expires === undefined || Number.isFinite(x.expires)) &&
        (x.sameSite === undefined || ['strict', 'lax', 'none'].includes(x.sameSite as string))
      ) {
        jar.c.push({ ...x } as Cookie)
      }
    }
    return jar
  }
}
