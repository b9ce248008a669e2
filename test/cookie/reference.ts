// The reference the indexed jar is checked against (property.test.ts): the jar as it was before
// issue 13 — one array in arrival order, a full scan for every line and every request — with the
// rules that changed since written out plainly:
//   - RFC 6265 §5.3 eviction: expired first, then the least recently used (`lastUsed`, a counter
//     moved by every set and every send; `evictLast` cookies after all others; ties by arrival);
//   - 6265bis §5.7 step 16 (no overwriting or shadowing a Secure cookie from a non-secure origin);
//   - a Domain attribute's trailing dot names the same public suffix;
//   - a stored record over the limits is trimmed on load, in the same order.
import { parseSetCookie } from '../../src/cookie/parse.js'
import { defaultPath, domainMatch, isLoopback, parseUrl, pathMatch } from '../../src/cookie/url.js'
import type { ParsedUrl } from '../../src/cookie/url.js'
import type { Cookie, CookieJarOptions, JarChange } from '../../src/cookie/index.js'

type Held = Cookie & { lastUsed: number }

const MAX_AGE_MS = 400 * 86_400_000
const PS = /^[^.]+$|^(com|net|org|gov|edu|co|ac)\.[a-z]{2}$/
const secure = (u: ParsedUrl): boolean => u.scheme === 'https' || isLoopback(u.host)
const alive = (now: number) => (c: Cookie) => !(c.expires! <= now)
const copy = (c: Held): Cookie => ({ ...c })

const valid = (e: unknown): e is Cookie => {
  const x = Object(e) as Cookie
  const types = [x.name, x.value, x.domain, x.path].every((v) => typeof v === 'string')
  const flags = [x.hostOnly, x.secure, x.httpOnly].every((v) => typeof v === 'boolean')
  return (
    types &&
    flags &&
    typeof x.creation === 'number' &&
    (x.expires === undefined || typeof x.expires === 'number') &&
    (x.lastUsed === undefined || typeof x.lastUsed === 'number') &&
    (x.sameSite === undefined || ['strict', 'lax', 'none'].includes(x.sameSite))
  )
}

export class ReferenceJar {
  /** The cookies, in arrival order (a replacement keeps its place). */
  private c: Held[] = []
  private uses = 0
  private o: CookieJarOptions

  constructor(options: CookieJarOptions = {}) {
    this.o = options
  }

  private no(line: string, why: string): 0 {
    this.o.onReject?.(line, why)
    return 0
  }

  private now(): number {
    return (this.o.now || Date.now)()
  }

  // Which of `list` leaves first: `evictLast` ones last, then least recently used, then arrival.
  private victim(list: Held[]): Held {
    const rank = (c: Held): number => (this.o.evictLast?.(c) ? 1 : 0)
    let best = list[0]!
    for (const c of list) {
      const order =
        rank(c) - rank(best) || c.lastUsed - best.lastUsed || this.c.indexOf(c) - this.c.indexOf(best)
      if (order < 0) best = c
    }
    return best
  }

  private evict(list: Held[]): void {
    this.c.splice(this.c.indexOf(this.victim(list)), 1)
  }

  setCookies(lines: readonly string[], url: string): JarChange {
    return lines.reduce<JarChange>((ch, l) => Math.max(ch, this.setCookie(l, url)) as JarChange, 0)
  }

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
    const isPublicSuffix = this.o.isPublicSuffix || ((x: string) => PS.test(x))
    if (d && isPublicSuffix(d.endsWith('.') ? d.slice(0, -1) : d)) {
      if (d !== host) return this.no(line, 'public suffix')
      d = ''
    }
    const domain = d || host
    if (!domainMatch(host, domain)) return this.no(line, 'domain')
    if (sec && !safe) return this.no(line, 'secure')
    const pre = /^__(?:(host)|secure)-/i.exec(name || value)
    if (pre && (!name || !sec || (pre[1] && (d || p.path !== '/')))) return this.no(line, 'prefix')
    const shadowed = this.c.some(
      (o) =>
        alive(now)(o) &&
        o.secure &&
        o.name === name &&
        (domainMatch(o.domain, domain) || domainMatch(domain, o.domain)) &&
        pathMatch(path, o.path),
    )
    if (!safe && shadowed) return this.no(line, 'secure exists')
    const c: Held = {
      name,
      value,
      domain,
      path,
      hostOnly: !d,
      secure: sec,
      httpOnly: p.httpOnly,
      creation: now,
      lastUsed: ++this.uses,
    }
    if (p.sameSite) c.sameSite = p.sameSite
    let exp = p.maxAge === undefined ? p.expires : p.maxAge > 0 ? now + p.maxAge * 1e3 : 0
    if (exp !== undefined) c.expires = exp = Math.min(exp, now + MAX_AGE_MS)
    const all = (this.c = this.c.filter(alive(now)))
    const i = all.findIndex((o) => o.name === name && o.domain === domain && o.path === path)
    const old = all[i]
    if (exp! <= now) {
      if (!old) return 0
      all.splice(i, 1)
      return 2
    }
    if (old) {
      c.creation = old.creation
      all[i] = c
      const moved = Object.keys({ ...old, ...c }).some(
        (k) => k !== 'lastUsed' && old[k as 'name'] !== c[k as 'name'],
      )
      return old.value !== value ? 2 : moved ? 1 : 0
    }
    all.push(c)
    const mine = all.filter((o) => o.domain === domain)
    if (mine.length > (this.o.maxCookiesPerDomain || 50)) this.evict(mine)
    if (all.length > (this.o.maxCookies || 3000)) this.evict(all)
    return 2
  }

  getCookieHeader(url: string): string {
    return this.match(url)
      .map((c) => (c.name ? c.name + '=' + c.value : c.value))
      .join('; ')
  }

  getCookies(url: string): Cookie[] {
    return this.match(url).map(copy)
  }

  private match(url: string): Held[] {
    const u = parseUrl(url)
    if (!u) return []
    const live = alive(this.now())
    const use = ++this.uses
    const found = this.c
      .filter(
        (c) =>
          live(c) &&
          (c.hostOnly ? c.domain === u.host : domainMatch(u.host, c.domain)) &&
          pathMatch(u.path, c.path) &&
          (!c.secure || secure(u)),
      )
      .sort((a, b) => b.path.length - a.path.length || a.creation - b.creation)
    for (const c of found) c.lastUsed = use
    return found
  }

  all(): Cookie[] {
    return (this.c = this.c.filter(alive(this.now()))).map(copy)
  }

  clear(): void {
    this.c = []
  }

  toJSON(): { v: 1; cookies: Cookie[] } {
    return { v: 1, cookies: this.all() }
  }

  static fromJSON(data: unknown, options?: CookieJarOptions): ReferenceJar {
    const jar = new ReferenceJar(options)
    const d = Object(data) as { v?: unknown; cookies?: unknown }
    if (d.v !== 1 || !Array.isArray(d.cookies)) return jar
    const cookies = d.cookies.filter(valid)
    const base = Math.max(0, ...cookies.map((c) => c.lastUsed || 0))
    jar.c = cookies.map((c, i) => ({ ...c, lastUsed: c.lastUsed || base + i + 1 }))
    jar.uses = base + cookies.length
    jar.c = jar.c.filter(alive(jar.now()))
    for (const domain of new Set(jar.c.map((c) => c.domain))) {
      for (;;) {
        const mine = jar.c.filter((c) => c.domain === domain)
        if (mine.length <= (jar.o.maxCookiesPerDomain || 50)) break
        jar.evict(mine)
      }
    }
    while (jar.c.length > (jar.o.maxCookies || 3000)) jar.evict(jar.c)
    return jar
  }
}
