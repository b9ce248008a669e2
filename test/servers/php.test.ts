import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requires } from '../helpers/requires.js'
import { codes } from './codes.js'
import { hasPhp, startPhpServer } from './php.js'
import { cookieNamed, plainHttp } from './fetch.js'
import type { TestServer } from './types.js'
import { startWeChatApi } from './wechat-api.js'

const phpCookie = (res: Response): string | undefined => cookieNamed(res, 'PHPSESSID')

describe.runIf(requires('php', hasPhp(), 'apt-get install php-cli'))('PHP session server', () => {
  const wechat = codes()
  let api: Awaited<ReturnType<typeof startWeChatApi>>
  let server: TestServer
  const { get, post } = plainHttp(() => server.url)
  async function login(openid: string): Promise<{ cookie: string; sessionId: string }> {
    const warm = phpCookie(await get('/session'))!
    const res = await post('/login', { code: wechat.mint(openid) }, { cookie: warm })
    return { cookie: phpCookie(res)!, sessionId: ((await res.json()) as { sessionId: string }).sessionId }
  }

  beforeAll(async () => {
    api = await startWeChatApi(wechat.check)
    server = await startPhpServer({ code2SessionUrl: api.url })
  })
  afterAll(async () => {
    await server?.close()
    await api?.close()
  })

  it('keeps a PHPSESSID cookie session across requests with the cookie, and not without', async () => {
    const first = await get('/session')
    const cookie = phpCookie(first)!
    const { sessionId } = (await first.json()) as { sessionId: string }
    expect(cookie).toBe(`PHPSESSID=${sessionId}`)
    expect(await (await get('/session', { cookie })).json()).toMatchObject({ sessionId })
    expect((await get('/keepalive', { cookie })).status).toBe(200)
    expect((await get('/keepalive')).status).toBe(401)
    expect(server.events.at(-2)).toMatchObject({
      path: '/keepalive',
      sid: sessionId,
      via: 'cookie',
      event: 'keepalive',
    })
    expect(server.events.at(-1)).toMatchObject({ path: '/keepalive', event: 'unauthorized', status: 401 })
  })

  it('checks the code through the WeChat API, rotates the id on login, and answers its errors', async () => {
    const warm = phpCookie(await get('/session'))!
    const code = wechat.mint('o-php')
    const res = await post('/login', { code }, { cookie: warm })
    const body = (await res.json()) as { sessionId: string }
    expect(body).toMatchObject({ openid: 'o-php', bind: false })
    expect(phpCookie(res)).toBe(`PHPSESSID=${body.sessionId}`)
    expect(`PHPSESSID=${body.sessionId}`).not.toBe(warm)
    expect(await (await get('/me', { cookie: `PHPSESSID=${body.sessionId}` })).json()).toMatchObject({
      openid: 'o-php',
    })
    expect((await get('/me', { cookie: warm })).status).toBe(401) // session_regenerate_id(true) deleted it
    const reused = await post('/login', { code })
    expect(reused.status).toBe(400)
    expect(await reused.json()).toEqual({ errcode: 40163, errmsg: 'code been used' })
    expect(await (await post('/login', { code: 'nope' })).json()).toMatchObject({ errcode: 40029 })
  })

  it('header mode: the session_id request header selects the session and comes back rotated', async () => {
    const warm = await get('/session')
    const id = warm.headers.get('session_id')!
    expect(id).toBe(((await warm.json()) as { sessionId: string }).sessionId)
    const res = await post('/login', { code: wechat.mint('o-hdr') }, { session_id: id })
    const rotated = res.headers.get('session_id')!
    expect(rotated).not.toBe(id)
    expect(server.events.at(-1)).toMatchObject({ event: 'login', via: 'header', sid: id })
    const orders = await get('/orders', { session_id: rotated })
    expect(await orders.json()).toMatchObject({ sid: rotated, openid: 'o-hdr' })
    expect(orders.headers.get('session_id')).toBe(rotated)
    expect((await get('/orders', { session_id: 'forged123' })).status).toBe(401) // strict mode refuses unknown ids
  })

  it('URL mode: ?PHPSESSID= selects the session', async () => {
    const { sessionId } = await login('o-url')
    const res = await get(`/orders?x=1&PHPSESSID=${sessionId}`)
    expect(await res.json()).toMatchObject({ sid: sessionId, openid: 'o-url' })
    expect(server.events.at(-1)).toMatchObject({ path: '/orders', via: 'url', sid: sessionId })
    expect((await get('/orders?PHPSESSID=unknown1')).status).toBe(401)
  })

  it('expireAll deletes the session files → 401 and the business code; bind; logout', async () => {
    const a = await login('o-bind')
    expect(await (await post('/bind', { username: 'b' }, { cookie: a.cookie })).json()).toMatchObject({
      bind: true,
    })
    const b = await login('o-bind')
    expect(await (await get('/biz/orders', { cookie: b.cookie })).json()).toMatchObject({
      code: 0,
      sid: b.sessionId,
    })
    const expired = server.count('expired')
    await server.expireAll()
    expect(server.count('expired')).toBeGreaterThan(expired)
    expect((await get('/me', { cookie: b.cookie })).status).toBe(401)
    expect(await (await get('/biz/orders', { cookie: b.cookie })).json()).toEqual({
      code: -1,
      message: 'session expired',
    })
    const c = await login('o-bind')
    expect(await (await get('/me', { cookie: c.cookie })).json()).toMatchObject({ bind: true })
    expect((await post('/logout', {}, { cookie: c.cookie })).status).toBe(200)
    expect((await get('/me', { cookie: c.cookie })).status).toBe(401)
  })

  it('injects faults: a status, a reset, a hang — then works again', async () => {
    const before = server.count('warmup')
    server.fail('warmup', 1, { status: 503 })
    expect((await get('/session')).status).toBe(503)
    expect((await get('/session')).status).toBe(200)
    server.fail('login', 1, 'reset')
    await expect(post('/login', { code: wechat.mint('o-f') }).then((r) => r.text())).rejects.toThrow()
    server.fail('warmup', 1, 'hang')
    await expect(fetch(`${server.url}/session`, { signal: AbortSignal.timeout(300) })).rejects.toThrow()
    expect((await get('/session')).status).toBe(200)
    expect(server.count('warmup')).toBe(before + 4)
  })
})
