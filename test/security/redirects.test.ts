// Redirects (issue 12 point 5): each check an attack or a lost session and its safe outcome, on
// the testing runtime with real backends (express and PHP on 127.0.0.1) and a real third party on
// 127.0.0.2. Where wx.request takes `redirect: 'manual'` (base library 3.2.2+) the SDK follows
// 3xx itself; below, the platform does, and what it loses is pinned down here too.
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Client } from '../../src/client.js'
import type { SessionError } from '../../src/errors.js'
import { ttPlatform } from '../../src/platform/tt.js'
import { wechatPlatform } from '../../src/platform/wechat.js'
import type { WxLike } from '../../src/platform/wechat.js'
import { resolveLocation } from '../../src/session/redirect.js'
import { asPlatform, createRuntime, platformProfiles, profiles } from '../../src/testing/index.js'
import type { AnyObject } from '../../src/testing/index.js'
import { backendRows } from '../session/backends.js'
import { body, expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'

const ATTACKER = 'ATTACKER0123456789'

interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
}

/**
 * The third party on 127.0.0.2: records every request; `/set` tries to plant the session (a
 * session cookie of every backend's name, the session headers) and sets a cookie of its own;
 * `/back?to=URL[&status=S]` answers S (302) to URL (planting too).
 */
async function thirdParty(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    const query = new URL(req.url ?? '/', 'http://127.0.0.2').searchParams
    const to = query.get('to')
    res.setHeader('Set-Cookie', [
      `connect.sid=${ATTACKER}; Path=/`,
      `PHPSESSID=${ATTACKER}; Path=/`,
      `JSESSIONID=${ATTACKER}; Path=/`,
      'tp=1; Path=/',
    ])
    res.setHeader('X-Session-Id', ATTACKER)
    res.setHeader('session_id', ATTACKER)
    if (to) res.writeHead(Number(query.get('status') ?? 302), { Location: to }).end()
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"third":true}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve))
  return {
    url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** `/redirect/<path>` with its query: the express block's redirector (`location`, `status`, `cookie`). */
const hop = (path: string, query: Record<string, string | string[]> = {}): string => {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) for (const v of [value].flat()) params.append(name, v)
  const q = params.toString()
  return `/redirect/${path}${q ? `?${q}` : ''}`
}

const rejection = (p: Promise<unknown>): Promise<SessionError> =>
  p.then(
    (r) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(r)}`)
    },
    (e: SessionError) => e,
  )

/** The jar's Cookie header for a backend path, as the backend's echo received it. */
async function cookiesAt(c: Client, path: string): Promise<string> {
  return String(body(await c.request({ url: hop(path) })).cookie)
}

describe.each(backendRows)('a login that answers 302 after rotating the id: %s', (_label, backend) => {
  let env: Env
  afterEach(() => env?.close())
  const options = {
    ...backend.options,
    warmup: '/session',
    login: { url: '/redirect/login' },
    autoLogin: false,
    refreshInterval: false as const,
  }

  it('keeps the rotated session: the login resolves with /me and the next /me is the same user', async () => {
    env = await backend.start(30 * 60_000)
    const c = env.client(options)
    await c.request({ url: '/session' })
    const before = c.getSession().id
    expect(before).toBeTruthy()
    const who = (await c.login()) as { openid: string }
    expect(who.openid).toBe(env.rt.openid) // the 302 was followed to /me, with the new id
    const after = c.getSession()
    expect(after.id).toBeTruthy()
    expect(after.id).not.toBe(before)
    expect(after.loggedIn).toBe(true)
    const me = await c.request({ url: '/me' })
    expect(me.statusCode).toBe(200)
    expect(body(me).openid).toBe(env.rt.openid)
  })

  it('old base library (no manual): the platform follows and the 302 loses the rotated id', async () => {
    env = await backend.start(30 * 60_000, profiles.beforeManualRedirect)
    const c = env.client(options)
    const error = await rejection(c.login())
    // The /me hop went with the pre-login id that the login destroyed: 401, the login failed.
    expect(error.code).toBe('LOGIN_FAILED')
    expect(error.statusCode).toBe(401)
    expect(c.getSession().loggedIn).toBe(false)
  })
})

describe('redirect chains on express (manual supported)', () => {
  let env: Env
  let third: Awaited<ReturnType<typeof thirdParty>>
  beforeEach(async () => {
    third = await thirdParty()
  })
  afterEach(async () => {
    await env?.close()
    await third.close()
  })

  // /redirect/a/one (301, sets one) → ../b/two, relative (303, sets two) → /redirect/c/three (sets three).
  const chain = (): string =>
    hop('a/one', {
      status: '301',
      cookie: 'one=1',
      location: `..${hop('b/two', { status: '303', cookie: 'two=2', location: hop('c/three', { cookie: 'three=3' }) }).slice('/redirect'.length)}`,
    })

  it('3 hops, each setting a cookie: every one is kept for its own hop path', async () => {
    env = await expressEnv()
    const c = env.client({ refreshInterval: false })
    const res = await c.request({ url: chain() })
    expect(res.statusCode).toBe(200)
    expect(body(res).url).toMatch(/^\/redirect\/c\/three\?/)
    // Default paths: /redirect/a, /redirect/b, /redirect/c; each goes to its own path only.
    expect(await cookiesAt(c, 'a/x')).toBe('one=1')
    expect(await cookiesAt(c, 'b/x')).toBe('two=2')
    expect(await cookiesAt(c, 'c/x')).toBe('three=3')
  })

  it('old base library: only the last hop’s cookie survives (the platform drops the others)', async () => {
    env = await expressEnv({}, profiles.beforeManualRedirect)
    const c = env.client({ refreshInterval: false })
    expect((await c.request({ url: chain() })).statusCode).toBe(200)
    // The last answer's Set-Cookie is taken for the URL asked (/redirect/a/one): path /redirect/a.
    expect(await cookiesAt(c, 'a/x')).toBe('three=3')
    expect(await cookiesAt(c, 'b/x')).toBe('')
    expect(await cookiesAt(c, 'c/x')).toBe('')
  })

  it('a loop stops after 20 redirects with TOO_MANY_REDIRECTS (21 requests), not retried', async () => {
    env = await expressEnv()
    const c = env.client({ refreshInterval: false, retry: { limit: 2 } })
    const error = await rejection(c.request({ url: hop('loop/x', { loop: '1' }) }))
    expect(error.code).toBe('TOO_MANY_REDIRECTS')
    expect(error.message).toMatch(/more than 20 redirects/)
    expect(env.server.events.filter((e) => e.path === '/redirect/loop/x')).toHaveLength(21)
  })

  it('a 3xx without a usable Location, and other 3xx statuses, are the answer as is', async () => {
    env = await expressEnv()
    const c = env.client({ refreshInterval: false })
    for (const [query, status] of [
      [{ status: '302' }, 302],
      [{ status: '302', location: '' }, 302],
      [{ status: '302', location: 'javascript:alert(1)' }, 302],
      [{ status: '307', location: 'ftp://127.0.0.1/x' }, 307],
      [{ status: '302', location: 'http://' }, 302],
      [{ status: '308', location: 'https:' }, 308],
      [{ status: '300', location: '/redirect/echo' }, 300],
      [{ status: '304', location: '/redirect/echo' }, 304],
    ] as const) {
      const res = await c.request({ url: hop('x', { ...query, cookie: 'kept=1' }) })
      expect(res.statusCode, JSON.stringify(query)).toBe(status)
    }
    // Their Set-Cookie was captured all the same.
    expect(await cookiesAt(c, 'y')).toBe('kept=1')
  })

  it('the caller’s own redirect: "manual" gets the 3xx, its Set-Cookie captured', async () => {
    env = await expressEnv()
    const c = env.client({ refreshInterval: false })
    const res = await c.request({
      url: hop('m/x', { cookie: 'mine=1', location: '/redirect/echo' }),
      redirect: 'manual',
    })
    expect(res.statusCode).toBe(302)
    expect(res.header['Location']).toBe('/redirect/echo')
    expect(await cookiesAt(c, 'm/y')).toBe('mine=1')
  })

  it('hooks run once per call and the app’s headers listener hears the final answer only', async () => {
    env = await expressEnv()
    let before = 0
    let after = 0
    const c = env.client({
      refreshInterval: false,
      hooks: { beforeRequest: () => void before++, afterResponse: () => void after++ },
    })
    const heard: unknown[] = []
    const res = await c.request({ url: chain() }).onHeadersReceived((e) => heard.push(e.statusCode))
    expect(res.statusCode).toBe(200)
    expect([before, after]).toEqual([1, 1])
    expect(heard).toEqual([200])
  })

  // Under `manual` the platform is documented to fire onHeadersReceived with the 3xx; what its
  // result carries then is a guess (PLATFORM.md 14). A wx over the runtime whose result lacks the
  // Location and cookies, or that fails after the 3xx, still has the chain followed from the event.
  it.each(['a result without Location or cookies', 'a fail after the 3xx'] as const)(
    'the 3xx is read from onHeadersReceived given %s',
    async (quirk) => {
      env = await expressEnv()
      const wx = env.rt.wx as unknown as AnyObject
      const quirky: AnyObject = {
        ...wx,
        request: (o: AnyObject) =>
          wx.request({
            ...o,
            success(r: AnyObject) {
              if (o.redirect !== 'manual' || r.statusCode < 300 || r.statusCode > 399) return o.success(r)
              if (quirk === 'a fail after the 3xx') return o.fail({ errMsg: 'request:fail redirected' })
              const { Location: _location, 'Set-Cookie': _cookies, ...header } = r.header as AnyObject
              o.success({ ...r, header, cookies: [] })
            },
          }),
      }
      const c = env.client({ platform: quirky, refreshInterval: false })
      expect((await c.request({ url: chain() })).statusCode).toBe(200)
      expect(await cookiesAt(c, 'a/x')).toBe('one=1')
      expect(await cookiesAt(c, 'b/x')).toBe('two=2')
    },
  )

  it('abort() between hops: the next hop is never sent', async () => {
    env = await expressEnv()
    const c = env.client({ refreshInterval: false })
    const release = env.server.hold!('/redirect/b/two')
    const call = c.request({ url: chain() })
    const outcome = rejection(call)
    for (let i = 0; i < 200 && !env.server.events.some((e) => e.path === '/redirect/b/two'); i++)
      await new Promise((r) => setTimeout(r, 5))
    call.abort()
    release()
    expect((await outcome).code).toBe('ABORTED')
    await env.rt.settle()
    expect(env.server.events.some((e) => e.path === '/redirect/c/three')).toBe(false)
  })

  // Fetch §4.4: 301/302 turn a POST into a GET, 303 anything but GET/HEAD; the body goes with it.
  it.each([301, 302, 303, 307, 308])('method rules on %i, checked on the server', async (status) => {
    env = await expressEnv()
    const c = env.client({ refreshInterval: false })
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
      const toGet = status === 303 ? method !== 'GET' : status < 303 && method === 'POST'
      const data = method === 'GET' ? { q: '1' } : { sent: method }
      const res = await c.request({
        url: hop('m/from', { status: String(status), location: '/redirect/m/to' }),
        method,
        data,
      })
      const seen = body(res)
      expect(seen.method, `${status} ${method}`).toBe(toGet ? 'GET' : method)
      if (method === 'GET')
        expect(seen.url).toBe('/redirect/m/to') // the query is not re-appended
      else expect(seen.body, `${status} ${method}`).toEqual(toGet ? null : data)
    }
  })

  it.each(['cookie', 'header', 'url'] as const)(
    'a hop to 127.0.0.2 gets no session and no Authorization, and cannot set the session (%s mode)',
    async (mode) => {
      env = await expressEnv()
      const c = env.client({ mode, warmup: '/session', login: { url: '/login' }, refreshInterval: false })
      await c.login()
      const id = c.getSession().id as string
      const res = await c.request({
        url: hop('x/go', { location: `${third.url}/set` }),
        header: { Authorization: 'Bearer secret' },
      })
      expect(body(res)).toEqual({ third: true })
      const [there] = third.seen
      expect(there).toBeDefined()
      const sent = JSON.stringify(there)
      expect(sent).not.toContain(id)
      expect(sent).not.toContain(encodeURIComponent(id))
      expect(sent.toLowerCase()).not.toContain('connect.sid')
      expect(sent.toLowerCase()).not.toContain('jsessionid')
      expect(there!.headers['x-session-id']).toBeUndefined()
      expect(there!.headers.authorization).toBeUndefined()
      // Its attempt to plant the session did nothing; the user is still the same user.
      expect(c.getSession()).toMatchObject({ id, loggedIn: true })
      const me = await c.request({ url: '/me' })
      expect(body(me).openid).toBe(env.rt.openid)
      expect(await cookiesAt(c, 'echo')).not.toContain(ATTACKER)

      // Backend → third party → backend: the session is back for the backend's hop; Authorization
      // stays dropped (as Fetch does), the third party's own cookie went to it only.
      const back = await c.request({
        url: hop('x/go', {
          location: `${third.url}/back?to=${encodeURIComponent(`${env.server.url}/redirect/echo/back`)}`,
        }),
        header: { Authorization: 'Bearer secret' },
      })
      const seen = body(back)
      expect(seen.openid).toBe(env.rt.openid)
      expect(JSON.stringify(seen)).not.toContain(ATTACKER)
      expect((seen.header as AnyObject).authorization).toBeUndefined()
      expect(String(seen.cookie)).not.toContain('tp=1')
      expect(third.seen[1]!.headers.cookie).toContain('tp=1') // its own cookies, to its own host
    },
  )

  // Seeded random chains through the backend and the third party: whatever the path, statuses
  // and method, the third party never sees the session or Authorization, cannot plant a session,
  // every backend hop's cookie is kept for its path, and the final method and body follow Fetch.
  it.each(['cookie', 'header', 'url'] as const)('random chains (seeded), %s mode', async (mode) => {
    env = await expressEnv()
    const c = env.client({ mode, warmup: '/session', login: { url: '/login' }, refreshInterval: false })
    await c.login()
    const id = c.getSession().id as string
    const statuses = fc.constantFrom(301, 302, 303, 307, 308)
    const chains = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      hops: fc.array(fc.record({ third: fc.boolean(), status: statuses, relative: fc.boolean() }), {
        minLength: 1,
        maxLength: 6,
      }),
    })
    let run = 0
    await fc.assert(
      fc.asyncProperty(chains, async ({ method, hops }) => {
        run++
        third.seen.length = 0
        // Built from the end: the last hop lands on the backend's echo.
        let next = `${env.server.url}/redirect/echo/final`
        const cookies: string[] = []
        for (let i = hops.length - 1; i >= 0; i--) {
          const { status, relative } = hops[i]!
          const isThird = i > 0 && hops[i]!.third // the call itself goes to the backend
          const previousOnBackend = i === 1 || (i > 1 && !hops[i - 1]!.third)
          if (isThird) {
            next = `${third.url}/hop?${new URLSearchParams({ status: String(status), to: next })}`
          } else {
            const name = `r${run}h${i}`
            cookies.push(name)
            const path = hop(`${name}/x`, { status: String(status), location: next, cookie: `${name}=1` })
            // Relative Locations only from a backend hop to a backend hop.
            next = relative && (i === 0 || previousOnBackend) ? path : `${env.server.url}${path}`
          }
        }
        const data = { sent: run }
        const res = await c.request({ url: next, method, data, header: { Authorization: 'Bearer secret' } })
        const seen = body(res)
        // Fetch's method rules along the chain.
        let expected: string = method
        for (const { status } of hops)
          if (
            status === 303 ? expected !== 'GET' && expected !== 'HEAD' : status < 303 && expected === 'POST'
          )
            expected = 'GET'
        expect(seen.method).toBe(expected)
        if (expected !== 'GET') expect(seen.body).toEqual(data)
        expect(seen.openid).toBe(env.rt.openid)
        const crossed = hops.some((h, i) => i > 0 && h.third)
        expect((seen.header as AnyObject).authorization).toBe(crossed ? undefined : 'Bearer secret')
        for (const there of third.seen) {
          const text = JSON.stringify(there)
          expect(text).not.toContain(id)
          expect(text).not.toContain(encodeURIComponent(id))
          expect(there.headers.authorization).toBeUndefined()
          expect(there.headers['x-session-id']).toBeUndefined()
        }
        expect(c.getSession()).toMatchObject({ id, loggedIn: true })
        for (const name of cookies) expect(await cookiesAt(c, `${name}/y`)).toContain(`${name}=1`)
      }),
      { seed: 1212, numRuns: 25 },
    )
  })

  it('old base library: the platform forwards the session and Authorization to the third party, and its answer passes for the backend’s', async () => {
    // The limitation the README states: the SDK never sees the 3xx nor where the answer came
    // from, so it can stop neither. (Backends: do not redirect API calls to other hosts.)
    env = await expressEnv({}, profiles.beforeManualRedirect)
    const c = env.client({
      mode: 'header',
      warmup: '/session',
      login: { url: '/login' },
      refreshInterval: false,
    })
    await c.login()
    const id = c.getSession().id
    await c.request({
      url: hop('x/go', { location: `${third.url}/set` }),
      header: { Authorization: 'Bearer secret' },
    })
    expect(third.seen[0]!.headers['x-session-id']).toBe(id)
    expect(third.seen[0]!.headers.authorization).toBe('Bearer secret')
    expect(c.getSession().id).toBe(ATTACKER)
  })
})

describe('the testing runtime on both paths', () => {
  let third: Awaited<ReturnType<typeof thirdParty>>
  let env: Env
  beforeEach(async () => {
    third = await thirdParty()
  })
  afterEach(async () => {
    await env?.close()
    await third.close()
  })

  const call = (api: AnyObject, options: AnyObject): Promise<AnyObject> =>
    new Promise((resolve, reject) => {
      const heard: unknown[] = []
      const task = api.request({
        ...options,
        success: (r: AnyObject) => resolve({ ...r, heard }),
        fail: reject,
      })
      task.onHeadersReceived?.((e: AnyObject) => heard.push(e))
    })

  it('manual (3.2.2+): the 3xx with its Location, onHeadersReceived fired; below 3.2.2 manual is ignored', async () => {
    env = await expressEnv()
    const url = `${env.server.url}${hop('r/x', { cookie: 'hop=1', location: '/redirect/echo' })}`
    const manual = await call(env.rt.wx, { url, redirect: 'manual' })
    expect(manual.statusCode).toBe(302)
    expect(manual.header.Location).toBe('/redirect/echo')
    expect(manual.cookies).toEqual(['hop=1'])
    expect(manual.heard).toEqual([
      expect.objectContaining({
        statusCode: 302,
        header: expect.objectContaining({ Location: '/redirect/echo' }),
      }),
    ])

    const old = createRuntime({ clock: env.clock, profile: profiles.beforeManualRedirect })
    try {
      expect(old.wx.getAppBaseInfo!().SDKVersion).toBe('3.2.1')
      const followed = await call(old.wx, { url, redirect: 'manual' })
      expect(followed.statusCode).toBe(200)
      expect(followed.cookies).toEqual([]) // the hop's Set-Cookie is gone
      expect(followed.heard).toHaveLength(1)
    } finally {
      old.destroy()
    }
    // Documented for WeChat only: the other platforms' runtimes follow whatever is asked.
    for (const name of ['qq', 'tt', 'swan'] as const) {
      const other = createRuntime({ clock: env.clock, profile: platformProfiles[name] })
      try {
        const res = await call(asPlatform(other, name), { url, redirect: 'manual' })
        expect(res.statusCode, name).toBe(200)
      } finally {
        other.destroy()
      }
    }
    const legacy = createRuntime({ clock: env.clock, profile: profiles.legacy })
    expect(legacy.wx.getAppBaseInfo).toBeUndefined()
    expect(legacy.wx.getSystemInfoSync().SDKVersion).toBe('2.9.4')
    legacy.destroy()
  })

  it.each(['my', 'tt'] as const)(
    '%s native jar: each hop’s Set-Cookie for its own host; the third party’s never becomes the backend’s',
    async (name) => {
      env = await expressEnv({}, platformProfiles[name])
      const api = asPlatform(env.rt, name, { nativeCookies: true })
      const backend = env.server.url
      await call(api, {
        url: `${backend}${hop('n/x', { cookie: 'own=1; Path=/', location: `${third.url}/set` })}`,
      })
      expect(third.seen[0]!.headers.cookie).toBeUndefined() // the backend's cookie stayed home
      const echo = await call(api, { url: `${backend}/redirect/echo` })
      const data = typeof echo.data === 'string' ? (JSON.parse(echo.data) as AnyObject) : echo.data
      expect(data.cookie).toBe('own=1')
      await call(api, { url: `${third.url}/again` })
      expect(third.seen[1]!.headers.cookie).toContain(`connect.sid=${ATTACKER}`) // its own host only
    },
  )

  it('the SDK asks for manual on WeChat 3.2.2+ only (SDKVersion; never qq, tt, swan numbering)', () => {
    const rt = createRuntime()
    const old = createRuntime({ profile: profiles.beforeManualRedirect })
    try {
      const wx = rt.wx as unknown as WxLike
      expect(wechatPlatform(wx).manualRedirect).toBe(true)
      expect(wechatPlatform(old.wx as unknown as WxLike).manualRedirect).toBe(false)
      expect(ttPlatform(wx).manualRedirect).toBe(false)
      const { getAppBaseInfo: _base, getSystemInfoSync: _system, ...noInfo } = wx
      expect(wechatPlatform(noInfo).manualRedirect).toBe(false)
      const throwing = {
        ...wx,
        getAppBaseInfo: () => {
          throw new Error('H5')
        },
      }
      expect(wechatPlatform(throwing).manualRedirect).toBe(false)
      for (const [version, takes] of [
        ['3.2.2', true],
        ['3.10.0', true],
        ['3.2.1', false],
        ['2.99.99', false],
        ['', false],
      ] as const)
        expect(
          wechatPlatform({ ...wx, getAppBaseInfo: () => ({ SDKVersion: version }) }).manualRedirect,
          version,
        ).toBe(takes)
    } finally {
      rt.destroy()
      old.destroy()
    }
  })
})

describe('resolving a Location agrees with new URL()', () => {
  const bases = [
    'http://127.0.0.1:8080/a/b/c?x=1#f',
    'https://api.example.com/v1/orders',
    'http://api.example.com',
    'http://h/a/b/;jsessionid=X?q',
  ]
  const tricky = [
    '',
    '/',
    '?page=2',
    '#frag',
    'd',
    './d',
    '../d',
    '../../../../d',
    '/x/../y/./z',
    '/x/%2e%2e/y',
    '/x/.%2E/y',
    '//evil.com/x',
    '///evil.com/x',
    '\\\\evil.com\\x',
    '/\\evil.com',
    'http:/x',
    'http:x',
    'https:evil.com/x',
    'https:///evil.com',
    'http://evil.com',
    'HTTP://EVIL.COM/Path',
    ' \t/trim\n ',
    'javascript:alert(1)',
    'ftp://h/x',
    'mailto:a@b',
    'http://user:pw@h/x',
    'http://h/a?b\\c#d\\e',
    'http://[::1]:9/x',
    'x?y#z',
    '.',
    '..',
    '/a/b/..',
  ]

  /** Both invalid (or not http(s)), or the same URL once each is parsed by WHATWG. */
  const agree = (base: string, location: string): void => {
    let expected: string | undefined
    try {
      const u = new URL(location, base)
      if (u.protocol === 'http:' || u.protocol === 'https:') expected = u.href
    } catch {
      expected = undefined
    }
    const mine = resolveLocation(base, location)
    let actual: string | undefined
    try {
      actual = mine === undefined ? undefined : new URL(mine).href
    } catch {
      actual = undefined
    }
    expect(actual, `${JSON.stringify(location)} against ${base} (ours: ${mine})`).toBe(expected)
  }

  it.each(bases)('tricky Locations against %s', (base) => {
    for (const location of tricky) agree(base, location)
  })

  it('random Locations made of tricky pieces (seeded)', () => {
    const piece = fc.constantFrom(
      '/',
      '\\',
      '..',
      '.',
      '%2e',
      '%2E%2e',
      'a',
      'b c',
      '?',
      '#',
      '=',
      '//',
      'http:',
      'https:',
      'h.example',
      ';',
      '@',
      ':',
      '%41',
    )
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(piece, { maxLength: 8 }), (base, pieces) => {
        agree(base, pieces.join(''))
      }),
      { seed: 12, numRuns: 2000 },
    )
  })
})
