/** One `Set-Cookie` line as RFC 6265bis §5.6 parses it, before the jar applies it to a request URL. */
export interface ParsedSetCookie {
  name: string
  value: string
  /** Expires, ms since epoch (§5.6.1). Max-Age wins over it when both are present. */
  expires?: number
  /** Max-Age in seconds (§5.6.2); <= 0 means "delete". */
  maxAge?: number
  /** Domain attribute: lower-cased, leading dot removed, never empty (§5.6.3). */
  domain?: string
  /** Path attribute; absent when missing or not starting with '/' (the jar uses the default-path). */
  path?: string
  secure: boolean
  httpOnly: boolean
  sameSite?: 'strict' | 'lax' | 'none'
}

// NUL, CR and LF end the line, as in browsers (WPT value/13, http-state CHROMIUM0022/0023); any
// other CTL except HTAB makes the whole line invalid (RFC 6265bis §5.6 step 1).
const END = /[\0\r\n]/
const CTL = /[\x00-\x08\x0a-\x1f\x7f]/

// WSP only (space, tab): String#trim would also eat NBSP and other characters the RFC keeps.
const trim = (s: string): string => {
  let a = 0
  let b = s.length
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--
  return s.slice(a, b)
}

// The limits are in octets (§5.6 step 5, §5.6 attribute limit): UTF-8 length, counted only when the
// character count alone cannot settle it.
const over = (s: string, max: number): boolean => {
  if (s.length * 3 <= max) return false
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    n += c < 128 ? 1 : c < 2048 ? 2 : c >> 10 === 54 ? (i++, 4) : 3
  }
  return n > max
}

/** RFC 6265bis §5.6. Returns null for a line a browser ignores entirely. Never throws. */
export function parseSetCookie(line: string): ParsedSetCookie | null {
  if (typeof line !== 'string') return null
  const end = line.search(END)
  if (end >= 0) line = line.slice(0, end)
  if (CTL.test(line)) return null
  let semi = line.indexOf(';')
  if (semi < 0) semi = line.length
  const pair = line.slice(0, semi)
  // §5.6 step 3: no '=' means a nameless cookie whose value is the whole pair.
  const eq = pair.indexOf('=')
  const name = eq < 0 ? '' : trim(pair.slice(0, eq))
  const value = trim(pair.slice(eq + 1))
  if ((!name && !value) || over(name + value, 4096)) return null
  const c: ParsedSetCookie = { name, value, secure: false, httpOnly: false }
  let path: string | undefined
  while (semi < line.length) {
    const start = semi + 1
    semi = line.indexOf(';', start)
    if (semi < 0) semi = line.length
    const av = line.slice(start, semi)
    const i = av.indexOf('=')
    const key = trim(i < 0 ? av : av.slice(0, i)).toLowerCase()
    const val = i < 0 ? '' : trim(av.slice(i + 1))
    if (over(val, 1024)) continue // §5.6 step 8: attribute values over 1024 octets are ignored
    // Each attribute overwrites an earlier one of the same name ("last wins", §5.7).
    if (key === 'expires') {
      const t = parseCookieDate(val)
      if (t !== null) c.expires = t
    } else if (key === 'max-age') {
      // §5.6.2: "-"? DIGIT+, anything else is ignored
      if (/^-?\d+$/.test(val)) c.maxAge = +val
    } else if (key === 'domain') {
      // §5.6.3: an empty Domain is ignored; a leading dot is dropped
      if (val) c.domain = (val[0] === '.' ? val.slice(1) : val).toLowerCase()
    } else if (key === 'path') {
      // §5.6.4: an empty or relative Path falls back to the default-path, and still wins over earlier ones
      path = val[0] === '/' ? val : undefined
    } else if (key === 'secure') c.secure = true
    else if (key === 'httponly') c.httpOnly = true
    else if (key === 'samesite') {
      const s = val.toLowerCase()
      if (s === 'strict' || s === 'lax' || s === 'none') c.sameSite = s
      else delete c.sameSite // §5.6.7: an unknown value means "Default"
    }
  }
  if (path) c.path = path
  return c
}

// §5.1.1 delimiters: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
const DELIM = /[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+/
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec'

/** RFC 6265bis §5.1.1 cookie-date → ms since epoch, or null. Tokens, not `new Date(string)`. */
export function parseCookieDate(value: string): number | null {
  let time: RegExpExecArray | null = null
  let day = -1
  let month = -1
  let year = -1
  for (const t of String(value).split(DELIM)) {
    let m: RegExpExecArray | null
    if (!time && (m = /^(\d\d?):(\d\d?):(\d\d?)(?!\d)/.exec(t))) time = m
    else if (day < 0 && /^\d\d?(?!\d)/.test(t)) day = parseInt(t, 10)
    else if (month < 0 && t.length > 2 && MONTHS.indexOf(t.slice(0, 3).toLowerCase()) % 3 === 0) {
      month = MONTHS.indexOf(t.slice(0, 3).toLowerCase()) / 3
    } else if (year < 0 && /^\d{2,4}(?!\d)/.test(t)) {
      year = parseInt(t, 10)
      year += year < 70 ? 2000 : year < 100 ? 1900 : 0
    }
  }
  if (!time || day < 1 || day > 31 || month < 0 || year < 1601) return null
  const h = +time[1]!
  const mi = +time[2]!
  const s = +time[3]!
  if (h > 23 || mi > 59 || s > 59) return null
  const ms = Date.UTC(year, month, day, h, mi, s)
  // "Feb 30" and friends: Date.UTC rolls over; a browser rejects them
  return new Date(ms).getUTCDate() === day ? ms : null
}

// A ',' starts a new cookie only when `name=` follows (Expires dates contain ", "). QQ on Android
// joins with ';' and no space (weapp-cookie #39); such a ';' starts a cookie unless the name is an
// attribute, so `a=1;Path=/` and `a=1; secure` stay one cookie (the weapp-cookie bug, PR #57).
const JOIN =
  /,(?=[ \t]*[^\s,;=]+=)|;(?=(?!(?:expires|max-age|domain|path|samesite|priority|version|comment)=)[^\s,;=]+=)/i

/**
 * Every Set-Cookie line a platform delivered. A string is split where the platform joined several
 * headers (`,`, or `;` on QQ Android); an array (iOS uploadFile/downloadFile, `res.cookies`) is
 * taken as one line per element; anything else gives [].
 */
export function splitSetCookie(value: unknown): string[] {
  const lines = Array.isArray(value) ? value : typeof value === 'string' ? value.split(JOIN) : []
  return lines.filter((l): l is string => typeof l === 'string' && trim(l) !== '')
}

/**
 * Set-Cookie lines of one response: `cookies` (wx base library >= 2.10.0, one raw line per header)
 * when it is a non-empty array, else every `set-cookie` header whatever its casing (HTTP/2 and
 * Douyin lower-case it; PLATFORM.md 1.6).
 */
export function setCookieLines(header: unknown, cookies?: unknown): string[] {
  if (Array.isArray(cookies) && cookies.length) return splitSetCookie(cookies)
  const out: string[] = []
  if (header && typeof header === 'object') {
    for (const k of Object.keys(header)) {
      if (k.toLowerCase() === 'set-cookie') out.push(...splitSetCookie((header as Record<string, unknown>)[k]))
    }
  }
  return out
}
