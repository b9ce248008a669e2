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
    const req = lib.request(url, {
      method,
      headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
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
      if (ex.redirect === 'follow' && location && [301, 302, 303, 307, 308].includes(status)) {
        // Followed internally: JS never sees this hop, so its Set-Cookie is lost (mptool docs/net/README.md, PLATFORM.md 1.6).
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
