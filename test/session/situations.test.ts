// Ordinary situations of an app's life in which a browser-like client with a silent login keeps
// the user working (issue 11), on express-session and PHP, in cookie, header and URL mode. Each
// lost the user before the session state was decided from facts (state.ts).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Client } from '../../src/client.js'
import { createClient } from '../../src/client.js'
import type { SessionError } from '../../src/errors.js'
import { init, request as defaultRequest } from '../../src/index.js'
import type { SessionOptions } from '../../src/options.js'
import { backendRows } from './backends.js'
import { body, expressEnv, until } from './env.js'
import type { Env } from './env.js'

const TTL = 10_000 // the server's idle timeout, on the fake clock

const caught = (p: Promise<unknown>): Promise<SessionError> =>
  p.then(
    (r) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(r)}`)
    },
    (e: SessionError) => e,
  )

/** A server on 127.0.0.2 (another host): 401 to everything, or no answer at all (`hang`). */
async function otherHost(
  how: '401' | 'hang',
): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0
  const server = createServer((_req, res) => {
    hits++
    if (how === 'hang') return
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":401}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.2:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe.each(backendRows)('%s', (_label, backend) => {
  let env: Env
  afterEach(async () => {
    vi.useRealTimers()
    await env?.close()
  })
  const options = (more: SessionOptions = {}): SessionOptions => ({
    ...backend.options,
    warmup: '/session',
    login: { url: '/login' },
    logout: '/logout',
    refreshInterval: false,
    ...more,
  })
  const sids = (results: Array<{ data: unknown }>): Set<unknown> => new Set(results.map((r) => body(r).sid))

  it('cold start, 50 concurrent requests that need a user: 1 warm-up, 1 login, 50 answers on one session', async () => {
    env = await backend.start(TTL)
    const c = env.client(options())
    const results = await Promise.all(Array.from({ length: 50 }, () => c.request({ url: '/orders' })))
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200))
    expect(sids(results).size).toBe(1)
    expect(env.server.count('warmup')).toBe(1)
    expect(env.server.count('login')).toBe(1)
    expect(c.getSession().loggedIn).toBe(true)
  })

  it('a restart after the server dropped the stored session logs in again by itself', async () => {
    env = await backend.start(TTL)
    const who = (await env.client(options()).login()) as { openid: string }
    env.restart()
    await env.advance(TTL + 1000)
    const res = await env.client(options()).request({ url: '/orders' })
    expect(res.statusCode).toBe(200)
    expect(body(res).openid).toBe(who.openid)
    expect(env.server.count('login')).toBe(2)
  })

  it('hidden longer than the idle timeout: the keep-alive and the taps on show all succeed, one login', async () => {
    env = await backend.start(TTL)
    const c = env.client(options({ refreshInterval: TTL / 2 }))
    const who = (await c.login()) as { openid: string }
    env.rt.hide()
    await env.advance(TTL * 3) // suspended after 5 s; the server drops the session after TTL
    env.rt.show() // the overdue keep-alive goes out now, with the old id
    const taps = await Promise.all(Array.from({ length: 5 }, () => c.request({ url: '/orders' })))
    expect(taps.map((r) => r.statusCode)).toEqual(Array(5).fill(200))
    expect(new Set(taps.map((r) => body(r).openid))).toEqual(new Set([who.openid]))
    expect(env.server.count('login')).toBe(2)
    expect(c.getSession().loggedIn).toBe(true)
  })

  it('logout() while a login is in flight: the login binds nothing, locally, in storage or at the server', async () => {
    env = await backend.start(TTL)
    let release: (() => void) | undefined
    const wx = env.rt.wx
    // wx.login answers only when the test says: the login is in flight meanwhile.
    const platform = {
      ...wx,
      login: (o: { success(r: unknown): void; fail(e: unknown): void }) => {
        release = () => void wx.login({ success: o.success, fail: o.fail })
      },
    }
    const c = env.client(options({ platform }))
    await c.request({ url: '/session', needLogin: false })
    const pending = caught(c.login())
    await until(() => release !== undefined, 'wx.login called')
    await c.logout()
    release!()
    expect((await pending).code).toBe('LOGIN_FAILED')
    expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
    env.restart()
    const after = env.client(options())
    expect(after.getSession().loggedIn).toBe(false)
    // Nothing logs in by itself after a logout: a call that needs a user stands as expired.
    const logins = env.server.count('login')
    expect(await caught(after.request({ url: '/me' }))).toMatchObject({
      code: 'SESSION_EXPIRED',
      statusCode: 401,
    })
    expect(env.server.count('login')).toBe(logins)
  })

  it('logout() while a renew is in flight: the renew logs nobody back in', async () => {
    env = await backend.start(TTL)
    const c = env.client(options())
    await c.login()
    await env.advance(TTL + 1000) // the server drops the session
    const tap = c.request({ url: '/orders' }).catch((e: unknown) => e) // 401 → renew (warm-up, login)
    await until(() => env.server.count('warmup') >= 2 || env.server.count('login') >= 2, 'the renew running')
    await c.logout()
    await tap
    expect(c.getSession().loggedIn).toBe(false)
    const logins = env.server.count('login')
    expect(await caught(c.request({ url: '/me' }))).toMatchObject({
      code: 'SESSION_EXPIRED',
      statusCode: 401,
    })
    expect(env.server.count('login')).toBe(logins)
    expect(c.getSession().loggedIn).toBe(false)
  })

  it('a hanging logout endpoint: the session is cleared and stored at once; a restart stays logged out', async () => {
    env = await backend.start(TTL)
    const hang = await otherHost('hang')
    try {
      const c = env.client(options({ logout: `${hang.url}/logout` }))
      await c.login()
      void c.logout()
      expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
      await until(() => hang.hits() === 1, 'the logout call on the wire')
      env.restart()
      const after = env.client(options())
      expect(after.getSession()).toMatchObject({ id: undefined, loggedIn: false })
    } finally {
      await hang.close()
    }
  })

  it("init() replacing a client: the old client's late answer is not saved over the new login", async () => {
    env = await backend.start(TTL)
    const o = { platform: env.rt.wx, clock: env.rt.clock, baseURL: env.server.url, ...options() }
    init(o)
    await defaultRequest({ url: '/session', needLogin: false })
    const late = defaultRequest({ url: '/slow?ms=400', needLogin: false }) // answered after init() below
    await until(() => env.server.events.some((e) => e.path === '/slow'), 'the slow call on the wire')
    const next = init(o)
    const who = (await next.login()) as { openid: string }
    await late
    expect(next.getSession().loggedIn).toBe(true)
    const id = next.getSession().id
    next.dispose() // before its runtime goes: a logout on it now would try to save there
    env.restart()
    const after = env.client(options())
    expect(after.getSession()).toMatchObject({ id, loggedIn: true })
    expect(body(await after.request({ url: '/me' })).openid).toBe(who.openid)
  })

  it("a third party's 401 comes back as it is: no renew, no onSessionExpired", async () => {
    env = await backend.start(TTL)
    const other = await otherHost('401')
    try {
      const expired: SessionError[] = []
      const c = env.client(options({ onSessionExpired: (e) => expired.push(e) }))
      await c.login()
      const res = await c.request({ url: `${other.url}/orders` })
      expect(res.statusCode).toBe(401)
      expect(other.hits()).toBe(1)
      expect(expired).toEqual([])
      expect(env.server.count('warmup') + env.server.count('login')).toBe(2)
    } finally {
      await other.close()
    }
  })

  it('a storm of 50 expired answers that no renew can fix calls onSessionExpired once', async () => {
    env = await backend.start(TTL)
    const expired: SessionError[] = []
    // autoLogin off and nobody logged in: a 401 only warms up again, then stands.
    const c = env.client(options({ autoLogin: false, onSessionExpired: (e) => expired.push(e) }))
    const errors = await Promise.all(Array.from({ length: 50 }, () => caught(c.request({ url: '/orders' }))))
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['SESSION_EXPIRED']))
    expect(expired.length).toBe(1)
    expect(env.server.count('warmup')).toBe(2)
    expect(env.server.count('login')).toBe(0)
  })

  it('a wx.login that never calls back: calls that need it fail LOGIN_FAILED after loginTimeout', async () => {
    env = await backend.start(TTL)
    let asked = 0
    const platform = { ...env.rt.wx, login: () => void asked++ }
    const c = env.client(options({ platform, loginTimeout: 3000 }))
    const pending = Promise.all([caught(c.request({ url: '/orders' })), caught(c.request({ url: '/me' }))])
    await until(() => asked === 1, 'wx.login called')
    await env.advance(3000)
    const [a, b] = await pending
    expect(a.code).toBe('LOGIN_FAILED')
    expect(a.message).toContain('wx.login did not answer within 3000 ms')
    expect(b).toBe(a)
    expect(asked).toBe(1)
    // Public calls never waited for it.
    expect((await c.request({ url: '/session', needLogin: false })).statusCode).toBe(200)
  })

  it('the login endpoint down: 20 taps make 1 login call inside the backoff, then it recovers', async () => {
    env = await backend.start(TTL)
    env.server.fail('login', 1, { status: 503 })
    const c = env.client(options())
    const errors: SessionError[] = []
    for (let i = 0; i < 20; i++) errors.push(await caught(c.request({ url: '/orders' })))
    expect(new Set(errors)).toEqual(new Set([errors[0]]))
    expect(errors[0]).toMatchObject({ code: 'LOGIN_FAILED', statusCode: 503 })
    expect(env.server.count('login')).toBe(1)
    await env.advance(1000)
    expect((await c.request({ url: '/orders' })).statusCode).toBe(200)
    expect(env.server.count('login')).toBe(2)
  })
})

describe('express-session only', () => {
  let env: Env | undefined
  afterEach(async () => {
    vi.useRealTimers()
    await env?.close()
    env = undefined
  })

  it("a restart after the session cookie's Expires passed logs in by itself (rolling cookie)", async () => {
    env = await expressEnv({ rolling: true, idleTimeoutMs: 30 * 60_000 })
    // express-session dates its rolling Expires with Date.now: follow the fake clock.
    vi.useFakeTimers({ toFake: ['Date'], now: env.clock.now() })
    const o = { warmup: '/session', login: { url: '/login' }, refreshInterval: false } as const
    const who = (await env.client(o).login()) as { openid: string }
    env.restart()
    await env.clock.advance(31 * 60_000)
    vi.setSystemTime(env.clock.now())
    const c: Client = env.client(o)
    expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
    const res = await c.request({ url: '/orders' })
    expect(res.statusCode).toBe(200)
    expect(body(res).openid).toBe(who.openid)
    expect(env.server.count('login')).toBe(2)
  })

  it('createClient with autoLogin: false keeps the explicit-login rule: a 401 before any login stands', async () => {
    env = await expressEnv()
    const c = createClient({
      platform: env.rt.wx,
      clock: env.rt.clock,
      baseURL: env.server.url,
      warmup: '/session',
      login: { url: '/login' },
      autoLogin: false,
    })
    try {
      expect((await caught(c.request({ url: '/orders' }))).code).toBe('SESSION_EXPIRED')
      expect(env.server.count('login')).toBe(0)
      await c.login()
      await env.server.expireAll()
      // Once the user logged in, an expired answer logs in again silently.
      expect((await c.request({ url: '/orders' })).statusCode).toBe(200)
      expect(env.server.count('login')).toBe(2)
    } finally {
      c.dispose()
    }
  })
})
