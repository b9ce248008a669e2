import { originOf, removeDotSegments } from '../cookie/url.js'

// Following 3xx as a browser does, for platforms where the SDK sees them (`redirect: 'manual'`):
// where the next hop goes, with which method, body and caller headers. The session's part (what
// each hop gets from the jar and the session, what each hop's answer sets) stays in the session.

/** Fetch's redirect statuses; any other 3xx is an answer like any other. */
const FOLLOWED = [301, 302, 303, 307, 308]

/** Hops followed before a call fails (browsers: 20, Fetch §4.4 step 5). */
export const MAX_REDIRECTS = 20

/** A 3xx the SDK follows: Fetch's redirect statuses with a Location. */
export const isFollowed = (statusCode: unknown, location: string | undefined): boolean =>
  FOLLOWED.includes(statusCode as number) && !!location

/** A path (starting with '/', or empty), query and fragment with the path's dot segments removed. */
function withoutDots(pathAndMore: string): string {
  const at = pathAndMore.search(/[?#]|$/)
  const segments = removeDotSegments(pathAndMore.slice(0, at).split('/').slice(1))
  return `/${segments.join('/')}${pathAndMore.slice(at)}`
}

/**
 * A Location resolved against the URL that answered it, as WHATWG URL parsing does for http(s):
 * RFC 3986 §5.2, with `\` read as `/` before the query and any number of slashes before a host.
 * Older base libraries have no `URL` global, hence this. Undefined when it is not an http(s) URL.
 */
export function resolveLocation(base: string, location: string): string | undefined {
  const from = /^(https?:)\/\/([^/?#]*)([^?#]*)([^#]*)/i.exec(base)
  if (!from) return undefined
  const [, baseScheme, authority, basePath, baseQuery] = from as unknown as [
    string,
    string,
    string,
    string,
    string,
  ]
  // Leading and trailing controls and spaces are trimmed, tabs and newlines dropped.
  let ref = location.replace(/^[\0- ]+|[\0- ]+$|[\t\n\r]/g, '')
  const query = ref.search(/[?#]|$/)
  ref = ref.slice(0, query).replace(/\\/g, '/') + ref.slice(query)
  let scheme = baseScheme.toLowerCase()
  const schemed = /^([a-z][a-z\d+.-]*:)(.*)$/is.exec(ref)
  if (schemed) {
    const given = (schemed[1] as string).toLowerCase()
    if (given !== 'http:' && given !== 'https:') return undefined
    // Another scheme: a host follows, whatever the slashes ("https:evil.com" from http).
    ref = (given === scheme ? '' : '//') + (schemed[2] as string)
    scheme = given
  }
  const host = /^\/\/\/*([^/?#]*)(.*)$/s.exec(ref)
  if (host) return host[1] ? `${scheme}//${host[1]}${withoutDots(host[2] as string)}` : undefined
  let path = ref
  if (ref === '' || ref[0] === '#') path = basePath + baseQuery + ref
  else if (ref[0] === '?') path = basePath + ref
  else if (ref[0] !== '/') path = `${basePath.slice(0, basePath.lastIndexOf('/') + 1) || '/'}${ref}`
  return `${scheme}//${authority}${withoutDots(path)}`
}

/** One request of a redirect chain, before the session attaches anything. */
export interface Hop {
  url: string
  method: string
  options: Record<string, unknown>
}

// Never sent on to another origin (Fetch §4.4 step 13, and what undici drops): the jar and the
// session attach this hop's own cookies and id themselves.
const CROSS_ORIGIN_DROPPED = /^(authorization|proxy-authorization|cookie)$/i
// Request-body-header names, dropped with the body (Fetch §4.4 step 12).
const BODY_HEADER = /^content-(type|encoding|language|location)$/i

/**
 * The hop a redirect leads to, as a browser makes it; undefined when the answer is not one to
 * follow (another status, no Location or one that is not http(s): the 3xx is the answer).
 * `sessionHeader` (header mode) is dropped on the way to another origin too.
 */
export function nextHop(
  hop: Hop,
  statusCode: number,
  location: string | undefined,
  sessionHeader: string,
): Hop | undefined {
  const url = isFollowed(statusCode, location) && resolveLocation(hop.url, location as string)
  if (!url) return undefined
  const { method } = hop
  // 303 (but a GET or HEAD), and 301/302 after a POST, go on as a GET without a body.
  const toGet =
    statusCode === 303 ? method !== 'GET' && method !== 'HEAD' : statusCode < 303 && method === 'POST'
  const next = toGet ? 'GET' : method
  const crossOrigin = originOf(url) !== originOf(hop.url)
  const header: Record<string, string> = {}
  const given = (hop.options.header || {}) as Record<string, string>
  for (const name in given) {
    const dropped =
      (toGet && BODY_HEADER.test(name)) ||
      (crossOrigin && (CROSS_ORIGIN_DROPPED.test(name) || name.toLowerCase() === sessionHeader.toLowerCase()))
    if (!dropped) header[name] = given[name] as string
  }
  const options: Record<string, unknown> = { ...hop.options, method: next, header }
  // A GET's data is the first URL's query already; a body goes on only with its method (307/308).
  if (next === 'GET' || next === 'HEAD') delete options.data
  return { url, method: next, options }
}
