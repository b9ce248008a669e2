// Raw HTTP for the emulated network APIs: node:http/https (not fetch) so that the server's header
// name casing and every Set-Cookie line survive (res.rawHeaders).
import * as http from 'node:http'
import * as https from 'node:https'

export interface Exchange {
  method: string
  url: URL
  headers: Record<string, string>
  body?: Buffer
  redirect: 'follow' | 'manual'
  /** The platform's own cookie jar (Alipay's, Douyin's with enableStore), used at every hop. */
  cookies?: NativeCookies
}

/**
 * A native cookie jar, applied at each hop as a native HTTP stack does [guess: per hop, as
 * browsers do], so a third party's Set-Cookie on a redirect is stored for its own host only.
 */
export interface NativeCookies {
  /** The Cookie header for a hop to `url`, from the jar and the caller's own Cookie header. */
  header(url: string, explicit: string | undefined): string
  /** A hop's Set-Cookie lines, for that hop's URL. */
  store(url: string, lines: string[]): void
}

/** The request headers for one hop: a native jar's Cookie header computed for that hop's URL. */
function withNativeCookies(
  headers: Record<string, string>,
  url: URL,
  jar?: NativeCookies,
): Record<string, string> {
  if (!jar) return headers
  const others: Record<string, string> = {}
  let explicit: string | undefined
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'cookie') explicit = value
    else others[name] = value
  }
  const cookie = jar.header(url.href, explicit)
  return cookie ? { ...others, Cookie: cookie } : others
}

export interface ExchangeEvents {
  /** Status line and raw header pairs of the response handed to JS (the final one, or the 3xx when manual). */
  headers(statusCode: number, rawHeaders: string[]): void
  chunk(data: Buffer): void
  end(body: Buffer): void
  error(reason: string): void
}

// Browsers stop at 20 hops; the native client's limit is unknown [guess].
const MAX_REDIRECTS = 20

/** Sends one exchange, following redirects unless `manual`. Returns an abort function. */
export function send(ex: Exchange, on: ExchangeEvents): () => void {
  let current: http.ClientRequest | undefined
  let stopped = false
  const stop = (): void => {
    stopped = true
    current?.destroy()
  }

  const go = (
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Buffer | undefined,
    hops: number,
  ): void => {
    const lib = url.protocol === 'https:' ? https : http
    // agent:false: one connection per call, so no keep-alive socket outlives a test's server.
    const sent = withNativeCookies(headers, url, ex.cookies)
    const req = lib.request(url, {
      method,
      headers: { ...sent, ...(body ? { 'Content-Length': String(body.length) } : {}) },
      agent: false,
    })
    current = req
    req.on('error', (err) => {
      if (!stopped) on.error(err.message || 'request connect error')
    })
    req.on('response', (res) => {
      if (stopped) return res.destroy()
      const status = res.statusCode ?? 0
      const location = res.headers.location
      // A native jar takes every hop's Set-Cookie for that hop's URL.
      ex.cookies?.store(
        url.href,
        res.rawHeaders.filter((_, i) => i % 2 === 1 && res.rawHeaders[i - 1]!.toLowerCase() === 'set-cookie'),
      )
      if (ex.redirect === 'follow' && location && [301, 302, 303, 307, 308].includes(status)) {
        // Followed internally: JS never sees this hop, so its Set-Cookie is lost (mptool docs/net/README.md, PLATFORM.md 1.6).
        // Every header the caller set (Cookie, a session header, Authorization) goes on to the next
        // hop, whatever its host: nothing documents otherwise [guess]; a native jar's cookies are its own per hop.
        res.resume()
        if (hops >= MAX_REDIRECTS) return on.error('too many redirects')
        const next = new URL(location, url)
        // 303, and 301/302 after a POST, continue as GET without the body (Fetch standard, as browsers do).
        const toGet =
          status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST'
        const nextHeaders = { ...headers }
        if (toGet) {
          for (const name of Object.keys(nextHeaders)) if (/^content-/i.test(name)) delete nextHeaders[name]
        }
        return go(toGet ? 'GET' : method, next, nextHeaders, toGet ? undefined : body, hops + 1)
      }
      on.headers(status, res.rawHeaders)
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => {
        if (stopped) return
        chunks.push(c)
        on.chunk(c)
      })
      res.on('end', () => {
        if (!stopped) on.end(Buffer.concat(chunks))
      })
      res.on('error', (err) => {
        if (!stopped) on.error(err.message)
      })
    })
    req.end(body)
  }

  try {
    go(ex.method, ex.url, ex.headers, ex.body, 0)
  } catch (err) {
    // e.g. an invalid header value: node:http throws synchronously.
    queueMicrotask(() => on.error(err instanceof Error ? err.message : String(err)))
  }
  return stop
}
