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
  /** Path attribute; undefined when missing or not starting with '/' (the jar uses the default-path). */
  path?: string | undefined
  secure: boolean
  httpOnly: boolean
  /** undefined: no SameSite, or an unknown value ("Default" enforcement, §5.6.7). */
  sameSite?: 'strict' | 'lax' | 'none' | undefined
}

// NUL, CR and LF end the line, as in browsers (WPT value/13, http-state CHROMIUM0022/0023); any
// other CTL except HTAB makes the whole line invalid (RFC 6265bis §5.6 step 1).
const END = /[\0\r\n]/
// (Written as the allowed characters: an anchored scan is about twice as fast as a search.)
const CLEAN = /^[\t -~\x80-\uffff]*$/

// WSP only (space, tab): String#trim would also eat NBSP and other characters the RFC keeps.
const trim = (s: string): string => {
  let a = 0
  let b = s.length
  while (s[a] === ' ' || s[a] === '\t') a++
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--
  return s.slice(a, b)
}

/** RFC 6265bis §5.6. Returns null for a line a browser ignores entirely. Never throws. */
export function parseSetCookie(line: string): ParsedSetCookie | null {
  if (typeof line !== 'string') return null
  if (!CLEAN.test(line)) {
    line = line.split(END)[0]!
    if (!CLEAN.test(line)) return null
  }
  let end = line.indexOf(';')
  if (end < 0) end = line.length
  const pair = line.slice(0, end)
  // §5.6 step 3: no '=' means a nameless cookie whose value is the whole pair.
  const eq = pair.indexOf('=')
  const name = eq < 0 ? '' : trim(pair.slice(0, eq))
  const value = trim(pair.slice(eq + 1))
  // §5.6 step 5 (and step 8 below): the limits are in octets; JS counts UTF-16 units, exact for
  // ASCII, which is what servers send (RFC 6265 cookie-octets), and lenient for anything else.
  if ((!name && !value) || (name + value).length > 4096) return null
  const c: ParsedSetCookie = { name, value, secure: false, httpOnly: false }
  while (end < line.length) {
    const start = end + 1
    end = line.indexOf(';', start)
    if (end < 0) end = line.length
    const av = line.slice(start, end)
    const i = av.indexOf('=')
    const key = trim(i < 0 ? av : av.slice(0, i)).toLowerCase()
    const val = i < 0 ? '' : trim(av.slice(i + 1))
    if (val.length > 1024) continue // §5.6 step 8: an over-long attribute is ignored, not the cookie
    // Each attribute overwrites an earlier one of the same name ("last wins", §5.7).
    switch (key) {
      case 'expires': {
        const t = parseCookieDate(val)
        if (t !== null) c.expires = t
        break
      }
      case 'max-age': // §5.6.2: "-"? DIGIT+, anything else is ignored
        if (/^-?\d+$/.test(val)) c.maxAge = +val
        break
      case 'domain': // §5.6.3: an empty Domain is ignored; a leading dot is dropped
        if (val) c.domain = val.replace(/^\./, '').toLowerCase()
        break
      case 'path': // §5.6.4: empty or relative means the default-path, still overriding earlier ones
        c.path = val[0] === '/' ? val : undefined
        break
      case 'secure':
        c.secure = true
        break
      case 'httponly':
        c.httpOnly = true
        break
      case 'samesite': // §5.6.7: an unknown value is "Default" enforcement
        c.sameSite = /^(strict|lax|none)$/i.test(val) ? (val.toLowerCase() as 'lax') : undefined
    }
  }
  return c
}

// §5.1.1 delimiters: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
const DELIM = /[\t -/;-@[-`{-~]+/
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec'
// §5.1.1 month: a token whose first three characters name a month; 0-11, or -1
const monthOf = (t: string): number => {
  const i = t.length > 2 ? MONTHS.indexOf(t.slice(0, 3).toLowerCase()) : -1
  return i % 3 ? -1 : i / 3
}

// IMF-fixdate and its Netscape form ("Wed, 21 Oct 2037 07:28:00 GMT", "Thu, 01-Jan-2037 …"), which
// nearly every server sends: its tokens sit at fixed offsets, so the split below can be skipped.
const FIXDATE = /^[a-z]{3}, \d\d[ -][a-z]{3}[ -]\d{4} \d\d:\d\d:\d\d gmt$/i

/** RFC 6265bis §5.1.1 cookie-date → ms since epoch, or null. Tokens, not `new Date(string)`. */
export function parseCookieDate(value: string): number | null {
  const v = String(value)
  let day = -1
  let month = -1
  let year = -1
  let h = -1
  let mi = 0
  let sec = 0
  // (the weekday is dropped only when it cannot be read as a month)
  const tokens =
    FIXDATE.test(v) && monthOf(v) < 0
      ? [v.slice(5, 7), v.slice(8, 11), v.slice(12, 16), v.slice(17, 25)]
      : v.split(DELIM)
  for (const t of tokens) {
    // Tokens starting with a digit can only be the time, day or year; the others only the month.
    let digits = 0
    while ((t.charCodeAt(digits) ^ 48) < 10) digits++
    let m: RegExpExecArray | null
    if (!digits) {
      if (month < 0) month = monthOf(t)
    } else if (h < 0 && t[digits] === ':' && (m = /^(\d\d?):(\d\d?):(\d\d?)(?!\d)/.exec(t))) {
      h = +m[1]!
      mi = +m[2]!
      sec = +m[3]!
    } else if (day < 0 && digits < 3) day = parseInt(t, 10)
    else if (year < 0 && digits > 1 && digits < 5) {
      year = parseInt(t, 10)
      year += year < 70 ? 2000 : year < 100 ? 1900 : 0
    }
  }
  const ms = Date.UTC(year, month, day, h, mi, sec)
  // Date.UTC rolls "Feb 30" over to March; a browser rejects such dates
  return day > 0 &&
    month >= 0 &&
    year > 1600 &&
    h >= 0 &&
    h < 24 &&
    mi < 60 &&
    sec < 60 &&
    (day < 29 || new Date(ms).getUTCDate() === day)
    ? ms
    : null
}

// A ',' starts a new cookie only when `name=` follows (Expires dates contain ", "). QQ on Android
// joins with ';' and no space (weapp-cookie #39); such a ';' starts a cookie unless the name is an
// attribute, so `a=1;Path=/` and `a=1; secure` stay one cookie (the weapp-cookie bug, PR #57).
const JOIN = /,(?=\s*[^\s,;=]+=)|;(?=(?!(?:expires|max-age|domain|path|samesite)=)[^\s,;=]+=)/i

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
  const h = Object(header) as Record<string, unknown>
  return ([] as string[]).concat(
    ...Object.keys(h)
      .filter((k) => k.toLowerCase() === 'set-cookie')
      .map((k) => splitSetCookie(h[k])),
  )
}
