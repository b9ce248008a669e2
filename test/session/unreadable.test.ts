import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionError } from '../../src/errors.js'
import { alipay } from '../../src/platform/alipay.js'
import type { MyLike } from '../../src/platform/alipay.js'
import type { Platform } from '../../src/platform/types.js'
import { wechatPlatform, type WxLike } from '../../src/platform/wechat.js'
import { asPlatform } from '../../src/testing/index.js'
import { body, expressEnv } from './env.js'
import type { Env } from './env.js'

// A wx.getStorageSync that throws at launch (sync APIs throw on failure, PLATFORM.md 3): reported
// through onError, and nothing this launch captures is written over the stored session before the
// key could be read.

describe('storage that cannot be read at launch', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  const options = {
    warmup: '/session',
    login: { url: '/login' },
    needLogin: true,
    refreshInterval: false,
  } as const
  const launch = (failingReads: number) => {
    env.restart()
    env.rt.failStorageReads(failingReads)
    const errors: SessionError[] = []
    const client = env.client({ ...options, onError: (e) => errors.push(e) })
    return { client, errors }
  }
  const stored = (): unknown => env.rt.wx.getStorageSync(env.key)

  let good: unknown
  let goodSid: unknown
  beforeEach(async () => {
    const client = env.client(options)
    goodSid = body(await client.request({ url: '/me' })).sid
    client.dispose()
    good = stored()
  })

  it('is reported through onError as STORAGE, with the platform error as the cause', () => {
    const { client, errors } = launch(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ name: 'SessionError', code: 'STORAGE' })
    expect(errors[0]!.message).toMatch(/could not read .*not written over until it can be read/)
    expect(String((errors[0]!.cause as Error).message)).toMatch(/getStorageSync:fail/)
    expect(client.getSession()).toMatchObject({ id: undefined, loggedIn: false })
  })

  it('while it stays unreadable, nothing is written: the next launch gets the stored session back', async () => {
    const { client } = launch(1000)
    const other = body(await client.request({ url: '/me' })).sid // a warm-up and a login of its own
    expect(other).not.toBe(goodSid)
    await client.logout()
    client.dispose()
    env.rt.failStorageReads(0)
    expect(stored()).toEqual(good)
    const { client: next, errors } = launch(0)
    expect(errors).toEqual([])
    expect(next.getSession().loggedIn).toBe(true)
    expect(body(await next.request({ url: '/me' })).sid).toBe(goodSid)
  })

  it('once a later save can read it, the stored cookies come back where this launch has none of its own', async () => {
    env.restart()
    const before = env.client(options)
    await before.request({ url: '/cookies/extra' }) // theme, prefs… beside the session cookie
    before.dispose()
    const { client } = launch(1)
    const sid = body(await client.request({ url: '/me' })).sid // its own session, then a save that reads
    expect(sid).not.toBe(goodSid)
    const record = stored() as { cookies: { name: string; value: string }[] }
    const names = record.cookies.map((c) => c.name)
    expect(names).toEqual(expect.arrayContaining(['theme', 'prefs', 'connect.sid']))
    // This launch's session cookie won over the stored one of the same name, domain and path.
    expect(names.filter((n) => n === 'connect.sid')).toHaveLength(1)
    const echoed = body(await client.request({ url: '/api/echo-cookie' })).cookie as string
    expect(echoed).toContain('theme=dark')
    expect(body(await client.request({ url: '/me' })).sid).toBe(sid)
  })

  it('a logout of this launch keeps the stored session from coming back on the late read', async () => {
    const { client } = launch(1)
    await client.logout()
    client.dispose()
    const record = stored() as { cookies: { name: string }[]; session: { boundId?: string } }
    expect(record.cookies.map((c) => c.name)).not.toContain('connect.sid')
    expect(record.session.boundId).toBeUndefined()
  })

  it.each(['wx', 'my'] as const)(
    'the %s adapter lets the read failure through instead of answering "missing"',
    (name) => {
      const platform = (
        name === 'wx'
          ? wechatPlatform(env.rt.wx as unknown as WxLike)
          : alipay(asPlatform(env.rt, 'my') as MyLike)
      ) as Platform
      expect(platform.storage.get(env.key)).toEqual(good)
      env.rt.failStorageReads(1)
      expect(() => platform.storage.get(env.key)).toThrow(/getStorageSync:fail/)
      expect(platform.storage.get(env.key)).toEqual(good)
    },
  )
})
