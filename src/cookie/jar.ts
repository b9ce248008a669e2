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

/** 6265bis §5.5 step 4 / §5.6 step 3: no cookie lives longer than 400 days. */
const MAX_AGE_MS = 400 * 86_400_000

const PS = /^[^.]+$|^(com|net|org|gov|edu|co|ac)\.[a-z]{2}$/
const isPublicSuffix = (d: string): boolean => PS.test(d)

// A "secure" request (§5.7 step 12, §5.8.3): https, or http to a loopback host as browsers allow.
const secure = (u: ParsedUrl): boolean => u.scheme === 'https' || isLoopback(u.host)

const alive = (now: number) => (c: Cookie) => !(c.expires! <= now)

const copy = (c: Cookie): Cookie => ({ ...c })

// §5.7 limits: the oldest cookie of `list` leaves `all` (the store is kept in creation order)
const evict = (list: Cookie[], all: Cookie[]): void => {
  all.splice(all.indexOf(list[0]!), 1)
}

// A stored entry read back: the type of every field, then the SameSite value if any, must fit
// (JSON has no NaN or Infinity, so "number" is enough).
const SHAPE = /^(string,){4}(boolean,){3}number,(number|undefined),(string,(strict|lax|none)|undefined,)$/
const valid = (e: unknown): e is Cookie => {
  const x = Object(e) as Cookie
  const fields = [
    x.name,
    x.value,
    x.domain,
    x.path,
    x.hostOnly,
    x.secure,
    x.httpOnly,
    x.creation,
    x.expires,
    x.sameSite,
  ]
  return SHAPE.test(
    fields
      .map((v): string => typeof v)
      .concat(x.sameSite || '')
      .join(),
  )
}

/** An RFC 6265bis cookie store (§5.7 storage, §5.8 retrieval) for one client. */
export class CookieJar {
  /** The cookies, oldest first. */
  private c: Cookie[] = []
  private o: CookieJarOptions

  constructor(options: CookieJarOptions = {}) {
    this.o = options
  }

  private no(line: string, why: string): 0 {
    const f = this.o.onReject
    if (f) f(line, why)
    return 0
  }

  private now(): number {
    return (this.o.now || Date.now)()
  }

  /** Applies lines in order; returns the largest change. */
  setCookies(lines: readonly string[], url: string): JarChange {
    return lines.reduce<JarChange>((ch, l) => Math.max(ch, this.setCookie(l, url)) as JarChange, 0)
  }

  /** RFC 6265bis §5.7. A line the RFC says to ignore is reported to `onReject` and changes nothing. */
  setCookie(line: string, url: string): JarChange {
    const u = parseUrl(url)
    const p = parseSetCookie(line)
    if (!u) return this.no(line, 'url')
    if (!p) return this.no(line, 'malformed')
    const { name, value, secure: sec, path = defaultPath(u.path) } = p
    const now = this.now()
    const host = u.host
    const safe = secure(u)
    let d = p.domain || ''
    // §5.7 step 8: a public-suffix Domain is only allowed as the request host itself (host-only then)
    if (d && (this.o.isPublicSuffix || isPublicSuffix)(d)) {
      if (d !== host) return this.no(line, 'public suffix')
      d = ''
    }
    const domain = d || host
    if (!domainMatch(host, domain)) return this.no(line, 'domain')
    if (sec && !safe) return this.no(line, 'secure')
    // §5.7 step 4 and steps 20-21 (prefixes match case-insensitively): __Secure- needs Secure; __Host-
    // also host-only and Path=/; a nameless cookie may not fake either through its value
    const pre = /^__(?:(host)|secure)-/i.exec(name || value)
    if (pre && (!name || !sec || (pre[1] && (d || p.path !== '/')))) return this.no(line, 'prefix')
    const c: Cookie = {
      name,
      value,
      domain,
      path,
      hostOnly: !d,
      secure: sec,
      httpOnly: p.httpOnly,
      creation: now,
    }
    if (p.sameSite) c.sameSite = p.sameSite
    // §5.6.1/§5.6.2: Max-Age wins over Expires; 6265bis §5.5/§5.6 caps either at 400 days, which also
    // keeps a 400-digit Max-Age finite (Infinity would be stored as null and lost at restart)
    let exp = p.maxAge === undefined ? p.expires : p.maxAge > 0 ? now + p.maxAge * 1e3 : 0
    if (exp !== undefined) c.expires = exp = Math.min(exp, now + MAX_AGE_MS)
    const all = (this.c = this.c.filter(alive(now)))
    const i = all.findIndex((o) => o.name === name && o.domain === domain && o.path === path)
    const old = all[i]
    if (exp! <= now) {
      // deletion: a change only when something was there
      if (!old) return 0
      all.splice(i, 1)
      return 2
    }
    if (old) {
      c.creation = old.creation
      all[i] = c
      // same value: a "touch" when only the expiry or flags moved
      // (a field-by-field look: JSON.stringify of both on every rolling answer was the hot spot)
      return old.value !== value
        ? 2
        : Object.keys({ ...old, ...c }).some((k) => old[k as 'name'] !== c[k as 'name'])
          ? 1
          : 0
    }
    all.push(c)
    const mine = all.filter((o) => o.domain === domain)
    if (mine.length > (this.o.maxCookiesPerDomain || 50)) evict(mine, all)
    if (all.length > (this.o.maxCookies || 3000)) evict(all, all)
    return 2
  }

  /** RFC 6265bis §5.8.3: the `Cookie` header for a request to `url`, '' when none. */
  getCookieHeader(url: string): string {
    return this.match(url)
      .map((c) => (c.name ? c.name + '=' + c.value : c.value))
      .join('; ')
  }

  /** The cookies `getCookieHeader` would send, in the same order (copies). */
  getCookies(url: string): Cookie[] {
    return this.match(url).map(copy)
  }

  private match(url: string): Cookie[] {
    const u = parseUrl(url)
    const live = alive(this.now())
    // §5.8.3 step 2: longer paths first, then earlier creation (a stable sort keeps arrival order for ties)
    return u
      ? this.c
          .filter(
            (c) =>
              live(c) &&
              (c.hostOnly ? c.domain === u.host : domainMatch(u.host, c.domain)) &&
              pathMatch(u.path, c.path) &&
              (!c.secure || secure(u)),
          )
          .sort((a, b) => b.path.length - a.path.length || a.creation - b.creation)
      : []
  }

  /** Every live cookie (copies), oldest first. */
  all(): Cookie[] {
    return (this.c = this.c.filter(alive(this.now()))).map(copy)
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
    const d = Object(data) as { v?: unknown; cookies?: unknown }
    if (d.v === 1 && Array.isArray(d.cookies)) jar.c = d.cookies.filter(valid).map(copy)
    return jar
  }
}
