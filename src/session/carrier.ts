import { parseSetCookie } from '../cookie/index.js'

// How the session id travels (cookie | header | url): pure helpers for attaching it to a call and
// reading it from an answer. The session (lifecycle.ts) holds the id and the jar.

/**
 * Resolves a call's URL against the backend's base URL. A scheme-relative URL (`//host/x`, or with
 * backslashes, which WHATWG reads the same way) names another host: it takes baseURL's scheme, as
 * a browser resolves it, and is then not the backend's.
 */
export function absolute(baseURL: string, url: string): string {
  if (/^[a-z][a-z\d+.-]*:[/\\]{2}/i.test(url) || !baseURL) return url
  if (/^[/\\]{2}/.test(url)) return baseURL.slice(0, baseURL.indexOf(':') + 1) + url
  return `${baseURL}${url[0] === '/' ? '' : '/'}${url}`
}

/**
 * Puts the session id into a URL: `;name=ID` at the end of the path (servlet), or `?name=ID`
 * (PHP), encoded so that it stays one value: no `/`, `?`, `#`, `;` or `%` of the id reaches the
 * URL as such. A path-less URL gets its '/' first (`https://h?q` → `https://h/;name=ID?q`).
 */
export function withSessionInUrl(url: string, style: 'path' | 'query', name: string, id: string): string {
  const [, path, query = '', hash] = /^([^?#]*)(\?[^#]*)?(.*)/s.exec(url) as unknown as [
    string,
    string,
    string | undefined,
    string,
  ]
  const value = encodeURIComponent(id)
  if (style === 'path') return `${withPathParameter(path, name, value)}${query}${hash}`
  const pairs = query
    .slice(1)
    .split('&')
    .filter((p) => p && p.split('=')[0] !== name)
  return `${path}?${[...pairs, `${name}=${value}`].join('&')}${hash}`
}

const nameOf = (pair: string): string => (pair.split('=')[0] as string).trim()

// Servlet spec: the path parameter goes in the last path segment, replacing one already there.
function withPathParameter(path: string, name: string, value: string): string {
  const pathless = /^[a-z][a-z\d+.-]*:[/\\]{2}[^/\\]*$/i.test(path)
  const full = pathless ? `${path}/` : path
  const start = Math.max(full.lastIndexOf('/'), full.lastIndexOf('\\')) + 1
  const [segment, ...params] = full.slice(start).split(';')
  const others = params.filter((p) => nameOf(p).toLowerCase() !== name.toLowerCase())
  return full.slice(0, start) + [segment, ...others, `${name}=${value}`].join(';')
}

// A caller's own Cookie header is kept: its pairs win over the jar's pairs of the same name.
export function mergeCookie(header: Record<string, string>, fromJar: string): void {
  let key = 'Cookie'
  for (const k in header) if (k.toLowerCase() === 'cookie') key = k
  const own = String(header[key] || '').trim()
  if (!own) {
    header[key] = fromJar
    return
  }
  const names = own.split(';').map(nameOf)
  header[key] = [...fromJar.split('; ').filter((p) => !names.includes(nameOf(p))), own].join('; ')
}

/**
 * Header mode: the header value sent for an id (`prefix` + id, or `format(id)`), and the id read
 * back from an answer's header (the prefix stripped, its case ignored as an auth scheme's is, RFC
 * 9110 11.1). A value without the prefix is no id; with `format` and no prefix nothing is read.
 */
export function headerCarrier(
  prefix: string,
  format?: (id: string) => string,
): { formatId(id: string): string; parseId(value: string | undefined): string | undefined } {
  return {
    formatId: format || ((id) => prefix + id),
    parseId(value) {
      if (value === undefined || !prefix) return format ? undefined : value
      const head = value.slice(0, prefix.length).toLowerCase()
      return head === prefix.toLowerCase() ? value.slice(prefix.length).trim() : undefined
    },
  }
}

/** A response header by name, any casing; iOS may give an array. */
export function headerValue(header: Record<string, unknown>, name: string): string | undefined {
  for (const key in header)
    if (key.toLowerCase() === name.toLowerCase()) {
      const v = header[key]
      const s = Array.isArray(v) ? v[0] : v
      return typeof s === 'string' && s ? s : undefined
    }
  return undefined
}

/**
 * Header/url mode: takes the session cookie out of the Set-Cookie lines (the rest go to the jar).
 * The id is undefined when absent, '' when deleted (empty, Max-Age <= 0 or a past Expires).
 */
export function takeSessionCookie(
  lines: string[],
  names: Set<string>,
  now: number,
): [id: string | undefined, others: string[]] {
  let id: string | undefined
  const others = lines.filter((line) => {
    const c = parseSetCookie(line)
    if (!c || !names.has(c.name.toLowerCase())) return true
    id = (c.maxAge as number) <= 0 || (c.expires as number) <= now ? '' : c.value
    return false
  })
  return [id, others]
}
