// The runtime against PHP's own sessions (test/servers/php.ts), logging in through the
// jscode2session stand-in that answers with the runtime's code2Session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime, type Runtime } from '../../src/testing/index.js'
import { requires } from '../helpers/requires.js'
import { hasPhp, startPhpServer } from '../servers/php.js'
import type { TestServer } from '../servers/types.js'
import { startWeChatApi } from '../servers/wechat-api.js'
import { outcome } from './helpers.js'

describe.runIf(requires('php', hasPhp(), 'apt-get install php-cli'))('runtime × PHP sessions', () => {
  let rt: Runtime
  let api: Awaited<ReturnType<typeof startWeChatApi>>
  let server: TestServer
  beforeAll(async () => {
    rt = createRuntime({ profile: { headerCase: 'lower' } })
    api = await startWeChatApi((code) => rt.code2Session(code))
    server = await startPhpServer({ code2SessionUrl: api.url })
  })
  afterAll(async () => {
    await server?.close()
    await api?.close()
  })

  const request = (o: Parameters<Runtime['wx']['request']>[0]) =>
    outcome(rt.wx.request, { ...o, url: `${server.url}${o.url}` }).done

  it('logs in with a wx.login code; the session follows the PHPSESSID the page sends, or the session_id header', async () => {
    const warm = await request({ url: '/session' })
    const warmCookie = (warm.result.header['set-cookie'] as string).split(';')[0]!
    expect(warmCookie).toMatch(/^PHPSESSID=/)

    const { code } = (await rt.wx.login())!
    const login = await request({
      url: '/login',
      method: 'POST',
      data: { code },
      header: { Cookie: warmCookie },
    })
    expect(login.result.statusCode).toBe(200)
    expect(login.result.data.openid).toBe(rt.openid)
    const sid = login.result.data.sessionId as string
    // The id rotates on login; the lower-cased set-cookie is the comma join of every line.
    expect(sid).not.toBe(warmCookie.slice('PHPSESSID='.length))
    expect(login.result.cookies.some((c: string) => c.startsWith(`PHPSESSID=${sid}`))).toBe(true)
    expect(login.result.header['set-cookie']).toBe(login.result.cookies.join(','))

    const byCookie = await request({ url: '/me', header: { Cookie: `PHPSESSID=${sid}` } })
    expect(byCookie.result.data.openid).toBe(rt.openid)
    const byHeader = await request({ url: '/me', header: { session_id: sid } })
    expect(byHeader.result.data.openid).toBe(rt.openid)
    const stranger = await request({ url: '/me' })
    expect(stranger.ok).toBe(true)
    expect(stranger.result.statusCode).toBe(401)
  })
})
