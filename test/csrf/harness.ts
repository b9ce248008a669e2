// A reference session layer in a few lines, over plain fetch, for the real-server CSRF tests:
// the jar (src/cookie), src/session/csrf.ts called at the points lifecycle.ts will call it, and the
// retry rule proposed for client.ts (a CSRF failure or a 401 → one renew, one retry). What these
// tests prove about csrf.ts against real servers then carries over to the integration.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CookieJar } from '../../src/cookie/index.js'
import type { SessionResponse } from '../../src/options.js'
import { createCsrf, resolveCsrf } from '../../src/session/csrf.js'
import type { CsrfOptions } from '../../src/session/csrf.js'

/** wx.request's fixed Referer (PLATFORM.md 1.8). */
export const WX_REFERER = 'https://servicewechat.com/wxtestappid/0/page-frame.html'

export interface Answer extends SessionResponse {
  header: Record<string, string>
}

export interface HarnessOptions {
  csrf?: CsrfOptions | false | undefined
  /** The login code for each login (test/servers/codes.ts mint). */
  code?: () => string
  /** The session cookie's name: the id csrf.ts binds tokens to. */
  sessionCookie: string
}

export function harness(base: string, options: HarnessOptions) {
  const jar = new CookieJar()
  const config = resolveCsrf(options.csrf)
  const sessionId = (): string | undefined => jar.all().find((c) => c.name === options.sessionCookie)?.value
  const csrf = createCsrf(config, sessionId)
  const origin = new URL(base).origin
  let loggedIn = false
  let sent = 0

  // lifecycle.ts send(): ensure → attach (token headers, then cookies) → call → capture.
  async function send(method: string, url: string, body?: unknown, header: Record<string, string> = {}) {
    const target = new URL(url, base).href
    const isBackend = new URL(target).origin === origin
    const waiting = csrf.ensure(method, isBackend, () =>
      send('GET', config.endpoint as string).then((res) => {
        if (res.statusCode >= 400) throw new Error(`token endpoint: HTTP ${res.statusCode}`)
      }),
    )
    const done = waiting && (await waiting)
    try {
      const headers: Record<string, string> = { referer: WX_REFERER, ...header }
      csrf.attach(headers, method, isBackend, () => jar.getCookies(target))
      const cookie = jar.getCookieHeader(target)
      if (cookie) headers.cookie = cookie
      if (body !== undefined) headers['content-type'] = 'application/json'
      sent++
      const res = await fetch(target, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(5000),
      })
      jar.setCookies(res.headers.getSetCookie(), target)
      const text = await res.text()
      let data: unknown = text
      try {
        data = JSON.parse(text)
      } catch {
        // HTML (Django's 403 page) stays a string
      }
      const answer: Answer = { statusCode: res.status, header: Object.fromEntries(res.headers), data }
      if (isBackend) csrf.capture(answer)
      return answer
    } finally {
      if (done) done()
    }
  }

  // lifecycle.ts renew(): warm-up, login again if we were logged in. A token read from answers
  // needs no forget(): the new id voids it.
  async function renew(): Promise<void> {
    await send('GET', '/session')
    if (loggedIn) await login()
  }

  async function login(): Promise<Answer> {
    const res = await send('POST', '/login', { code: options.code!() })
    if (res.statusCode === 200) loggedIn = true
    return res
  }

  return {
    jar,
    csrf,
    send,
    login,
    /** Requests sent so far (token fetches included). */
    get sent() {
      return sent
    },
    /** client.ts journey: an expiry (401) or a CSRF failure of the backend → one renew, one retry. */
    async request(method: string, url: string, body?: unknown, header?: Record<string, string>) {
      const first = await send(method, url, body, header)
      const isBackend = new URL(url, base).origin === origin
      const expired = isBackend && first.statusCode === 401
      const refused = csrf.isFailure(method, isBackend, first)
      if (!expired && !refused) return { res: first, retried: false }
      if (refused) csrf.forget()
      await renew()
      return { res: await send(method, url, body, header), retried: true }
    },
    async logout(): Promise<Answer> {
      const res = await send('POST', '/logout', {})
      loggedIn = false
      csrf.forget() // the id may stay (Django flushes the session but the cookie may linger)
      return res
    },
  }
}

/** A third-party host on 127.0.0.2 that records every request's headers (and offers a token). */
export async function startThirdParty(): Promise<{
  url: string
  seen: Array<{ method: string; headers: Record<string, string | string[] | undefined> }>
  close(): Promise<void>
}> {
  const seen: Array<{ method: string; headers: Record<string, string | string[] | undefined> }> = []
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? 'GET', headers: req.headers })
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-csrf-token': 'third-party-token',
      'set-cookie': 'csrftoken=third-party-cookie; Path=/',
    })
    res.end(JSON.stringify({ csrfToken: 'third-party-token' }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.2', resolve)
  })
  return {
    url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The request headers of `headers` whose name mentions csrf or xsrf. */
export const tokenHeadersOf = (headers: Record<string, unknown>): string[] =>
  Object.keys(headers).filter((name) => /csrf|xsrf/i.test(name))
