import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionError } from '../../src/errors.js'
import { body, expressEnv } from './env.js'
import type { Env } from './env.js'

describe('single-flight warm-up, login and renew (express-session)', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  const orders = (env: Env) => env.server.events.filter((e) => e.path === '/orders' && e.status === 200)

  it('100 concurrent requests on a cold start: 1 warm-up, 1 login, one session for all', async () => {
    const c = env.client({ warmup: '/session', login: { url: '/login' }, needLogin: true })
    const results = await Promise.all(Array.from({ length: 100 }, () => c.request({ url: '/orders' })))
    expect(results.every((r) => r.statusCode === 200)).toBe(true)
    expect(env.server.count('warmup')).toBe(1)
    expect(env.server.count('login')).toBe(1)
    expect(new Set(results.map((r) => body(r).sid)).size).toBe(1)
    expect(new Set(orders(env).map((e) => e.sid)).size).toBe(1)
    expect(env.server.count('unauthorized')).toBe(0)
  })

  it('100 concurrent requests without needLogin: still exactly 1 warm-up and one session', async () => {
    const c = env.client({ warmup: '/session' })
    const results = await Promise.all(Array.from({ length: 100 }, () => c.request({ url: '/session' })))
    expect(env.server.count('warmup')).toBe(101) // the warm-up itself + the 100 calls to the same route
    expect(new Set(results.map((r) => body(r).sessionId)).size).toBe(1)
  })

  it('one login at a time, whoever asks', async () => {
    const c = env.client({ warmup: '/session', login: { url: '/login' } })
    const [a, b, res] = await Promise.all([c.login(), c.login(), c.request({ url: '/me', needLogin: true })])
    expect(a).toBe(b)
    expect(body(res).openid).toBe(env.rt.openid)
    expect(env.server.count('login')).toBe(1)
    expect(env.server.count('warmup')).toBe(1)
  })

  it('50 concurrent 401s: exactly 1 renew, 50 successes on the new session', async () => {
    const c = env.client({ warmup: '/session', login: { url: '/login' } })
    await c.login()
    await env.server.expireAll()
    const results = await Promise.all(Array.from({ length: 50 }, () => c.request({ url: '/orders' })))
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200))
    expect(env.server.count('unauthorized')).toBe(50)
    expect(env.server.count('warmup')).toBe(2)
    expect(env.server.count('login')).toBe(2)
    expect(new Set(results.map((r) => body(r).sid)).size).toBe(1)
  })

  it('a 401 on the retry rejects SESSION_EXPIRED once: no loop', async () => {
    const expired: SessionError[] = []
    // Warm-up only: renewing gives a fresh but anonymous session, which /orders still refuses.
    const c = env.client({ warmup: '/session', onSessionExpired: (e) => expired.push(e) })
    await expect(c.request({ url: '/orders' })).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
      statusCode: 401,
    })
    expect(env.server.events.filter((e) => e.path === '/orders')).toHaveLength(2)
    expect(env.server.count('warmup')).toBe(2)
    expect(expired).toHaveLength(1)
  })
})

describe('stale answers (express-session)', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('a late 401 for an older session is retried with the current one, without a second renew', async () => {
    const log: string[] = []
    const c = env.client({ warmup: '/session', login: { url: '/login' }, debug: (m) => log.push(m) })
    await c.login()
    await env.server.expireAll()
    // The /orders call leaves with the expired session and is held by the server; the /me calls'
    // 401s renew meanwhile. Released afterwards, its 401 speaks for an older session.
    const release = env.server.hold!('/orders')
    const late = c.request({ url: '/orders' })
    const fast = await Promise.all(Array.from({ length: 3 }, () => c.request({ url: '/me' })))
    expect(fast.every((r) => r.statusCode === 200)).toBe(true)
    release()
    const res = await late
    expect(res.statusCode).toBe(200)
    expect(body(res).sid).toBe(body(fast[0]!).sid)
    expect(env.server.count('login')).toBe(2) // one renew only
    expect(env.server.count('warmup')).toBe(2)
    expect(env.server.events.filter((e) => e.path === '/orders').map((e) => e.status)).toEqual([401, 200])
    expect(log.some((m) => m.startsWith('stale'))).toBe(true)
  })
})
