import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Cookie } from '../../src/cookie/index.js'
import type { SessionError } from '../../src/errors.js'
import { fitBudget, STORAGE_BUDGET, type Worth } from '../../src/session/persist.js'
import { KEY_LIMIT } from '../../src/testing/storage.js'
import { body, expressEnv } from './env.js'
import type { Env } from './env.js'

// The persisted record has a byte budget (512 KB; storage takes 1 MB a key, PLATFORM.md 3): over
// it, other hosts' least recently used cookies are not saved, then the backend's; the session
// cookie always is.

const cookie = (name: string, domain: string, lastUsed: number, size = 100): Cookie => ({
  name,
  value: 'v'.repeat(size),
  domain,
  path: '/',
  hostOnly: true,
  secure: false,
  httpOnly: false,
  creation: 1,
  lastUsed,
})

describe('fitBudget', () => {
  const worth = (c: Cookie): Worth => (c.name === 'sid' ? 2 : c.domain === 'api.com' ? 1 : 0)
  const names = (cookies: Cookie[]): string[] => cookies.map((c) => c.name)
  const size = (cookies: Cookie[]): number => JSON.stringify({ v: 1, cookies, session: {} }).length

  it.each<[string, Cookie[], number, string[]]>([
    [
      'under the budget: all of it',
      [cookie('a', 'x.com', 1), cookie('sid', 'api.com', 0)],
      10_000,
      ['a', 'sid'],
    ],
    [
      "other hosts' least recently used first",
      [
        cookie('t1', 'x.com', 3),
        cookie('t2', 'y.com', 1),
        cookie('t3', 'x.com', 2),
        cookie('sid', 'api.com', 0),
      ],
      700,
      ['t1', 'sid'],
    ],
    [
      "then the backend's, even when other hosts' were used later",
      [cookie('b', 'api.com', 9), cookie('t', 'x.com', 10), cookie('sid', 'api.com', 0)],
      300,
      ['sid'],
    ],
    [
      'the session cookie stays even alone over the budget',
      [cookie('sid', 'api.com', 0, 5000), cookie('t', 'x.com', 1)],
      1000,
      ['sid'],
    ],
  ])('%s', (_, cookies, budget, kept) => {
    const fitting = fitBudget({ cookies, session: {} }, budget, worth)
    expect(names(fitting)).toEqual(kept)
    if (kept.length > 1) expect(size(fitting)).toBeLessThanOrEqual(budget)
  })

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    const wide = { ...cookie('t', 'x.com', 1), value: '\u4e2d'.repeat(300) } // 900 bytes, 300 units
    const cookies = [wide, cookie('sid', 'api.com', 0)]
    expect(names(fitBudget({ cookies, session: {} }, 800, worth))).toEqual(['sid'])
  })
})

/** Third-party hosts on 127.0.0.2…: `/big?round=R` sets 3 cookies of about 4 KB each. */
async function thirdParties(count: number): Promise<{ urls: string[]; close(): Promise<void> }> {
  const servers = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      // The Cookie header we send grows to 50 × 4 KB: past node's default 16 KB header limit.
      const server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
        const round = /round=(\d+)/.exec(req.url ?? '')?.[1] ?? '0'
        const lines = [0, 1, 2].map((k) => `t${round}_${k}=${'x'.repeat(3900)}; Path=/; Max-Age=86400`)
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': lines }).end('{}')
      })
      await new Promise<void>((resolve) => server.listen(0, `127.0.0.${i + 2}`, resolve))
      return server
    }),
  )
  return {
    urls: servers.map((s) => {
      const { address, port } = s.address() as AddressInfo
      return `http://${address}:${port}`
    }),
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections()
              s.close(() => resolve())
            }),
        ),
      ).then(() => undefined),
  }
}

describe('storage budget, real servers', () => {
  let env: Env
  let third: Awaited<ReturnType<typeof thirdParties>>
  beforeEach(async () => {
    env = await expressEnv()
    third = await thirdParties(7)
  })
  afterEach(async () => {
    await env.close()
    await third.close()
  })

  const options = {
    warmup: '/session',
    login: { url: '/login' },
    needLogin: true,
    refreshInterval: false,
  } as const
  const stored = () =>
    env.rt.wx.getStorageSync(env.key) as { cookies: Cookie[]; session: Record<string, unknown> }

  it('1.4 MB of third-party cookies: the rotating session is saved and loaded at every restart', async () => {
    const errors: SessionError[] = []
    let client = env.client({ ...options, onError: (e) => errors.push(e) })
    const first = body(await client.request({ url: '/me' })).sid
    // 7 hosts × 50 cookies (their per-domain limit) × 4 KB: over the 1 MB a key takes.
    for (const url of third.urls)
      for (let round = 0; round < 17; round++) await client.request({ url: `${url}/big?round=${round}` })
    let previous = first
    for (let restart = 0; restart < 3; restart++) {
      // The server rotates the id on every login.
      await client.login({ force: true })
      const id = body(await client.request({ url: '/me' })).sid
      expect(id).not.toBe(previous)
      // The last host used keeps its cookies in storage: the least recently used hosts' go first.
      await client.request({ url: `${third.urls[restart]}/big?round=99` })
      client.dispose()
      const record = stored()
      expect(JSON.stringify(record).length).toBeLessThanOrEqual(STORAGE_BUDGET)
      expect(JSON.stringify(record).length).toBeLessThan(KEY_LIMIT)
      expect(record.cookies.filter((c) => c.name === 'connect.sid')).toHaveLength(1)
      const hosts = new Set(record.cookies.map((c) => c.domain))
      expect(hosts).toContain(new URL(third.urls[restart]!).hostname)
      env.restart()
      client = env.client({ ...options, onError: (e) => errors.push(e) })
      expect(client.getSession().loggedIn).toBe(true)
      expect(body(await client.request({ url: '/me' })).sid).toBe(id)
      previous = id as string
    }
    expect(env.server.count('login')).toBe(4)
    // Reported once a launch that trimmed, never as a failed save.
    expect(errors.some((e) => /over its storage budget/.test(e.message))).toBe(true)
    expect(errors.some((e) => /could not save/.test(e.message))).toBe(false)
  })
})

describe('the per-domain limit, real servers', () => {
  let env: Env
  let close: () => Promise<void>
  let other = ''
  beforeEach(async () => {
    env = await expressEnv()
    // Another server on the backend's host (cookies ignore ports): each answer sets a new cookie.
    let n = 0
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `c${n++}=1; Path=/` }).end('{}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    other = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
  afterEach(async () => {
    await env.close()
    await close()
  })

  it('60 other cookies on the backend host, all sent with it: the session cookie stays, no new login', async () => {
    const options = {
      warmup: '/session',
      login: { url: '/login' },
      needLogin: true,
      refreshInterval: false,
    } as const
    const client = env.client(options)
    const sid = body(await client.request({ url: '/me' })).sid
    for (let i = 0; i < 60; i++) await client.request({ url: `${other}/set` })
    expect(body(await client.request({ url: '/me' })).sid).toBe(sid)
    expect(env.server.count('login')).toBe(1)
    client.dispose()
    const record = env.rt.wx.getStorageSync(env.key) as { cookies: Cookie[] }
    expect(record.cookies).toHaveLength(50)
    expect(record.cookies.map((c) => c.name)).toContain('connect.sid')
  })
})

describe('a stored jar over the limits, real server', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('6,001 stored cookies are trimmed when loaded, and saved trimmed', async () => {
    const cookies = Array.from({ length: 6001 }, (_, i) => ({
      name: `c${i}`,
      value: '1',
      domain: `d${i % 150}.example.com`,
      path: '/',
      hostOnly: true,
      secure: false,
      httpOnly: false,
      creation: 1,
      lastUsed: i + 1,
    }))
    env.rt.wx.setStorageSync(env.key, { v: 1, cookies, session: {} })
    const client = env.client({ warmup: '/session', refreshInterval: false })
    await client.request({ url: '/api/echo-cookie' }) // after a warm-up: the session cookie arrives, the jar is saved
    const record = env.rt.wx.getStorageSync(env.key) as { cookies: Cookie[] }
    expect(record.cookies).toHaveLength(3000)
    expect(record.cookies.map((c) => c.name)).toContain('connect.sid')
    // the least recently used left: c0…c3001 (3,002 of them: the session cookie took a place)
    expect(record.cookies.some((c) => c.name === 'c3001')).toBe(false)
    expect(record.cookies.some((c) => c.name === 'c3002')).toBe(true)
  })
})
