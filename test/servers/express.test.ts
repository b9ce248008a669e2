import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExpressServer } from './express.js'
import { codes } from './codes.js'
import { cookieNamed, plainHttp } from './fetch.js'
import type { TestServer } from './types.js'

const sidCookie = (res: Response): string | undefined => cookieNamed(res, 'connect.sid')

describe('express session server', () => {
  const wechat = codes()
  let clock = 1_700_000_000_000
  let server: TestServer
  const { get, post } = plainHttp(() => server.url)
  async function loginWithCookie(openid = 'o-alice'): Promise<{ cookie: string; sessionId: string }> {
    const warm = sidCookie(await get('/session'))!
    const res = await post('/login', { code: wechat.mint(openid) }, { cookie: warm })
    const body = (await res.json()) as { sessionId: string }
    return { cookie: sidCookie(res)!, sessionId: body.sessionId }
  }

  beforeAll(async () => {
    server = await startExpressServer({
      code2Session: wechat.check,
      now: () => clock,
      idleTimeoutMs: 30 * 60_000,
    })
  })
  afterAll(() => server.close())

  it('keeps a cookie-mode session across requests with the cookie, and not without', async () => {
    const first = await get('/session')
    const cookie = sidCookie(first)
    expect(cookie).toMatch(/^connect\.sid=s%3A/)
    expect(first.headers.getSetCookie()[0]).not.toMatch(/Expires|Max-Age/i) // a session cookie by default
    const { sessionId } = (await first.json()) as { sessionId: string }
    const again = (await (await get('/session', { cookie: cookie! })).json()) as { sessionId: string }
    expect(again.sessionId).toBe(sessionId)
    expect((await get('/keepalive', { cookie: cookie! })).status).toBe(200)
    expect((await get('/keepalive')).status).toBe(401)
    expect(server.events.at(-2)).toMatchObject({
      path: '/keepalive',
      sid: sessionId,
      via: 'cookie',
      event: 'keepalive',
      status: 200,
    })
    expect(server.events.at(-1)).toMatchObject({ path: '/keepalive', event: 'unauthorized', status: 401 })
    expect(server.events.at(-1)?.sid).toBeUndefined()
  })

  it('rotates the id on login; the old id is gone, the new one is logged in', async () => {
    const warm = sidCookie(await get('/session'))!
    const res = await post('/login', { code: wechat.mint('o-bob') }, { cookie: warm })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { sessionId: string; openid: string; bind: boolean }
    expect(body).toMatchObject({ openid: 'o-bob', bind: false })
    const rotated = sidCookie(res)!
    expect(rotated).not.toBe(warm)
    expect(res.headers.get('x-session-id')).toBe(body.sessionId)
    expect(await (await get('/me', { cookie: rotated })).json()).toMatchObject({
      sid: body.sessionId,
      openid: 'o-bob',
    })
    expect((await get('/me', { cookie: warm })).status).toBe(401)
  })

  it('answers code2Session errors with 400 and the errcode; the missing code too', async () => {
    const code = wechat.mint('o-carol')
    expect((await post('/login', { code })).status).toBe(200)
    const reused = await post('/login', { code })
    expect(reused.status).toBe(400)
    expect(await reused.json()).toEqual({ errcode: 40163, errmsg: 'code been used' })
    expect(await (await post('/login', { code: 'nope' })).json()).toMatchObject({ errcode: 40029 })
    expect(await (await post('/login', {})).json()).toMatchObject({ errcode: 41008 })
  })

  it('header mode: X-Session-Id both ways, including the rotated id', async () => {
    const warm = await get('/session')
    const id = warm.headers.get('x-session-id')!
    expect(id).toBe(((await warm.json()) as { sessionId: string }).sessionId)
    const login = await post('/login', { code: wechat.mint('o-dan') }, { 'x-session-id': id })
    const rotated = login.headers.get('x-session-id')!
    expect(rotated).toBeTruthy()
    expect(rotated).not.toBe(id)
    expect(server.events.at(-1)).toMatchObject({ event: 'login', sid: id, via: 'header' })
    const orders = await get('/orders', { 'x-session-id': rotated })
    expect(await orders.json()).toMatchObject({ sid: rotated, openid: 'o-dan' })
    expect(orders.headers.get('x-session-id')).toBeNull() // unchanged session cookie: nothing new to expose
    expect(server.events.at(-1)).toMatchObject({ sid: rotated, via: 'header' })
    expect((await get('/orders', { 'x-session-id': 'forged' })).status).toBe(401)
  })

  it('servlet URL mode: ;jsessionid= is read as the session and stripped before routing', async () => {
    const { sessionId } = await loginWithCookie('o-erin')
    const res = await get(`/orders;jsessionid=${sessionId}?x=1`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ sid: sessionId, openid: 'o-erin' })
    expect(server.events.at(-1)).toMatchObject({ path: '/orders', via: 'url', sid: sessionId })
    expect((await get('/orders;jsessionid=unknown?x=1')).status).toBe(401)
  })

  it('destroys a session idle longer than the timeout, by the injected clock; use keeps it alive', async () => {
    const { cookie } = await loginWithCookie()
    clock += 20 * 60_000
    expect((await get('/me', { cookie })).status).toBe(200)
    clock += 20 * 60_000 // 40 min since login, 20 since last use
    expect((await get('/me', { cookie })).status).toBe(200)
    const expired = server.count('expired')
    clock += 30 * 60_000 + 1
    const res = await get('/me', { cookie })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ code: 401, message: 'not logged in' })
    expect(server.count('expired')).toBe(expired + 1)
    expect((await get('/me', { cookie })).status).toBe(401)
  })

  it('expireAll destroys every session; /biz/orders answers the business code', async () => {
    const a = await loginWithCookie('o-f')
    const b = await loginWithCookie('o-g')
    expect(await (await get('/biz/orders', { cookie: a.cookie })).json()).toMatchObject({
      code: 0,
      sid: a.sessionId,
    })
    await server.expireAll()
    expect((await get('/me', { cookie: a.cookie })).status).toBe(401)
    const biz = await get('/biz/orders', { cookie: b.cookie })
    expect(biz.status).toBe(200)
    expect(await biz.json()).toEqual({ code: -1, message: 'session expired' })
  })

  it('bind, then logout destroys the session', async () => {
    const { cookie } = await loginWithCookie('o-h')
    expect(await (await post('/bind', { username: 'h' }, { cookie })).json()).toMatchObject({ bind: true })
    const again = await loginWithCookie('o-h')
    expect((await (await get('/me', { cookie: again.cookie })).json()) as object).toMatchObject({
      bind: true,
    })
    const out = await post('/logout', {}, { cookie: again.cookie })
    expect(out.status).toBe(200)
    expect(server.events.at(-1)?.event).toBe('logout')
    expect((await get('/me', { cookie: again.cookie })).status).toBe(401)
    expect((await post('/bind', {}, { cookie: again.cookie })).status).toBe(401)
  })

  it('injects faults: a status, a reset, a hang — then works again', async () => {
    const before = server.count('warmup')
    server.fail('warmup', 2, { status: 503 })
    expect((await get('/session')).status).toBe(503)
    expect((await get('/session')).status).toBe(503)
    expect((await get('/session')).status).toBe(200)
    server.fail('login', 1, 'reset')
    await expect(post('/login', { code: wechat.mint('o-i') })).rejects.toThrow()
    server.fail('warmup', 1, 'hang')
    await expect(fetch(`${server.url}/session`, { signal: AbortSignal.timeout(150) })).rejects.toThrow()
    expect((await get('/session')).status).toBe(200)
    expect(server.count('warmup')).toBe(before + 5)
  })

  it('sends the extra cookies as several Set-Cookie lines; echoes the Cookie header; deletes one', async () => {
    const res = await get('/cookies/extra')
    const lines = res.headers.getSetCookie()
    expect(lines).toHaveLength(5)
    expect(lines).toContain('theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/')
    expect(lines.join('\n')).toMatch(/Path=\/api/)
    expect(lines.join('\n')).toMatch(/Domain=127\.0\.0\.1/)
    expect(lines.join('\n')).toMatch(/; Secure/)
    expect(lines.join('\n')).toMatch(/HttpOnly; SameSite=Lax/)
    expect(await (await get('/api/echo-cookie', { cookie: 'a=1; b=2' })).json()).toEqual({
      cookie: 'a=1; b=2',
    })
    expect((await get('/cookies/delete')).headers.getSetCookie()).toEqual(['theme=; Max-Age=0; Path=/'])
  })

  it('upload and download honour the session', async () => {
    const { cookie, sessionId } = await loginWithCookie('o-j')
    const form = new FormData()
    form.append('note', 'hi')
    form.append('file', new Blob(['12345']), 'a.txt')
    const up = await fetch(`${server.url}/upload`, { method: 'POST', headers: { cookie }, body: form })
    expect(await up.text()).toBe(`fields=note files=file:5 sid=${sessionId}`)
    expect(server.events.at(-1)).toMatchObject({ event: 'upload', sid: sessionId })
    expect((await fetch(`${server.url}/upload`, { method: 'POST', body: form })).status).toBe(401)
    const down = await get('/download', { cookie })
    expect(down.headers.get('content-disposition')).toMatch(/hello\.txt/)
    expect(await down.text()).toBe(`hello ${sessionId}\n`)
    expect((await get('/download')).status).toBe(401)
  })
})

describe('express session server, rolling', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startExpressServer({
      code2Session: () => ({ openid: 'o', session_key: 'k' }),
      rolling: true,
      idleTimeoutMs: 60_000,
    })
  })
  afterAll(() => server.close())

  it('sends a new Expires on every response of a live session', async () => {
    const cookie = sidCookie(await fetch(`${server.url}/session`))!
    const again = (await fetch(`${server.url}/keepalive`, { headers: { cookie } })).headers.getSetCookie()
    expect(again).toHaveLength(1)
    expect(again[0]).toMatch(/^connect\.sid=.*; Expires=\w{3}, /)
    expect(again[0]?.split(';')[0]).toBe(cookie)
  })
})
