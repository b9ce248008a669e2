import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { init, login, logout, request } from '../../src/index.js'
import { body, expressEnv, MIN, until } from './env.js'
import type { Env } from './env.js'

describe('refresh timer on the fake clock (express-session, 30 min idle timeout)', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv({ idleTimeoutMs: 30 * MIN })
  })
  afterEach(() => env.close())

  const options = { warmup: '/session', login: { url: '/login' } } as const
  const keepAlives = (): number => env.server.count('warmup') - 1

  it('the session survives 2 h of idleness: a keep-alive every 20 min', async () => {
    const c = env.client(options)
    const who = (await c.login()) as { sessionId: string }
    for (let k = 1; k <= 6; k++) {
      await env.clock.advance(20 * MIN)
      await until(() => keepAlives() === k, `keep-alive ${k}`)
    }
    const res = await c.request({ url: '/orders' })
    expect(body(res).sid).toBe(who.sessionId)
    expect(env.server.count('login')).toBe(1)
    expect(env.server.count('expired')).toBe(0)
    const times = env.server.events.filter((e) => e.event === 'warmup').map((e) => e.at)
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(Array(6).fill(20 * MIN))
  })

  it('without the timer the same idleness costs a renew', async () => {
    const c = env.client({ ...options, refreshInterval: false })
    await c.login()
    await env.clock.advance(2 * 60 * MIN)
    await c.request({ url: '/orders' })
    expect(env.server.count('login')).toBe(2)
  })

  it('nothing fires while hidden; an overdue refresh runs at once on show', async () => {
    const c = env.client(options)
    const who = (await c.login()) as { sessionId: string }
    await env.clock.advance(20 * MIN - 2000)
    env.rt.hide()
    // Still running (suspension comes after 5 s): our own timer must already be off.
    await env.clock.advance(4000)
    await env.clock.advance(5 * MIN) // suspended now
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(keepAlives()).toBe(0)
    env.rt.show()
    await until(() => keepAlives() === 1, 'refresh on show')
    const res = await c.request({ url: '/me' })
    expect(body(res).sid).toBe(who.sessionId)
    expect(env.server.count('login')).toBe(1)
  })

  it("refresh: 'login' logs in again on the timer", async () => {
    const c = env.client({ ...options, refresh: 'login' })
    await c.login()
    await env.clock.advance(20 * MIN)
    await until(() => env.server.count('login') === 2, 'timer login')
  })

  it('no timer survives dispose(); none runs without a session', async () => {
    const c = env.client(options)
    await c.login()
    c.dispose()
    const idle = env.client({ login: { url: '/login' }, namespace: 'other' })
    await env.clock.advance(60 * MIN)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(env.server.count('warmup')).toBe(1)
    expect(env.server.count('login')).toBe(1)
    expect(idle.getSession().id).toBeUndefined()
  })
})

describe('default client (init)', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(async () => {
    env.rt.uninstall()
    await env.close()
  })

  it('top-level functions use the client init() made on the global wx', async () => {
    await expect(request({ url: '/x' })).rejects.toMatchObject({ code: 'NOT_INITIALIZED' })
    await expect(logout()).rejects.toMatchObject({ code: 'NOT_INITIALIZED' })
    env.rt.install()
    const client = init({
      baseURL: env.server.url,
      warmup: '/session',
      login: { url: '/login' },
      clock: env.rt.clock,
    })
    try {
      const who = (await login()) as { openid: string }
      expect(who.openid).toBe(env.rt.openid)
      const res = await request({ url: '/me' })
      expect(body(res).openid).toBe(env.rt.openid)
    } finally {
      client.dispose()
    }
  })

  it('rejects bad options with INVALID_OPTION naming the option', () => {
    expect(() => init({ platform: env.rt.wx, mode: 'cookies' as never })).toThrow(/`mode`/)
    expect(() => init({ platform: env.rt.wx, refreshInterval: -1 })).toThrow(
      /INVALID_OPTION.*refreshInterval/,
    )
    expect(() => init({ platform: env.rt.wx, warmup: 1 as never })).toThrow(/`warmup`/)
    expect(() => init({ platform: env.rt.wx, loginUrl: '/login' } as never)).toThrow(
      /unknown option `loginUrl`/,
    )
    expect(() => init('x' as never)).toThrow(/`options` must be an object/)
    expect(() => init({ platform: {} })).toThrow(/`platform`/)
  })
})
