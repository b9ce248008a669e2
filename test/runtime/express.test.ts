// The runtime against the real express-session server (test/servers/express.ts): what a page sees
// when it logs in with wx.login and carries connect.sid by hand, since wx.request keeps no cookies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime, type Runtime } from '../../src/testing/index.js'
import { startExpressServer, type TestServer } from '../servers/express.js'
import { outcome } from './helpers.js'

let rt: Runtime
let server: TestServer
beforeAll(async () => {
  rt = createRuntime()
  server = await startExpressServer({
    code2Session: (code) => rt.code2Session(code),
    now: () => rt.clock.now(),
  })
})
afterAll(() => server.close())

const request = (o: Parameters<Runtime['wx']['request']>[0]) =>
  outcome(rt.wx.request, { ...o, url: `${server.url}${o.url}` }).done

describe('runtime × express-session', () => {
  it('logs in with a real wx.login code; the session only sticks when the page sends the cookie itself', async () => {
    const { code } = (await rt.wx.login())!
    const login = await request({ url: '/login', method: 'POST', data: { code } })
    expect(login.result.statusCode).toBe(200)
    expect(login.result.data.openid).toBe(rt.openid)
    const setCookie = login.result.header['Set-Cookie'] as string
    expect(setCookie).toMatch(/^connect\.sid=s%3A/)
    expect(login.result.cookies).toHaveLength(1)

    // No cookie handling in wx.request: the next call is a stranger.
    const anonymous = await request({ url: '/me' })
    expect(anonymous.ok).toBe(true) // 401 still goes to success
    expect(anonymous.result.statusCode).toBe(401)

    const cookie = setCookie.split(';')[0]!
    const me = await request({ url: '/me', header: { Cookie: cookie } })
    expect(me.result.statusCode).toBe(200)
    expect(me.result.data.openid).toBe(rt.openid)

    // The code was single-use: logging in again with it is refused by code2Session (40163).
    const again = await request({ url: '/login', method: 'POST', data: { code } })
    expect(again.result.data.errcode).toBe(40163)
  })

  it('joins the server realistic cookies with a bare comma, Expires comma included', async () => {
    const out = await request({ url: '/cookies/extra' })
    const joined = out.result.header['Set-Cookie'] as string
    expect(out.result.cookies).toHaveLength(5)
    expect(joined).toBe((out.result.cookies as string[]).join(','))
    expect(joined).toContain('Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/,api_token=t0k3n')
  })
})
