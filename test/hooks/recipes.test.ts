// The README recipes of docs-draft/hooks.md, run as written (wx.showLoading replaced by a counter)
// against real express: a business-code expiry renews before the unwrapping hook sees the answer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HookContext, HookResult } from '../../src/client.js'
import type { SessionError } from '../../src/errors.js'
import { expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'

describe('README recipes', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('{ code, data } unwrapped, with code -1 as the expiry: renewed, retried, then unwrapped', async () => {
    const c = env.client({
      login: { url: '/login' },
      isExpired: (res) => res.statusCode === 401 || (res.data as { code?: number } | null)?.code === -1,
      hooks: {
        afterResponse(res: HookResult, { api }: HookContext) {
          if (api !== 'request' || !('data' in res)) return
          const { code, message, ...data } = res.data as { code: number; message?: string }
          if (code !== 0) throw new Error(message || `business error ${code}`)
          return { ...res, data }
        },
      },
    })
    await c.login()
    await env.server.expireAll()
    const res = await c.request({ url: '/biz/orders' })
    expect(res.data).toMatchObject({ orders: [{ id: 1 }], openid: env.rt.openid })
    expect(res.data).not.toHaveProperty('code')
    expect(env.server.count('login')).toBe(2)
    // Logged out and not asked to log in: nothing to renew with, the -1 stands and reaches the
    // hook, which rejects HOOK_FAILED with its Error (the server's message) as the cause.
    await c.logout()
    const error = (await c
      .request({ url: '/biz/orders', needLogin: false })
      .catch((e: unknown) => e)) as SessionError
    expect(error.code).toBe('HOOK_FAILED')
    expect((error.cause as Error).message).toBe('session expired')
    expect(env.server.count('login')).toBe(2)
  })

  it('the loading counter returns to 0 after answers, retries and errors', async () => {
    let loading = 0
    let shows = 0
    const calls = new WeakSet<HookContext>()
    const done = (context: HookContext): void => {
      if (calls.delete(context)) loading--
    }
    const c = env.client({
      warmup: '/session',
      retry: { limit: 1, delay: 10 },
      hooks: {
        beforeRequest(_options, context) {
          if (calls.has(context)) return
          calls.add(context)
          if (loading++ === 0) shows++
        },
        afterResponse: (_result, context) => done(context),
        onError: (_error, context) => done(context),
      },
    })
    const all = Promise.allSettled([
      c.request({ url: '/echo' }),
      c.request({ url: '/flaky/drop?key=toast&n=1' }),
      c.request({ url: '/flaky/drop?key=toast2&n=5' }),
    ])
    for (let i = 0; i < 20; i++) await env.clock.advance(10)
    const results = await all
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    expect(loading).toBe(0)
    expect(shows).toBe(1)
    // A warm-up failure rejects before any beforeRequest: onError must not count it down.
    env.server.fail('warmup', 1, { status: 500 })
    const fresh = env.client({ warmup: '/session', hooks: { onError: (_e, context) => done(context) } })
    await fresh.request({ url: '/echo' }).catch(() => {})
    expect(loading).toBe(0)
  })
})
