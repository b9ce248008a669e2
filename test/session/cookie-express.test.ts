import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isSessionError } from '../../src/errors.js'
import type { SessionError } from '../../src/errors.js'
import { body, expressEnv, MIN } from './env.js'
import type { Env } from './env.js'

describe('cookie mode against express-session', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('warm-up → login → requests → expiry → renew → retry → logout', async () => {
    const expired: SessionError[] = []
    const c = env.client({
      warmup: '/session',
      login: { url: '/login' },
      logout: '/logout',
      refreshInterval: false,
      onSessionExpired: (e) => expired.push(e),
    })
    const { server } = env

    const who = (await c.login()) as { openid: string; bind: boolean; sessionId: string }
    expect(who).toMatchObject({ openid: env.rt.openid, bind: false })
    expect(server.count('warmup')).toBe(1)
    expect(server.count('login')).toBe(1)
    // The login went out with the warm-up's session; the server rotated the id and we took the new one.
    const [warm, login] = server.events.filter((e) => e.event === 'warmup' || e.event === 'login')
    expect(login?.via).toBe('cookie')
    expect(login?.sid).toBe(warm?.sid)

    const a = await c.request({ url: '/orders' })
    const b = await c.request({ url: '/me' })
    expect(a.statusCode).toBe(200)
    expect(body(a).sid).toBe(who.sessionId)
    expect(body(b).sid).toBe(who.sessionId)
    expect(server.events.at(-1)?.via).toBe('cookie')

    // The server forgets every session (its GC): one 401, one renew (warm-up + login), one retry.
    await server.expireAll()
    const renewed = await c.request({ url: '/orders' })
    expect(renewed.statusCode).toBe(200)
    expect(body(renewed).sid).not.toBe(who.sessionId)
    expect(server.count('unauthorized')).toBe(1)
    expect(server.count('warmup')).toBe(2)
    expect(server.count('login')).toBe(2)

    // Idle timeout by the server's clock (no refresh timer here): the same path again.
    await env.clock.advance(31 * MIN)
    const afterIdle = await c.request({ url: '/me' })
    expect(afterIdle.statusCode).toBe(200)
    expect(body(afterIdle).sid).not.toBe(body(renewed).sid)
    expect(server.count('login')).toBe(3)

    await c.logout()
    expect(server.count('logout')).toBe(1)
    expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
    const logins = server.count('login')
    const error = await c.request({ url: '/orders' }).catch((e: unknown) => e)
    expect(isSessionError(error) && error.code).toBe('SESSION_EXPIRED')
    expect((error as SessionError).statusCode).toBe(401)
    expect((error as SessionError).message).toContain(`GET ${server.url}/orders`)
    expect(expired).toHaveLength(1)
    expect(server.count('login')).toBe(logins) // logged out: nobody logs back in behind the user's back
  })

  it('debug logs every step with session ids masked', async () => {
    const lines: string[] = []
    const c = env.client({
      warmup: '/session',
      login: { url: '/login' },
      mode: 'header',
      debug: (m) => lines.push(m),
    })
    const who = (await c.login()) as { sessionId: string }
    await env.server.expireAll()
    await c.request({ url: '/me' })
    const text = lines.join('\n')
    for (const step of ['warm-up GET /session', 'login POST /login', 'renew', 'capture', 'persist'])
      expect(text).toContain(step)
    expect(text).toContain(`id=${who.sessionId.slice(0, 4)}…`)
    expect(text).not.toContain(who.sessionId)
    expect(text).not.toContain(c.getSession().id)
  })

  it('a request marked needLogin waits for the login; resolves with the platform result object', async () => {
    const c = env.client({ warmup: '/session', login: { url: '/login' }, needLogin: true })
    const res = await c.request<{ sid: string; openid: string }>({
      url: '/orders',
      method: 'POST',
      data: { item: 7 },
    })
    expect(res.statusCode).toBe(201)
    expect(res.errMsg).toBe('request:ok')
    expect(res.data.openid).toBe(env.rt.openid)
    expect(env.server.count('login')).toBe(1)
    expect(env.server.count('unauthorized')).toBe(0)
  })

  it('rejectOnHttpError turns a 4xx into an HTTP error; otherwise it resolves', async () => {
    const c = env.client({ isExpired: () => false })
    const plain = await c.request({ url: '/me' })
    expect(plain.statusCode).toBe(401)
    const error = await c.request({ url: '/me', rejectOnHttpError: true }).catch((e: unknown) => e)
    expect(isSessionError(error) && error.code).toBe('HTTP')
    expect((error as SessionError).statusCode).toBe(401)
  })

  it('a business code can mean "expired" ({ code: -1 } with HTTP 200)', async () => {
    const c = env.client({
      warmup: '/session',
      login: { url: '/login' },
      isExpired: (res) => (res.data as { code?: number } | null)?.code === -1,
    })
    await c.login()
    await env.server.expireAll()
    const res = await c.request({ url: '/biz/orders' })
    expect(body(res)).toMatchObject({ code: 0, openid: env.rt.openid })
    expect(env.server.count('login')).toBe(2)
  })

  it("merges a caller's own Cookie header with the jar instead of overwriting it", async () => {
    const c = env.client({ warmup: '/session' })
    await c.request({ url: '/session' })
    await c.request({ url: '/cookies/extra' })
    const res = await c.request({ url: '/api/echo-cookie', header: { cookie: 'mine=1; theme=light' } })
    const sent = String(body(res).cookie)
    expect(sent).toContain('mine=1')
    expect(sent).toContain('theme=light') // the caller's value wins over the jar's theme=dark
    expect(sent).not.toContain('theme=dark')
    expect(sent).toContain('connect.sid=')
    expect(sent).toContain('api_token=t0k3n') // Path=/api cookie goes to /api/…
  })

  it('abort before sending never sends; abort in flight rejects ABORTED', async () => {
    const c = env.client({ warmup: '/session' })
    const early = c.request({ url: '/orders' })
    early.abort()
    await expect(early).rejects.toMatchObject({ code: 'ABORTED' })
    // The warm-up the gate had started is allowed to finish; /orders itself never went out.
    await c.request({ url: '/session' })
    expect(env.server.events.filter((e) => e.path === '/orders')).toHaveLength(0)

    const headers: number[] = []
    const p = c.request({ url: '/session' }).onHeadersReceived((h) => headers.push(h.statusCode))
    await p
    expect(headers).toEqual([200])

    const inFlight = c.request({ url: '/session' })
    await new Promise((resolve) => setImmediate(resolve))
    inFlight.abort()
    await expect(inFlight).rejects.toMatchObject({ code: 'ABORTED' })
  })
})
