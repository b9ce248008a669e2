import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SessionError } from '../../src/errors.js'
import type { Runtime } from '../../src/testing/index.js'
import { body, expressEnv } from './env.js'
import type { Env } from './env.js'

// Fills the emulated storage to within a few bytes of its 10 MB quota, with keys that are not ours.
function fillStorage(rt: Runtime): void {
  let n = 0
  for (const size of [1024 * 1024 - 64, 64 * 1024, 4096, 256, 16]) {
    for (let i = 0; i < 20; i++) {
      try {
        rt.wx.setStorageSync(`fill${n++}`, 'x'.repeat(size))
      } catch {
        break
      }
    }
  }
}

describe('persistence across restarts', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  const options = { warmup: '/session', login: { url: '/login' }, needLogin: true } as const

  it('a cold restart reuses the stored session: no warm-up, no login, same id', async () => {
    const c = env.client(options)
    const before = await c.request({ url: '/orders' })
    env.restart()
    const again = env.client(options)
    expect(again.getSession().loggedIn).toBe(true)
    const after = await again.request({ url: '/orders' })
    expect(body(after).sid).toBe(body(before).sid)
    expect(env.server.count('warmup')).toBe(1)
    expect(env.server.count('login')).toBe(1)
    // The stored record is the versioned envelope, the session cookie (no Expires) included.
    const stored = env.rt.wx.getStorageSync(env.key) as {
      v: number
      cookies: { name: string; expires?: number }[]
    }
    expect(stored.v).toBe(1)
    expect(stored.cookies.find((c) => c.name === 'connect.sid')?.expires).toBeUndefined()
  })

  it('header mode keeps its id across a restart too', async () => {
    const c = env.client({ ...options, mode: 'header' })
    const before = await c.request({ url: '/me' })
    env.restart()
    const after = await env.client({ ...options, mode: 'header' }).request({ url: '/me' })
    expect(body(after).sid).toBe(body(before).sid)
    expect(env.server.events.at(-1)?.via).toBe('header')
    expect(env.server.count('login')).toBe(1)
  })

  it('persistSessionCookies: false drops session cookies at restart (browser semantics)', async () => {
    await env.client({ ...options, persistSessionCookies: false }).request({ url: '/orders' })
    env.restart()
    await env.client({ ...options, persistSessionCookies: false }).request({ url: '/orders' })
    expect(env.server.count('warmup')).toBe(2)
  })

  it('namespaces keep release and dev builds apart', async () => {
    await env.client({ ...options, namespace: 'dev' }).request({ url: '/orders' })
    expect(env.rt.wx.getStorageInfoSync().keys).toEqual([`${env.key}:dev`])
    env.restart()
    const release = env.client(options)
    expect(release.getSession()).toMatchObject({ id: undefined, loggedIn: false })
  })

  it.each([
    ['a string', 'not json {'],
    ['another version', { v: 99, cookies: [], session: {} }],
    ["a peer's format", [{ name: 'connect.sid', value: 'x', domain: '127.0.0.1' }]],
  ])('corrupt or foreign data (%s): start clean, report once, keep working', async (_name, junk) => {
    env.rt.wx.setStorageSync(env.key, junk)
    const errors: SessionError[] = []
    const c = env.client({ ...options, onError: (e) => errors.push(e) })
    const res = await c.request({ url: '/orders' })
    expect(res.statusCode).toBe(200)
    await c.request({ url: '/orders' })
    expect(errors.map((e) => e.code)).toEqual(['STORAGE'])
    expect((env.rt.wx.getStorageSync(env.key) as { v: number }).v).toBe(1) // replaced by a readable record
  })

  it('a full storage: the app keeps working from memory and hears about it once', async () => {
    fillStorage(env.rt)
    const errors: SessionError[] = []
    const c = env.client({ ...options, onError: (e) => errors.push(e) })
    const first = await c.request({ url: '/orders' })
    const second = await c.request({ url: '/orders' })
    expect(body(second).sid).toBe(body(first).sid)
    expect(env.server.count('login')).toBe(1)
    expect(errors.length).toBe(1)
    expect(errors[0]?.code).toBe('STORAGE')
    expect(
      String((errors[0]?.cause as { errMsg?: string } | undefined)?.errMsg ?? errors[0]?.cause),
    ).toContain('exceed storage')
    expect(env.rt.wx.getStorageSync(env.key)).toBe('')
  })

  it('expiry-only changes are not written per response, but flushed on hide', async () => {
    await env.close()
    env = await expressEnv({ rolling: true })
    // express-session dates its rolling Expires with Date.now: follow the fake clock.
    vi.useFakeTimers({ toFake: ['Date'], now: env.clock.now() })
    try {
      const c = env.client(options)
      await c.request({ url: '/orders' })
      const writes = env.rt.stats.storageWrites
      for (let i = 0; i < 5; i++) {
        await env.clock.advance(1000)
        vi.setSystemTime(env.clock.now())
        await c.request({ url: '/orders' }) // each answer moves connect.sid's Expires by a second
      }
      expect(env.rt.stats.storageWrites).toBe(writes)
      env.rt.hide()
      expect(env.rt.stats.storageWrites).toBe(writes + 1)
      const stored = env.rt.wx.getStorageSync(env.key) as { cookies: { name: string; expires?: number }[] }
      const expected = Math.floor((env.clock.now() + 30 * 60_000) / 1000) * 1000
      expect(stored.cookies.find((c) => c.name === 'connect.sid')?.expires).toBe(expected)
    } finally {
      vi.useRealTimers()
    }
  })
})
