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
  /**
   * When the cookie was last set or sent, as an order: higher is more recent. A counter, not a
   * time, so that cookies used in the same millisecond still have an order (RFC 6265 §5.3
   * eviction); kept across restarts. Absent (or 0) in records saved before it existed.
   */
  lastUsed?: number
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
  /**
   * Defaults to 50 (RFC 6265 §6.1 minimum). Past it, the domain's expired cookies go first, then
   * its least recently used (§5.3): a session cookie sent on every request is the last to go.
   */
  maxCookiesPerDomain?: number
  /** Defaults to 3000; past it, expired cookies go first, then the least recently used. */
  maxCookies?: number
  /**
   * Cookies evicted only when no other is left, e.g. the session cookie: everything on `Path=/` of
   * a host is sent together, so use alone cannot tell the session from 50 trackers.
   */
  evictLast?: (cookie: Cookie) => boolean
}

/**
 * What a `setCookie(s)` call did to the jar: 0 nothing; 1 only the expiry or attributes of existing
 * cookies moved (a "touch"); 2 a cookie was added, removed, or its value changed.
 */
export type JarChange = 0 | 1 | 2

/** 6265bis §5.5 step 4 / §5.6 step 3: no cookie lives longer than 400 days. */
const MAX_AGE_MS = 400 * 86_400_000

/** URLs (and request targets) whose Cookie header is remembered; past it the memory starts over. */
const ANSWERS_KEPT = 64

const PS = /^[^.]+$|^(com|net|org|gov|edu|co|ac)\.[a-z]{2}$/
const isPublicSuffix = (d: string): boolean => PS.test(d)

// A "secure" request (§5.7 step 12, §5.8.3): https, or http to a loopback host as browsers allow.
const secure = (u: ParsedUrl): boolean => u.scheme === 'https' || isLoopback(u.host)

const alive = (c: Cookie, now: number): boolean => !(c.expires! <= now)

/** RFC 6265bis §5.8.3 step 1: a request to `host` gets the cookie (its host-only or domain rule). */
export const goesToHost = (c: Cookie, host: string): boolean =>
  c.hostOnly ? c.domain === host : domainMatch(host, c.domain)

// A cookie as the jar holds it. `order` is its place in arrival order (a replacement keeps it): it
// breaks ties as a store kept in one array would.
interface Held extends Cookie {
  lastUsed: number
  order: number
}

const copy = ({ order: _order, ...cookie }: Held): Cookie => cookie

// §5.8.3 step 2: longer paths first, then earlier creation, then arrival.
const sendOrder = (a: Held, b: Held): number =>
  b.path.length - a.path.length || a.creation - b.creation || a.order - b.order

// The attributes a replacement may change without being a new value.
const FLAGS = ['hostOnly', 'secure', 'httpOnly', 'sameSite'] as const

/** A parsed request URL, with the request target its answer is kept under. */
type Target = ParsedUrl & { key: string }

/** What a request target gets: valid while the jar is at `version` and before `until` (ms). */
interface Answer {
  version: number
  until: number
  cookies: Held[]
  header: string
}

// A stored entry read back: the type of every field, then the SameSite value if any, must fit
// (JSON has no NaN or Infinity, so "number" is enough).
const SHAPE =
  /^(string,){4}(boolean,){3}number,(number|undefined),(number|undefined),(string,(strict|lax|none)|undefined,)$/
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
    x.lastUsed,
    x.sameSite,
  ]
  return SHAPE.test(
    fields
      .map((v): string => typeof v)
      .concat(x.sameSite || '')
      .join(),
  )
}

/**
 * An RFC 6265bis cookie store (§5.7 storage, §5.8 retrieval) for one client. Cookies are kept by
 * domain, so a line looks only at its own domain and a request only at its host's domains; the
 * Cookie header of a request target is remembered until the jar changes or one of its cookies
 * expires.
 */
export class CookieJar {
  /** Each domain's cookies, in arrival order (expired ones may linger until their domain is touched). */
  private domains = new Map<string, Held[]>()
  /** How many cookies `domains` holds, lingering expired ones included. */
  private size = 0
  /** Counts sets and sends: a cookie's `lastUsed`, and at its arrival its `order`. */
  private uses = 0
  /** Moves whenever what a request would be sent changes. */
  private version = 0
  /** By request target (`scheme://host/path`). */
  private answers = new Map<string, Answer>()
  private urls = new Map<string, Target | null>()
  /** The line last applied to a cookie in place, and that cookie, while the jar is at `version`. */
  private unchanged?: { line: string; url: string; version: number; cookie: Held }
  private o: CookieJarOptions
  private perDomain: number
  private max: number

  constructor(options: CookieJarOptions = {}) {
    this.o = options
    this.perDomain = options.maxCookiesPerDomain || 50
    this.max = options.maxCookies || 3000
  }

  // §5.3: the least recently used leaves first (`evictLast` ones after all others); cookies used
  // together leave in arrival order.
  private lessUsed = (a: Held, b: Held): number => {
    const last = this.o.evictLast
    const rank = last ? Number(last(a)) - Number(last(b)) : 0
    return rank || a.lastUsed - b.lastUsed || a.order - b.order
  }

  private no(line: string, why: string): 0 {
    if (this.o.onReject) this.o.onReject(line, why)
    return 0
  }

  private now(): number {
    return (this.o.now || Date.now)()
  }

  /** Applies lines in order; returns the largest change. */
  setCookies(lines: readonly string[], url: string): JarChange {
    let change: JarChange = 0
    for (const line of lines) change = Math.max(change, this.setCookie(line, url)) as JarChange
    return change
  }

  /** RFC 6265bis §5.7. A line the RFC says to ignore is reported to `onReject` and changes nothing. */
  setCookie(line: string, url: string): JarChange {
    const same = this.unchanged
    if (same && same.line === line && same.url === url && same.version === this.version) {
      same.cookie.lastUsed = ++this.uses
      return 0
    }
    const u = this.parse(url)
    const p = parseSetCookie(line)
    if (!u) return this.no(line, 'url')
    if (!p) return this.no(line, 'malformed')
    const { name, value, secure: sec, path = defaultPath(u.path) } = p
    const now = this.now()
    const host = u.host
    const safe = secure(u)
    let d = p.domain || ''
    // §5.7 step 8: a public-suffix Domain is only allowed as the request host itself (host-only
    // then). A trailing dot names the same suffix (`com.` is `com`), as browsers read it.
    if (d && (this.o.isPublicSuffix || isPublicSuffix)(d.replace(/\.$/, ''))) {
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
    // 6265bis §5.7 step 16: a non-secure origin may not overwrite nor shadow a Secure cookie
    if (!safe && this.shadowsSecure(name, domain, path, now)) return this.no(line, 'secure exists')
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
      order: this.uses,
    }
    if (p.sameSite) c.sameSite = p.sameSite
    // §5.6.1/§5.6.2: Max-Age wins over Expires; 6265bis §5.5/§5.6 caps either at 400 days, which also
    // keeps a 400-digit Max-Age finite (Infinity would be stored as null and lost at restart)
    let exp = p.maxAge === undefined ? p.expires : p.maxAge > 0 ? now + p.maxAge * 1e3 : 0
    if (exp !== undefined) c.expires = exp = Math.min(exp, now + MAX_AGE_MS)
    const list = this.live(domain, now)
    const i = list.findIndex((o) => o.name === name && o.path === path)
    const old = list[i]
    if (exp! <= now) {
      // deletion: a change only when something was there
      if (!old) return 0
      this.remove(list, old)
      return 2
    }
    if (old) {
      const sameFlags = FLAGS.every((k) => old[k] === c[k])
      old.lastUsed = c.lastUsed
      // The same, or only a later (or no longer any) expiry, the rolling-session case: updated in
      // place, and what requests get stays valid (an earlier expiry must reach the header memory).
      if (
        old.value === value &&
        sameFlags &&
        (exp === old.expires || exp === undefined || exp > old.expires!)
      ) {
        const change = exp === old.expires ? 0 : 1
        if (exp === undefined) delete old.expires
        else old.expires = exp
        // The same line again changes nothing more: unless its expiry moves with the clock (Max-Age,
        // the 400-day cap), it is then only a use.
        if (p.maxAge === undefined && !(p.expires! > now + MAX_AGE_MS))
          this.unchanged = { line, url, version: this.version, cookie: old }
        return change
      }
      c.creation = old.creation
      c.order = old.order
      list[i] = c
      this.version++
      return old.value !== value ? 2 : 1
    }
    this.add(c)
    // §5.3: the domain's expired cookies are gone already (live); all of them only past the total
    this.trim(this.size > this.max ? this.liveLists(now) : [list])
    return 2
  }

  private add(cookie: Held): void {
    const list = this.domains.get(cookie.domain)
    if (list) list.push(cookie)
    else this.domains.set(cookie.domain, [cookie])
    this.size++
    this.version++
  }

  // A response's lines come with one URL, and requests repeat URLs: each is parsed once.
  private parse(url: string): Target | null {
    let target = this.urls.get(url)
    if (target === undefined) {
      const u = parseUrl(url)
      target = remember(this.urls, url, u && { ...u, key: u.scheme + '://' + u.host + u.path })
    }
    return target
  }

  // The live cookies of `domain`, expired ones dropped (in place: the list is the stored one).
  private live(domain: string, now: number): Held[] {
    const list = this.domains.get(domain) || []
    for (let i = list.length; i--;) if (!alive(list[i]!, now)) this.remove(list, list[i]!)
    return list
  }

  private remove(list: Held[], cookie: Held): void {
    list.splice(list.indexOf(cookie), 1)
    if (!list.length) this.domains.delete(cookie.domain)
    this.size--
    this.version++
  }

  // Drops every expired cookie; returns the live lists.
  private liveLists(now: number): Held[][] {
    const lists: Held[][] = []
    for (const domain of [...this.domains.keys()]) {
      const list = this.live(domain, now)
      if (list.length) lists.push(list)
    }
    return lists
  }

  // The `count` least recently used of `cookies` leave (none when count <= 0).
  private evict(cookies: readonly Held[], count: number): void {
    let leaving: readonly Held[] = []
    // one, the case of every new cookie past a limit, without sorting
    if (count === 1) leaving = [cookies.reduce((a, b) => (this.lessUsed(b, a) < 0 ? b : a))]
    else if (count > 1) leaving = [...cookies].sort(this.lessUsed).slice(0, count)
    for (const c of leaving) this.remove(this.domains.get(c.domain)!, c)
  }

  // §5.3: past the per-domain limit a domain's least recently used leave, then past the total
  // limit the least recently used of all `lists` (live cookies: the expired went first).
  private trim(lists: Held[][]): void {
    for (const list of lists) this.evict(list, list.length - this.perDomain)
    this.evict(([] as Held[]).concat(...lists), this.size - this.max)
  }

  // A live Secure cookie of this name whose domain matches `domain` either way and whose path the
  // new path is inside of. Only non-secure origins ask, so the scan of every domain is rare.
  private shadowsSecure(name: string, domain: string, path: string, now: number): boolean {
    for (const [d, list] of this.domains)
      if (domainMatch(d, domain) || domainMatch(domain, d))
        for (const c of list)
          if (c.secure && c.name === name && alive(c, now) && pathMatch(path, c.path)) return true
    return false
  }

  /** RFC 6265bis §5.8.3: the `Cookie` header for a request to `url`, '' when none. */
  getCookieHeader(url: string): string {
    const answer = this.answer(url)
    return answer ? answer.header : ''
  }

  /** The cookies `getCookieHeader` would send, in the same order (copies). */
  getCookies(url: string): Cookie[] {
    const answer = this.answer(url)
    return answer ? answer.cookies.map(copy) : []
  }

  // What `url` gets, from memory when nothing it depends on changed; its cookies count as used.
  private answer(url: string): Answer | undefined {
    const now = this.now()
    const target = this.parse(url)
    if (!target) return undefined
    let answer = this.answers.get(target.key)
    if (!answer || answer.version !== this.version || answer.until <= now) answer = this.collect(target, now)
    const use = ++this.uses
    for (const c of answer.cookies) c.lastUsed = use
    return answer
  }

  // §5.8.3 for one request target, from the host's own domain and each parent domain.
  private collect(u: Target, now: number): Answer {
    const cookies: Held[] = []
    let until = Infinity
    const safe = secure(u)
    // the host, then each parent domain (`a.b.c`, `b.c`, `c`)
    for (let d = u.host; ; d = d.slice(d.indexOf('.') + 1)) {
      for (const c of this.domains.get(d) || [])
        if (alive(c, now) && goesToHost(c, u.host) && pathMatch(u.path, c.path) && (!c.secure || safe)) {
          cookies.push(c)
          if (c.expires! < until) until = c.expires!
        }
      if (!d.includes('.')) break
    }
    cookies.sort(sendOrder)
    const header = cookies.map((c) => (c.name ? c.name + '=' + c.value : c.value)).join('; ')
    return remember(this.answers, u.key, { version: this.version, until, cookies, header })
  }

  /** Every live cookie (copies), oldest first. */
  all(): Cookie[] {
    return ([] as Held[])
      .concat(...this.liveLists(this.now()))
      .sort((a, b) => a.order - b.order)
      .map(copy)
  }

  clear(): void {
    this.domains.clear()
    this.size = 0
    this.version++
  }

  toJSON(): { v: 1; cookies: Cookie[] } {
    return { v: 1, cookies: this.all() }
  }

  /**
   * Restores `toJSON()` output. Entries that are not cookies are dropped; garbage gives an empty jar.
   * A record over the limits (saved with other limits, or by an older version) is trimmed as
   * setting its cookies one by one would: expired first, then the least recently used.
   */
  static fromJSON(data: unknown, options?: CookieJarOptions): CookieJar {
    const jar = new CookieJar(options)
    const d = Object(data) as { v?: unknown; cookies?: unknown }
    if (d.v !== 1 || !Array.isArray(d.cookies)) return jar
    const cookies = d.cookies.filter(valid)
    // Before `lastUsed` existed the record was in creation order: that order stands for use.
    const base = cookies.reduce((m, c) => Math.max(m, c.lastUsed || 0), 0)
    cookies.forEach((c, order) => jar.add({ ...c, lastUsed: c.lastUsed || base + order + 1, order }))
    // later arrivals come after every loaded cookie, and later uses after every stored one
    jar.uses = base + cookies.length
    jar.trim(jar.liveLists(jar.now()))
    return jar
  }
}

// Keeps `value` for `key`, starting over when the memory grew too large.
function remember<T>(memory: Map<string, T>, key: string, value: T): T {
  if (memory.size >= ANSWERS_KEPT) memory.clear()
  memory.set(key, value)
  return value
}
