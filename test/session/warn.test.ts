import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { expressEnv } from './env.js'
import type { Env } from './env.js'

// Errors nobody awaits (storage, the refresh timer, the logout endpoint) go to onError; without
// one, the first of them reaches the console once instead of vanishing.
describe('errors without onError', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => {
    vi.restoreAllMocks()
    return env.close()
  })

  it('unreadable storage and then an unreachable logout endpoint: one console.warn, naming onError', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    env.rt.wx.setStorageSync(env.key, 'not json {')
    const c = env.client({ warmup: '/session', logout: 'http://127.0.0.1:9/logout' })
    expect((await c.request({ url: '/session' })).statusCode).toBe(200)
    await c.logout()
    await env.rt.settle()
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/STORAGE: unreadable .*set the onError option/)
  })

  it('with onError, both reach it and nothing goes to the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    env.rt.wx.setStorageSync(env.key, 'not json {')
    const codes: string[] = []
    const c = env.client({
      warmup: '/session',
      logout: 'http://127.0.0.1:9/logout',
      onError: (error) => codes.push(error.code),
    })
    await c.request({ url: '/session' })
    await c.logout()
    await env.rt.settle()
    expect(codes).toEqual(['STORAGE', 'NETWORK']) // the two errors the test above warned about once
    expect(warn).not.toHaveBeenCalled()
  })
})
