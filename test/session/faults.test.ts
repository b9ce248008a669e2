import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionError } from '../../src/errors.js'
import { body, expressEnv, until } from './env.js'
import type { Env } from './env.js'

const caught = (p: Promise<unknown>): Promise<SessionError> =>
  p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: SessionError) => e,
  )

describe('faults: typed errors, then recovery', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  const options = { warmup: '/session', login: { url: '/login' }, warmupBackoff: 1000 } as const

  it('warm-up network error → WARMUP_FAILED (cause NETWORK); fail fast inside the backoff; then recovers', async () => {
    env.server.fail('warmup', 1, 'reset')
    const c = env.client(options)
    const [a, b] = await Promise.all([caught(c.request({ url: '/me' })), caught(c.request({ url: '/me' }))])
    expect(a.code).toBe('WARMUP_FAILED')
    expect(b).toBe(a) // both waiters got the one warm-up's error
    expect((a.cause as SessionError).code).toBe('NETWORK')
    expect(env.server.count('warmup')).toBe(1)
    // Inside the backoff window: no new call, an immediate typed error.
    expect((await caught(c.request({ url: '/me' }))).code).toBe('WARMUP_FAILED')
    expect(env.server.count('warmup')).toBe(1)
    await env.clock.advance(1000)
    const ok = await c.request({ url: '/session' })
    expect(ok.statusCode).toBe(200)
    expect(env.server.count('warmup')).toBe(3) // the retried warm-up, then the call itself
    expect(env.server.events.some((e) => e.path === '/me')).toBe(false)
  })

  it('the backoff doubles on repeated failures (no loop against a broken backend)', async () => {
    env.server.fail('warmup', 2, { status: 503 })
    const c = env.client(options)
    const first = await caught(c.request({ url: '/session' }))
    expect(first).toMatchObject({ code: 'WARMUP_FAILED', statusCode: 503 })
    await env.clock.advance(1000)
    await caught(c.request({ url: '/session' }))
    await env.clock.advance(1000)
    expect((await caught(c.request({ url: '/session' }))).code).toBe('WARMUP_FAILED') // 2 s window now
    expect(env.server.count('warmup')).toBe(2)
    await env.clock.advance(1000)
    expect((await c.request({ url: '/session' })).statusCode).toBe(200)
  })

  it('warm-up timeout → WARMUP_FAILED (cause TIMEOUT), then recovers', async () => {
    env.server.fail('warmup', 1, 'hang')
    const c = env.client(options)
    const pending = caught(c.request({ url: '/session' }))
    await until(() => env.server.count('warmup') === 1, 'the warm-up on the wire')
    await env.clock.advance(60_000) // wx.request's default timeout
    const error = await pending
    expect(error.code).toBe('WARMUP_FAILED')
    expect((error.cause as SessionError).code).toBe('TIMEOUT')
    await env.clock.advance(1000)
    expect((await c.request({ url: '/session' })).statusCode).toBe(200)
  })

  it('login network error and timeout → LOGIN_FAILED with the cause, then login works', async () => {
    const c = env.client(options)
    env.server.fail('login', 1, 'reset')
    const net = await caught(c.login())
    expect(net.code).toBe('LOGIN_FAILED')
    expect((net.cause as SessionError).code).toBe('NETWORK')
    // Inside the login backoff, calls that need a login get the same error at once: no code burnt.
    expect(await caught(c.request({ url: '/me' }))).toBe(net)
    expect(await caught(c.request({ url: '/orders', needLogin: true }))).toBe(net)
    expect(env.server.count('login')).toBe(1)

    env.server.fail('login', 1, 'hang')
    const pending = caught(c.login())
    await until(() => env.server.count('login') === 2, 'the login on the wire')
    await env.clock.advance(10_000) // loginTimeout's default, well before wx.request's 60 s
    const slow = await pending
    expect(slow.code).toBe('LOGIN_FAILED')
    expect(slow.message).toContain('the login endpoint did not answer within 10000 ms')

    // The user's own login() tries even inside the backoff window.
    const who = (await c.login()) as { openid: string }
    expect(who.openid).toBe(env.rt.openid)
    expect(c.getSession().loggedIn).toBe(true)
  })

  it.each([
    [40029, 'invalid code'],
    [45011, 'api minute-quota reach limit'],
    [-1, 'system error'],
  ])('code2Session %i → LOGIN_FAILED carrying the server message', async (errcode, message) => {
    const c = env.client(options)
    env.rt.failNextCode2Session(errcode)
    const error = await caught(c.login())
    expect(error.code).toBe('LOGIN_FAILED')
    expect(error.message).toContain(message)
    expect(error.message).toContain(`errcode ${errcode}`)
    expect(error.statusCode).toBe(400)
    expect(c.getSession().loggedIn).toBe(false)
    // Not stuck: after the backoff window the next caller that needs login gets one.
    expect((await caught(c.request({ url: '/me', needLogin: true }))).code).toBe('LOGIN_FAILED')
    await env.clock.advance(1000)
    const res = await c.request({ url: '/me', needLogin: true })
    expect(body(res).openid).toBe(env.rt.openid)
  })

  it('a request whose own call fails: NETWORK / TIMEOUT with method and URL', async () => {
    const c = env.client()
    const refused = await caught(c.request({ url: 'http://127.0.0.1:1/nothing', method: 'POST' }))
    expect(refused.code).toBe('NETWORK')
    expect(refused.message).toContain('POST http://127.0.0.1:1/nothing')
    expect(refused.cause).toMatchObject({ errMsg: expect.stringContaining('request:fail') })

    env.server.fail('warmup', 1, 'hang')
    const pending = caught(c.request({ url: '/session', timeout: 5000 }))
    await until(() => env.server.count('warmup') === 1, 'the call on the wire')
    await env.clock.advance(5000)
    expect((await pending).code).toBe('TIMEOUT')
  })
})
