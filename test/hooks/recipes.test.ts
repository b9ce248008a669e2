// The README's hook recipes are the files under examples/hooks/, imported and run as written
// against real express (wx.showLoading / hideLoading counted on a stubbed global): a business-code
// expiry renews before the unwrapping hook sees the answer, the toast shows once and always hides.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { init } from '../../src/index.js'
import type { SessionOptions } from '../../src/options.js'
import type { SessionError } from '../../src/errors.js'
import { bearer } from '../../examples/hooks/bearer.js'
import { businessCodes } from '../../examples/hooks/business.js'
import { loadingToast } from '../../examples/hooks/loading.js'
import { logging } from '../../examples/hooks/logging.js'
import { placeOrder, retryTransient } from '../../examples/hooks/retry.js'
import { search } from '../../examples/hooks/signal.js'
import { expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'

describe('README recipes (examples/hooks)', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(async () => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
    await env.close()
  })

  /** The default client, as the samples' top-level request() uses it, on this test's runtime. */
  const initDefault = (options: SessionOptions) =>
    init({ platform: env.rt.wx, clock: env.rt.clock, baseURL: env.server.url, ...options })

  it('business codes: code -1 renews (log in again) and retries; the answer is unwrapped to data', async () => {
    const c = env.client({ login: { url: '/login' }, ...businessCodes })
    await c.login()
    await env.server.expireAll()
    const res = await c.request({ url: '/biz/wrapped' })
    expect(res.data).toEqual({ openid: env.rt.openid, orders: [{ id: 1 }] })
    expect(env.server.count('login')).toBe(2)
    // Logged out and not asked to log in: nothing to renew with, the -1 stands and reaches the
    // hook, which rejects HOOK_FAILED with its Error (the server's message) as the cause.
    await c.logout()
    const error = (await c
      .request({ url: '/biz/wrapped', needLogin: false })
      .catch((e: unknown) => e)) as SessionError
    expect(error.code).toBe('HOOK_FAILED')
    expect((error.cause as Error).message).toBe('session expired')
    expect(env.server.count('login')).toBe(2)
  })

  it('the loading toast shows once for overlapping calls and hides after answers, retries and errors', async () => {
    const toast: string[] = []
    vi.stubGlobal('wx', {
      showLoading: () => toast.push('show'),
      hideLoading: () => toast.push('hide'),
    })
    const c = env.client({ warmup: '/session', retry: { limit: 1, delay: 10 }, hooks: loadingToast })
    const all = Promise.allSettled([
      c.request({ url: '/echo' }),
      c.request({ url: '/flaky/drop?key=toast&n=1' }), // one retry
      c.request({ url: '/flaky/drop?key=toast2&n=5' }), // fails after its retry
    ])
    for (let i = 0; i < 20; i++) await env.clock.advance(10)
    expect((await all).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    expect(toast).toEqual(['show', 'hide'])
    // A warm-up failure rejects before any beforeRequest: onError must not hide a toast it never showed.
    env.server.fail('warmup', 1, { status: 500 })
    const fresh = env.client({ warmup: '/session', storageKey: 'fresh', hooks: loadingToast }) // no session yet
    const outcome = await fresh.request({ url: '/echo' }).catch((e: SessionError) => e.code)
    expect(outcome).toBe('WARMUP_FAILED')
    await c.request({ url: '/echo' })
    expect(toast).toEqual(['show', 'hide', 'show', 'hide'])
  })

  it('logging: one line out, one line back, one warning for an error', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const c = env.client({ hooks: logging })
    await c.request({ url: '/echo' })
    await c.request({ url: '/echo', method: 'POST', rejectOnHttpError: true, data: { x: 1 } })
    await c.request({ url: '/echo?auth=1', rejectOnHttpError: true, needLogin: false }).catch(() => {})
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      `→ GET ${env.server.url}/echo #0`,
      '← 200 GET',
      `→ POST ${env.server.url}/echo #0`,
      '← 200 POST',
      `→ GET ${env.server.url}/echo?auth=1 #0`,
    ])
    expect(warn.mock.calls.map(([line]) => line)).toEqual([
      `✗ [miniprogram-session] HTTP: HTTP 401 (GET ${env.server.url}/echo?auth=1)`,
    ])
  })

  it('retry: the order POST opts in and carries its idempotency key', async () => {
    initDefault({ login: { url: '/login' }, ...retryTransient })
    const res = await placeOrder('tea', 'k-1')
    expect(res.statusCode).toBe(201)
    expect(res.data).toMatchObject({ created: { item: 'tea' }, idempotencyKey: 'k-1', openid: env.rt.openid })
  })

  it('signal: a newer search cancels the one in flight, which resolves undefined', async () => {
    initDefault({})
    const first = search('te')
    const second = search('tea')
    expect(await first).toBeUndefined()
    expect(await second).toEqual({ q: 'tea', results: [] })
  })

  it('bearer: the token from the login body goes out as Authorization: Bearer …', async () => {
    const c = env.client({ ...bearer, login: { url: '/bearer/login' } })
    const { token } = (await c.login()) as { token: string }
    expect(c.getSession()).toMatchObject({ id: token, loggedIn: true })
    const me = await c.request({ url: '/bearer/me' })
    expect(me.data).toMatchObject({ token, openid: env.rt.openid })
  })
})
