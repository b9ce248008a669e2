/** The parts of a request URL the cookie rules look at. */
export interface ParsedUrl {
  scheme: string
  /** Lower-case, without port; an IPv6 literal without its brackets. */
  host: string
  port: string
  /** Without query or fragment; '/' when empty. */
  path: string
}

/** A small absolute-URL parser: older mini-program base libraries have no `URL` global. */
export function parseUrl(url: string): ParsedUrl | null {
  // scheme :// [userinfo@] ( [v6] | host ) [:port] path
  const m = /^([a-z][\w+.-]*):\/\/(?:[^/?#]*@)?(?:\[([^\]]*)\]|([^:/?#]*))(?::([^/?#]*))?([^?#]*)/i.exec(url)
  const host = m && (m[2] || m[3] || '').toLowerCase()
  return host ? { scheme: m[1]!.toLowerCase(), host, port: m[4] || '', path: m[5] || '/' } : null
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
