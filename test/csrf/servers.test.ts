// csrf.ts against real CSRF checks: Django 3.2's CsrfViewMiddleware, express + csrf-csrf (double
// submit), express + a synchronizer token (in the body or a header, one-time or not). Driven by the
// reference harness (jar + csrf.ts + fetch, with wx's fixed Referer), so what passes here is what
// the session layer gets once it calls csrf.ts at the same points.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CsrfOptions } from '../../src/session/csrf.js'
import { isCsrfFailure } from '../../src/session/csrf.js'
import { requires } from '../helpers/requires.js'
import { codes } from '../servers/codes.js'
import { startCsrfExpressServer } from '../servers/csrf-express.js'
import type { CsrfServer, CsrfServerEvent } from '../servers/csrf-express.js'
import { DJANGO_INSTALL, hasDjango, startDjangoServer } from '../servers/django.js'
import { startWeChatApi } from '../servers/wechat-api.js'
import { harness, startThirdParty, tokenHeadersOf } from './harness.js'

interface Backend {
  name: string
  present: boolean
  start(code2SessionUrl: string): Promise<CsrfServer>
  /** What the app configures (undefined: the defaults). */
  csrf?: CsrfOptions
  /** The first answer to a POST after the server dropped every session. */
  afterDrop: number
}

const synchronizer = (tokenIn: 'body' | 'header') => (url: string) =>
  startCsrfExpressServer({ code2SessionUrl: url, protection: 'synchronizer', tokenIn })

const backends: Backend[] = [
  {
    name: 'Django 3.2 (csrftoken → X-CSRFToken)',
    present: requires('django', hasDjango(), DJANGO_INSTALL),
    start: (url) => startDjangoServer({ code2SessionUrl: url }),
    // Django's token cookie is not bound to the session: the check passes, the view answers 401.
    afterDrop: 401,
  },
  {
    name: 'express + csrf-csrf (__Host-psifi.x-csrf-token → x-csrf-token)',
    present: true,
    start: (url) => startCsrfExpressServer({ code2SessionUrl: url, protection: 'double-submit' }),
    // The token is an HMAC of the session id: the dropped session's token is refused first.
    afterDrop: 403,
  },
  {
    name: 'express + synchronizer token in the body of GET /csrf',
    present: true,
    start: synchronizer('body'),
    csrf: { endpoint: '/csrf', tokenFrom: (body) => Object(body).csrfToken },
    afterDrop: 403,
  },
  {
    name: 'express + synchronizer token in the X-CSRF-Token header of GET /csrf',
    present: true,
    start: synchronizer('header'),
    csrf: { endpoint: '/csrf', tokenFrom: 'X-CSRF-Token' },
    afterDrop: 403,
  },
]

const unsafe = (e: CsrfServerEvent): boolean => !['GET', 'HEAD', 'OPTIONS', '-'].includes(e.method)

for (const backend of backends) {
  describe.runIf(backend.present)(backend.name, () => {
    const wechat = codes()
    let api: Awaited<ReturnType<typeof startWeChatApi>>
    let server: CsrfServer
    let third: Awaited<ReturnType<typeof startThirdParty>>
    const client = (openid: string, csrf: CsrfOptions | false | undefined = backend.csrf) =>
      harness(server.url, {
        csrf,
        code: () => wechat.mint(openid),
        sessionCookie: server.sessionCookie,
      })
    const since = (mark: number): CsrfServerEvent[] => server.events.slice(mark)

    beforeAll(async () => {
      api = await startWeChatApi(wechat.check)
      server = await backend.start(api.url)
      third = await startThirdParty()
    })
    afterAll(async () => {
      await server?.close()
      await third?.close()
      await api?.close()
    })

    it('refuses unsafe requests that carry no token, and isCsrfFailure recognises the refusal', async () => {
      const c = client('o-no-token', false)
      expect((await c.send('GET', '/session')).statusCode).toBe(200)
      const mark = server.events.length
      const login = await c.login()
      const order = await c.send('POST', '/orders', { item: 1 })
      for (const res of [login, order]) {
        expect(res.statusCode).toBe(403)
        expect(isCsrfFailure(res)).toBe(true)
      }
      expect(since(mark).map((e) => [e.path, e.csrf, e.tokenHeaders])).toEqual([
        ['/login', 'rejected', {}],
        ['/orders', 'rejected', {}],
      ])
    })

    it('passes with what csrf.ts sends: warm-up, login (token rotated), POST; GETs carry nothing', async () => {
      const c = client('o-rotate')
      const mark = server.events.length
      expect((await c.send('GET', '/session')).statusCode).toBe(200)
      expect((await c.send('POST', '/orders', { before: 'login' })).statusCode).toBe(401) // check passed
      expect((await c.login()).statusCode).toBe(200)
      expect((await c.send('GET', '/me')).statusCode).toBe(200)
      const created = await c.send('POST', '/orders', { item: 2 })
      expect(created.statusCode).toBe(201)
      expect(created.data).toMatchObject({ openid: 'o-rotate', created: { item: 2 } })

      const events = since(mark)
      for (const e of events.filter(unsafe)) {
        expect(e.csrf).toBe('passed')
        expect(Object.keys(e.tokenHeaders)).toEqual([server.tokenHeader])
      }
      for (const e of events.filter((e) => !unsafe(e))) expect(e.tokenHeaders).toEqual({})
      const sent = events.filter(unsafe).map((e) => e.tokenHeaders[server.tokenHeader])
      const [beforeLogin, atLogin, afterLogin] = sent
      expect(atLogin).toBe(beforeLogin)
      expect(afterLogin).not.toBe(beforeLogin) // the server rotated the token on login

      // The pre-login token, with this session's cookies, is refused now.
      const stale = await fetch(`${server.url}/orders`, {
        method: 'POST',
        headers: {
          cookie: c.jar.getCookieHeader(server.url + '/'),
          'content-type': 'application/json',
          [server.tokenHeader]: beforeLogin!,
        },
        body: '{}',
      })
      expect(stale.status).toBe(403)
    })

    it('sends no token to 127.0.0.2 and takes none from its answers', async () => {
      const c = client('o-csrf')
      await c.send('GET', '/session')
      expect((await c.login()).statusCode).toBe(200)
      // Twice: the second time the jar holds 127.0.0.2's own `csrftoken` cookie and sends it there.
      for (const method of ['POST', 'PUT', 'POST']) {
        expect((await c.send(method, `${third.url}/collect`, { x: 1 })).statusCode).toBe(200)
      }
      expect(third.seen.at(-1)!.headers.cookie).toBe('csrftoken=third-party-cookie')
      for (const { headers } of third.seen.slice(-3)) expect(tokenHeadersOf(headers)).toEqual([])
      // The third party's "token" was not taken: the backend still gets (and accepts) its own.
      const mark = server.events.length
      expect((await c.send('POST', '/orders', { item: 3 })).statusCode).toBe(201)
      const [order] = since(mark).filter(unsafe)
      expect(order!.tokenHeaders[server.tokenHeader]).toMatch(/^[\w.-]+$/)
      expect(order!.tokenHeaders[server.tokenHeader]).not.toContain('third-party')
    })

    it("keeps the caller's own token header (any casing) and adds no second one", async () => {
      const c = client('o-csrf')
      await c.send('GET', '/session')
      expect((await c.login()).statusCode).toBe(200)
      const mark = server.events.length
      const name = server.tokenHeader.toUpperCase()
      expect((await c.send('POST', '/orders', {}, { [name]: 'callers-own-token' })).statusCode).toBe(403)
      const [own] = since(mark).filter(unsafe)
      expect(own!.tokenHeaders).toEqual({ [server.tokenHeader]: 'callers-own-token' })
      // The caller's header, when it holds the right token, is what passes.
      expect((await c.send('POST', '/orders', {})).statusCode).toBe(201)
      const token = since(mark).filter(unsafe).at(-1)!.tokenHeaders[server.tokenHeader]!
      const before = server.events.length
      expect((await c.send('POST', '/orders', {}, { [name]: token })).statusCode).toBe(201)
      expect(since(before).filter(unsafe)[0]!.tokenHeaders).toEqual({ [server.tokenHeader]: token })
    })

    it('after the server dropped every session: one renew, one retry, and the POST goes through', async () => {
      const c = client('o-drop')
      await c.send('GET', '/session')
      expect((await c.login()).statusCode).toBe(200)
      expect((await c.send('POST', '/orders', { n: 1 })).statusCode).toBe(201)
      await server.expireAll()
      const mark = server.events.length
      const { res, retried } = await c.request('POST', '/orders', { n: 2 })
      expect(retried).toBe(true)
      expect(res.statusCode).toBe(201)
      expect(res.data).toMatchObject({ openid: 'o-drop', created: { n: 2 } })
      const orders = since(mark).filter((e) => e.path === '/orders')
      expect(orders.map((e) => e.status)).toEqual([backend.afterDrop, 201])
      expect(since(mark).filter((e) => e.event === 'login')).toHaveLength(1)
    })

    it('injects faults (a status, a reset, a hang), records them, then works again', async () => {
      const before = server.count('warmup')
      server.fail('warmup', 1, { status: 503 })
      expect((await fetch(`${server.url}/session`)).status).toBe(503)
      server.fail('login', 1, 'reset')
      await expect(fetch(`${server.url}/login`, { method: 'POST', body: '{}' })).rejects.toThrow()
      server.fail('warmup', 1, 'hang')
      await expect(fetch(`${server.url}/session`, { signal: AbortSignal.timeout(300) })).rejects.toThrow()
      expect((await fetch(`${server.url}/session`)).status).toBe(200)
      expect(server.count('warmup')).toBe(before + 3)
    })

    it('logout, then a new login: the POST passes with the new session’s token', async () => {
      const c = client('o-back')
      await c.send('GET', '/session')
      expect((await c.login()).statusCode).toBe(200)
      expect((await c.logout()).statusCode).toBe(200)
      expect((await c.send('GET', '/me')).statusCode).toBe(401)
      await c.send('GET', '/session')
      expect((await c.login()).statusCode).toBe(200)
      const res = await c.send('POST', '/orders', {})
      expect(res.statusCode).toBe(201)
      expect(res.data).toMatchObject({ openid: 'o-back' })
    })
  })
}

describe('express + synchronizer token: the endpoint is fetched once per session, one-time tokens in turn', () => {
  const wechat = codes()
  let api: Awaited<ReturnType<typeof startWeChatApi>>
  let reusable: CsrfServer
  let oneTime: CsrfServer
  const csrf: CsrfOptions = { endpoint: '/csrf', tokenFrom: (body) => Object(body).csrfToken }

  beforeAll(async () => {
    api = await startWeChatApi(wechat.check)
    reusable = await startCsrfExpressServer({ code2SessionUrl: api.url, protection: 'synchronizer' })
    oneTime = await startCsrfExpressServer({
      code2SessionUrl: api.url,
      protection: 'synchronizer',
      oneTime: true,
    })
  })
  afterAll(async () => {
    await reusable?.close()
    await oneTime?.close()
    await api?.close()
  })

  it('8 concurrent POSTs of a fresh session share one token fetch', async () => {
    const c = harness(reusable.url, {
      csrf,
      code: () => wechat.mint('o-burst'),
      sessionCookie: 'connect.sid',
    })
    await c.send('GET', '/session')
    expect((await c.login()).statusCode).toBe(200)
    const mark = reusable.events.length
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => c.send('POST', '/orders', { i })))
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(201))
    const events = reusable.events.slice(mark)
    expect(events.filter((e) => e.path === '/csrf')).toHaveLength(1) // the new id after login needs one
    expect(events[0]!.path).toBe('/csrf')
  })

  it('a one-time token server refuses the second POST unless each gets a fresh token', async () => {
    const plain = harness(oneTime.url, {
      csrf,
      code: () => wechat.mint('o-once'),
      sessionCookie: 'connect.sid',
    })
    await plain.send('GET', '/session')
    expect((await plain.send('POST', '/login', { code: wechat.mint('o-once') })).statusCode).toBe(200)
    expect((await plain.send('POST', '/orders', {})).statusCode).toBe(201)
    const second = await plain.send('POST', '/orders', {})
    expect(second.statusCode).toBe(403) // the token was used up by the first check
    expect(isCsrfFailure(second)).toBe(true)
  })

  it('oneTime: 6 concurrent POSTs each fetch their own token, one after another, and all pass', async () => {
    const c = harness(oneTime.url, {
      csrf: { ...csrf, oneTime: true },
      code: () => wechat.mint('o-turns'),
      sessionCookie: 'connect.sid',
    })
    await c.send('GET', '/session')
    expect((await c.login()).statusCode).toBe(200)
    const mark = oneTime.events.length
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => c.send('POST', '/orders', { i })))
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(201))
    const order = oneTime.events.slice(mark).map((e) => `${e.method} ${e.path} ${e.status}`)
    expect(order).toEqual(Array(6).fill(['GET /csrf 200', 'POST /orders 201']).flat())
    const tokens = oneTime.events
      .slice(mark)
      .filter(unsafe)
      .map((e) => e.tokenHeaders['x-csrf-token'])
    expect(new Set(tokens).size).toBe(6)
  })
})
