/** The parts of a request URL the cookie rules look at. */
export interface ParsedUrl {
  scheme: string
  /** Lower-case, without port; an IPv6 literal without its brackets. */
  host: string
  /** '' for the scheme's default port. */
  port: string
  /** Without query or fragment; dot segments resolved; '/' when empty. */
  path: string
}

// scheme, two slashes (either way), authority (up to the first / \ ? #), path (up to ? or #)
const URL_PARTS = /^([a-z][a-z\d+.-]*):[/\\]{2}([^/\\?#]*)([^?#]*)/i
// host (an [IPv6] literal, or up to the first ':'), then an optional port
const HOST_PORT = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d*))?$/
const BYTE = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const DOTTED_QUAD = new RegExp(`^(${BYTE}\\.){3}${BYTE}$`)
// Dot-separated labels of letters, digits, '_' and '-', one trailing dot allowed.
const HOST_NAME = /^[A-Za-z\d_-]+(\.[A-Za-z\d_-]+)*\.?$/

/**
 * An absolute http(s)/ws(s) URL read as the WHATWG URL standard (and so the network) reads it: the
 * host after the last '@' of the authority, '\' as '/', dot segments (also `%2e`) resolved, the
 * default port dropped. null for what it cannot read safely rather than a guess: relative and
 * scheme-relative URLs, other schemes, control characters, non-ASCII or percent-encoded hosts
 * (IDN: write them in punycode), IPv4 in any form but a.b.c.d, empty labels, a malformed port or
 * IPv6 literal. Older mini-program base libraries have no `URL` global.
 */
export function parseUrl(url: string): ParsedUrl | null {
  // One call asks about its URL several times (the refusal check, the origin, the jar), and calls
  // repeat URLs: the last one read is remembered. The result is frozen, so it can be shared.
  if (url !== lastRead.url) lastRead = { url, parsed: read(url) }
  return lastRead.parsed
}
let lastRead: { url: string; parsed: ParsedUrl | null } = { url: '', parsed: null }

function read(url: string): ParsedUrl | null {
  // WHATWG strips tabs, newlines and surrounding spaces; a native stack may not: refused.
  // eslint-disable-next-line no-control-regex
  if (/[\0-\x1f]|^ | $/.test(url)) return null
  const parts = URL_PARTS.exec(url)
  if (!parts || !/^(http|ws)s?$/i.test(parts[1]!)) return null
  const [, rawScheme = '', authority = '', rawPath = ''] = parts
  const scheme = rawScheme.toLowerCase()
  const hostPort = HOST_PORT.exec(authority.slice(authority.lastIndexOf('@') + 1))
  if (!hostPort) return null
  const [, rawHost = '', rawPort = ''] = hostPort
  const host = rawHost[0] === '[' ? ipv6(rawHost.slice(1, -1)) : hostName(rawHost)
  const port = rawPort && String(Number(rawPort))
  if (!host || Number(port) > 65535) return null
  const defaultPort = /^(https|wss)$/.test(scheme) ? '443' : '80'
  return Object.freeze({ scheme, host, port: port === defaultPort ? '' : port, path: resolvePath(rawPath) })
}

/**
 * A host name lower-cased, or '' when it is not one the network and WHATWG surely agree on.
 * Punycode labels (xn--) are taken as written: WHATWG also refuses those that do not decode,
 * which name no host anyway.
 */
function hostName(raw: string): string {
  if (!HOST_NAME.test(raw)) return ''
  const host = raw.toLowerCase()
  // WHATWG reads a host whose last label is a number as IPv4, also in hex, octal or fewer than 4
  // parts (0x7f.1, 127.1, 0177.0.0.1): only the plain a.b.c.d form is taken.
  const last = host.split('.').filter(Boolean).pop() as string
  if (/^(0x[\da-f]*|\d+)$/.test(last)) return DOTTED_QUAD.test(host) ? host : ''
  return host
}

/**
 * An IPv6 literal (without brackets) as WHATWG writes it: lower-case, no leading zeros, a run of
 * zero groups as '::'. '' when malformed (a zone id included).
 */
function ipv6(literal: string): string {
  // A trailing a.b.c.d is two groups.
  const text = literal.replace(/(^|:)([\d.]+)$/, (group, colon: string, quad: string) => {
    if (!DOTTED_QUAD.test(quad)) return group
    const [a, b, c, d] = quad.split('.').map(Number) as [number, number, number, number]
    return `${colon}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`
  })
  const [head = [], tail, extra] = text.split('::').map((half) => (half ? half.split(':') : []))
  const count = head.length + (tail ? tail.length : 0)
  if (extra || (tail ? count > 7 : count !== 8)) return ''
  const pieces = [...head, ...Array<string>(8 - count).fill('0'), ...(tail || [])]
  if (!pieces.every((group) => /^[\da-f]{1,4}$/i.test(group))) return ''
  const short = pieces.map((group) => parseInt(group, 16).toString(16))
  // The first longest run of two or more zero groups becomes '::'.
  let runStart = -1
  let runLength = 1
  for (let i = 0, length = 0; i < 8; i++) {
    length = short[i] === '0' ? length + 1 : 0
    if (length > runLength) {
      runLength = length
      runStart = i - length + 1
    }
  }
  if (runStart < 0) return short.join(':')
  return `${short.slice(0, runStart).join(':')}::${short.slice(runStart + runLength).join(':')}`
}

/**
 * RFC 3986 §5.2.4 on a path's segments (those after its first '/'), as WHATWG does it: '.' and
 * '..' (also written %2e) removed, with what '..' climbs out of.
 */
export function removeDotSegments(given: readonly string[]): string[] {
  const segments: string[] = []
  given.forEach((segment, i) => {
    const dots = segment.replace(/%2e/gi, '.')
    if (dots === '..') segments.pop()
    if (dots !== '.' && dots !== '..') segments.push(segment)
    else if (i === given.length - 1) segments.push('') // '/a/..' is '/', '/a/.' is '/a/'
  })
  return segments
}

/**
 * WHATWG's path for special schemes: '\' separates like '/', dot segments removed, spaces,
 * quotes, <>`{} and non-ASCII percent-encoded (UTF-8).
 */
function resolvePath(raw: string): string {
  const segments = removeDotSegments(raw.split(/[/\\]/).slice(1))
  return '/' + segments.map((segment) => segment.replace(/[^\x21-\x7e]|["<>`{}]/gu, encode)).join('/')
}

// A lone surrogate has no UTF-8 form: WHATWG writes U+FFFD.
function encode(char: string): string {
  try {
    return encodeURIComponent(char)
  } catch {
    return '%EF%BF%BD'
  }
}

/** localhost, 127.0.0.0/8 and ::1: browsers treat http to these as a secure context. */
export const isLoopback = (host: string): boolean => /^localhost$|^127(\.\d{1,3}){3}$|^::1$/.test(host)

/** RFC 6265bis §5.1.3: identical, or a dot-boundary suffix of a host name (never of an IP address). */
export const domainMatch = (host: string, domain: string): boolean =>
  host === domain ||
  (host.endsWith(domain) && host[host.length - domain.length - 1] === '.' && !/^[\d.]+$|:/.test(host))

/** RFC 6265bis §5.1.4: identical, or a prefix ending at a '/' boundary. Compared byte for byte. */
export const pathMatch = (path: string, cookiePath: string): boolean =>
  path.startsWith(cookiePath) &&
  (path.length === cookiePath.length || cookiePath.endsWith('/') || path[cookiePath.length] === '/')

/** RFC 6265bis §5.1.4 default-path: the request path (always starting with '/') up to its last '/'. */
export const defaultPath = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/'

/** `scheme://host[:port]` of an absolute URL, as the network will contact it; '' when unparsable. */
export function originOf(url: string): string {
  const u = parseUrl(url)
  if (!u) return ''
  const host = u.host.includes(':') ? `[${u.host}]` : u.host
  return `${u.scheme}://${host}${u.port ? `:${u.port}` : ''}`
}
