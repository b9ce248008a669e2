// Every carrier against both real backends: warm-up → login → requests → server-side expiry →
// 401 → renew → retry → logout → 401.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionOptions } from '../../src/options.js'
import { profiles } from '../../src/testing/index.js'
import { withSessionInUrl } from '../../src/session/carrier.js'
import { hasPhp } from '../servers/php.js'
import { requires } from '../helpers/requires.js'
import { body, expressEnv, MIN, phpEnv } from './env.js'
import type { Env } from './env.js'

interface Case {
  name: string
  start: () => Promise<Env>
  options: SessionOptions
  via: 'cookie' | 'header' | 'url'
  /** The server expires idle sessions on the fake clock (express); PHP's GC is expireAll. */
  idle?: boolean
}

const php = requires('php', hasPhp(), 'apt-get install php-cli')
const cases: Case[] = [
  {
    name: 'cookie × express (connect.sid)',
    start: () => expressEnv(),
    options: {},
    via: 'cookie',
    idle: true,
  },
  {
    name: 'header × express (X-Session-Id)',
    start: () => expressEnv(),
    options: { mode: 'header' },
    via: 'header',
    idle: true,
  },
  {
    name: 'url × express (;jsessionid= servlet style)',
    start: () => expressEnv(),
    options: { mode: 'url' },
    via: 'url',
    idle: true,
  },
  ...(php
    ? ([
        { name: 'cookie × PHP (PHPSESSID)', start: () => phpEnv(), options: {}, via: 'cookie' },
        {
          name: 'header × PHP (session_id)',
          start: () => phpEnv(),
          options: { mode: 'header', header: { name: 'session_id' } },
          via: 'header',
        },
        {
          name: 'url × PHP (?PHPSESSID= query style)',
          start: () => phpEnv(),
          options: { mode: 'url', url: { style: 'query' } },
          via: 'url',
        },
      ] satisfies Case[])
    : []),
]

describe.each(cases)('$name', ({ start, options, via, idle }) => {
  let env: Env
  beforeEach(async () => {
    env = await start()
  })
  afterEach(() => env.close())

  it('keeps, renews and drops the session', async () => {
    const c = env.client({
      warmup: '/session',
      login: { url: '/login' },
      logout: '/logout',
      refreshInterval: false,
      ...options,
    })
    const { server } = env
    const who = (await c.login()) as { openid: string; sessionId: string }
    expect(who.openid).toBe(env.rt.openid)
    expect(server.count('warmup')).toBe(1)
    expect(server.count('login')).toBe(1)
    if (via !== 'cookie') expect(c.getSession().id).toBe(who.sessionId)

    const first = await c.request({ url: '/orders', data: { page: 1 } })
    const second = await c.request({ url: '/me' })
    expect(body(first).sid).toBe(who.sessionId)
    expect(body(second).sid).toBe(who.sessionId)
    const seen = server.events.filter((e) => e.path === '/orders' || e.path === '/me')
    expect(seen.map((e) => e.via)).toEqual([via, via])
    expect(seen.map((e) => e.status)).toEqual([200, 200])

    await server.expireAll()
    const renewed = await c.request({ url: '/orders' })
    expect(renewed.statusCode).toBe(200)
    expect(body(renewed).sid).not.toBe(who.sessionId)
    expect(server.count('unauthorized')).toBe(1)
    expect(server.count('login')).toBe(2)
    if (via !== 'cookie') expect(c.getSession().id).toBe(body(renewed).sid)

    if (idle) {
      // The server's own idle timeout (30 min on its clock), not a wipe: the same renew path.
      await env.clock.advance(31 * MIN)
      const afterIdle = await c.request({ url: '/me' })
      expect(body(afterIdle).sid).not.toBe(body(renewed).sid)
      expect(server.count('login')).toBe(3)
    }
    const logins = server.count('login')

    await c.logout()
    expect(server.count('logout')).toBe(1)
    expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
    await expect(c.request({ url: '/orders' })).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      statusCode: 401,
    })
    expect(server.count('login')).toBe(logins)
  })
})

describe('capture and carriage options (express-session)', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('sessionFromBody: the id read from the warm-up and login bodies ({ sessionId })', async () => {
    // No session header, no session cookie name: the body is the only source.
    const c = env.client({
      mode: 'url',
      header: { name: 'X-Unused' },
      sessionCookie: [],
      sessionFromBody: (b) => (b as { sessionId?: string }).sessionId,
      warmup: '/session',
      login: { url: '/login' },
    })
    const who = (await c.login()) as { sessionId: string }
    expect(c.getSession().id).toBe(who.sessionId)
    const res = await c.request({ url: '/orders' })
    expect(body(res).sid).toBe(who.sessionId)
    expect(env.server.events.at(-1)?.via).toBe('url')
  })

  it('jar: false keeps no cookies; the header still carries the session', async () => {
    const c = env.client({ mode: 'header', jar: false, warmup: '/session' })
    await c.request({ url: '/cookies/extra' })
    const res = await c.request({ url: '/api/echo-cookie' })
    // (The server itself maps X-Session-Id onto its connect.sid cookie; nothing else arrives.)
    expect(body(res).cookie).not.toMatch(/theme|api_token|prefs|dom=/)
    expect(env.server.events.at(-1)?.via).toBe('header')
  })

  it('logout clears the session locally even when the endpoint is unreachable', async () => {
    const errors: string[] = []
    const c = env.client({
      warmup: '/session',
      login: { url: '/login' },
      logout: 'http://127.0.0.1:1/logout',
      onError: (e) => errors.push(e.code),
    })
    await c.login()
    await c.logout()
    expect(errors).toEqual(['NETWORK'])
    expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
    const stored = env.rt.wx.getStorageSync(env.key) as {
      cookies: { name: string }[]
      session: { boundId?: string; wantsLogin?: boolean }
    }
    expect(stored.cookies.map((k) => k.name)).not.toContain('connect.sid')
    expect(stored.session).toEqual({ wantsLogin: false })
  })
})

describe('URL mode builder', () => {
  it.each([
    ['http://a.test/orders', 'http://a.test/orders;jsessionid=ID'],
    ['http://a.test/orders?x=1#top', 'http://a.test/orders;jsessionid=ID?x=1#top'],
    ['http://a.test/orders;jsessionid=OLD?x=1', 'http://a.test/orders;jsessionid=ID?x=1'],
  ])('servlet style %s', (url, expected) => {
    expect(withSessionInUrl(url, 'path', 'jsessionid', 'ID')).toBe(expected)
  })
  it.each([
    ['http://a.test/orders', 'http://a.test/orders?PHPSESSID=a%2Bb'],
    ['http://a.test/orders?x=1#top', 'http://a.test/orders?x=1&PHPSESSID=a%2Bb#top'],
    ['http://a.test/orders?PHPSESSID=old&x=1', 'http://a.test/orders?x=1&PHPSESSID=a%2Bb'],
  ])('query style %s', (url, expected) => {
    expect(withSessionInUrl(url, 'query', 'PHPSESSID', 'a+b')).toBe(expected)
  })

  it('never puts the session on a third-party URL (header and url modes)', async () => {
    const env = await expressEnv()
    const other = await expressEnv()
    try {
      for (const mode of ['header', 'url'] as const) {
        const c = env.client({ mode, warmup: '/session' })
        await c.request({ url: '/session' })
        expect(c.getSession().id).toBeTruthy()
        // The other server is another origin (another port): no id in header or URL.
        await c.request({ url: `${other.server.url}/session` })
        const last = other.server.events.at(-1)
        expect(last?.path).toBe('/session')
        // Cookies ignore ports, so the other server's own cookie may come back to it; our id never does.
        expect(last?.via === 'header' || last?.via === 'url').toBe(false)
        expect(last?.sid).not.toBe(c.getSession().id)
      }
    } finally {
      await env.close()
      await other.close()
    }
  })
})

// The answer shapes platforms really deliver (PLATFORM.md 1.6): lower-case names (HTTP/2, Android
// high-performance mode), Set-Cookie joined by ';' (QQ Android), no `cookies` array (base library < 2.10.0).
describe.each([
  ['Android high-performance (lower-case headers)', profiles.androidHighPerformance],
  ["QQ Android (Set-Cookie joined by ';')", profiles.qqAndroid],
  ['base library < 2.10.0 (no res.cookies)', profiles.legacy],
])('answer shape: %s', (_name, profile) => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv({}, profile)
  })
  afterEach(() => env.close())

  it.each(['cookie', 'header'] as const)('%s mode keeps the session and the extra cookies', async (mode) => {
    const c = env.client({ mode, warmup: '/session', login: { url: '/login' } })
    const who = (await c.login()) as { sessionId: string }
    await c.request({ url: '/cookies/extra' }) // five Set-Cookie lines in one answer
    const echo = await c.request({ url: '/api/echo-cookie' })
    for (const name of ['theme=dark', 'api_token=t0k3n', 'dom=1', 'secure_only=1', 'prefs=compact']) {
      expect(String(body(echo).cookie)).toContain(name)
    }
    const res = await c.request({ url: '/orders' })
    expect(body(res).sid).toBe(who.sessionId)
    expect(env.server.events.at(-1)?.via).toBe(mode)
  })
})
