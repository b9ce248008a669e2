import { describe, expect, it } from 'vitest'
import { createRuntime } from '../../src/testing/index.js'

describe('login and code2Session', () => {
  it('wx.login returns a Promise without callbacks and mints a fresh code each time', async () => {
    const rt = createRuntime()
    const a = await rt.wx.login()
    const b = await rt.wx.login()
    expect(a!.errMsg).toBe('login:ok')
    expect(a!.code).toMatch(/^[0-9a-f]{32}$/)
    expect(b!.code).not.toBe(a!.code)
    const viaCallback = await new Promise<{ code: string }>((resolve) => rt.wx.login({ success: resolve }))
    expect(viaCallback.code).toMatch(/^[0-9a-f]{32}$/)
  })

  it('codes are single-use: the second exchange answers 40163', async () => {
    const rt = createRuntime()
    const { code } = (await rt.wx.login())!
    const ok = rt.code2Session(code)
    expect(ok).toEqual({ openid: rt.openid, session_key: expect.any(String) })
    expect('errcode' in ok).toBe(false)
    expect(rt.code2Session(code)).toMatchObject({
      errcode: 40163,
      errmsg: expect.stringMatching(/^code been used, rid: /),
    })
  })

  it('codes expire after 5 minutes on the runtime clock (40029), unknown codes too', async () => {
    const rt = createRuntime()
    const { code } = (await rt.wx.login())!
    await rt.clock.advance(5 * 60_000 + 1)
    expect(rt.code2Session(code)).toMatchObject({
      errcode: 40029,
      errmsg: expect.stringMatching(/^invalid code, rid: /),
    })
    expect(rt.code2Session('made-up')).toMatchObject({ errcode: 40029 })
    const fresh = (await rt.wx.login())!.code
    await rt.clock.advance(5 * 60_000 - 1)
    expect(rt.code2Session(fresh)).toHaveProperty('openid', rt.openid)
  })

  it('rate-limits at 100 calls per user per minute (45011)', async () => {
    const rt = createRuntime()
    const codes: string[] = []
    for (let i = 0; i < 101; i++) codes.push((await rt.wx.login())!.code)
    for (let i = 0; i < 100; i++) expect(rt.code2Session(codes[i]!)).toHaveProperty('openid')
    expect(rt.code2Session(codes[100]!)).toMatchObject({ errcode: 45011 })
    await rt.clock.advance(60_000)
    expect(rt.code2Session(codes[100]!)).toHaveProperty('openid')
  })

  it('injected failures answer once each, in order', async () => {
    const rt = createRuntime()
    const { code } = (await rt.wx.login())!
    rt.failNextCode2Session(-1)
    rt.failNextCode2Session(40226)
    expect(rt.code2Session(code)).toMatchObject({ errcode: -1 })
    expect(rt.code2Session(code)).toMatchObject({ errcode: 40226 })
    expect(rt.code2Session(code)).toHaveProperty('openid', rt.openid)
  })

  it('each login rotates the session_key; unionid when bound', async () => {
    const rt = createRuntime({ unionid: true })
    const k1 = rt.code2Session((await rt.wx.login())!.code) as { session_key: string; unionid?: string }
    const k2 = rt.code2Session((await rt.wx.login())!.code) as { session_key: string }
    expect(k1.session_key).not.toBe(k2.session_key)
    expect(k1.unionid).toMatch(/^u/)
  })

  it('checkSession fails before any login and after the session_key expires', async () => {
    const rt = createRuntime()
    await expect(rt.wx.checkSession()).rejects.toMatchObject({
      errMsg: expect.stringMatching(/^checkSession:fail/),
    })
    await rt.wx.login()
    await expect(rt.wx.checkSession()).resolves.toEqual({ errMsg: 'checkSession:ok' })
    rt.expireSessionKey()
    await expect(rt.wx.checkSession()).rejects.toBeDefined()
    await rt.wx.login()
    await expect(rt.wx.checkSession()).resolves.toBeDefined()
  })

  it('openids are stable per (appid, user) and differ across users', () => {
    expect(createRuntime().openid).toBe(createRuntime().openid)
    expect(createRuntime({ user: 'b' }).openid).not.toBe(createRuntime().openid)
    expect(createRuntime().openid).toMatch(/^o.{27}$/)
  })
})
