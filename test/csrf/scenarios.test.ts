// Issue 14's scenarios through the SDK itself: createClient + the testing runtime (real HTTP, wx's
// fixed Referer) against Django, express + csrf-csrf and express + a synchronizer token.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Client } from '../../src/client.js'
import type { SessionOptions } from '../../src/options.js'
import { requires } from '../helpers/requires.js'
import { startCsrfExpressServer } from '../servers/csrf-express.js'
import type { CsrfExpressOptions, CsrfServer, CsrfServerEvent } from '../servers/csrf-express.js'
import { DJANGO_INSTALL, hasDjango, startDjangoServer } from '../servers/django.js'
import { startWeChatApi } from '../servers/wechat-api.js'
import { body, withRuntime } from '../session/env.js'
import type { Env } from '../session/env.js'
import { startThirdParty, tokenHeadersOf } from './harness.js'

interface Backend {
  name: string
  present: boolean
  start(code2SessionUrl: string): Promise<CsrfServer>
  options: SessionOptions
}

const session: SessionOptions = { warmup: '/session', login: { url: '/login' }, logout: '/logout' }
const express = (more: Omit<CsrfExpressOptions, 'code2SessionUrl'>) => (url: string) =>
  startCsrfExpressServer({ code2SessionUrl: url, ...more })

const backends: Backend[] = [
  {
    name: 'Django 3.2',
    present: requires('django', hasDjango(), DJANGO_INSTALL),
    start: (url) => startDjangoServer({ code2SessionUrl: url }),
    options: { ...session, sessionCookie: 'sessionid' },
  },
  {
    name: 'express + csrf-csrf',
    present: true,
    start: express({ protection: 'double-submit' }),
    options: session,
  },
  {
    name: 'express + synchronizer token (GET /csrf body)',
    present: true,
    start: express({ protection: 'synchronizer' }),
    options: { ...session, csrf: { endpoint: '/csrf', tokenFrom: (data) => Object(data).csrfToken } },
  },
]

type CsrfEnv = Omit<Env, 'server'> & { server: CsrfServer }

// One runtime, one CSRF server whose logins are checked against the runtime's code2Session.
const csrfEnv = (start: Backend['start']): Promise<CsrfEnv> =>
  withRuntime(async (rt) => {
    const wechat = await startWeChatApi((code) => rt().code2Session(code))
    const server = await start(wechat.url).catch(async (e: unknown) => {
      await wechat.close()
      throw e
    })
    return Object.assign(Object.create(server) as CsrfServer, {
      close: async () => {
        await server.close()
        await wechat.close()
      },
    })
  }) as Promise<CsrfEnv>

const unsafe = (e: CsrfServerEvent): boolean => !['GET', 'HEAD', 'OPTIONS', '-'].includes(e.method)

for (const backend of backends) {
  describe.runIf(backend.present)(`CSRF through the client: ${backend.name}`, () => {
    let env: CsrfEnv
    let client: Client
    const since = (mark: number): CsrfServerEvent[] => env.server.events.slice(mark)
    beforeEach(async () => {
      env = await csrfEnv(backend.start)
      client = env.client(backend.options)
    })
    afterEach(() => env.close())

    it('warm-up, then a POST passes: the login exchange carries the token the warm-up gave', async () => {
      await client.login()
      const events = env.server.events
      expect(events[0]).toMatchObject({ event: 'warmup', tokenHeaders: {}, status: 200 })
      expect(events.filter(unsafe).map((e) => [e.path, e.csrf, e.status])).toEqual([
        ['/login', 'passed', 200],
      ])
      expect(Object.keys(events.find(unsafe)!.tokenHeaders)).toEqual([env.server.tokenHeader])
      expect(env.server.count('warmup')).toBe(1)
    })

    it('after login (token rotated) a POST passes; GETs carry no token', async () => {
      await client.login()
      const mark = env.server.events.length
      expect((await client.request({ url: '/me' })).statusCode).toBe(200)
      const res = await client.request({ url: '/orders', method: 'POST', data: { item: 1 } })
      expect(res.statusCode).toBe(201)
      expect(body(res)).toMatchObject({ openid: env.rt.openid, created: { item: 1 } })
      for (const e of env.server.events.filter((e) => !unsafe(e))) expect(e.tokenHeaders).toEqual({})
      const [login, order] = env.server.events.filter(unsafe)
      expect(order!.tokenHeaders[env.server.tokenHeader]).toBeDefined()
      expect(order!.tokenHeaders[env.server.tokenHeader]).not.toBe(
        login!.tokenHeaders[env.server.tokenHeader],
      )
      expect(since(mark).filter(unsafe)).toHaveLength(1)
    })

    it('no token header reaches 127.0.0.2', async () => {
      const third = await startThirdParty()
      try {
        await client.login()
        for (const method of ['POST', 'PUT', 'POST'] as const)
          expect((await client.request({ url: `${third.url}/collect`, method, data: {} })).statusCode).toBe(
            200,
          )
        expect(third.seen).toHaveLength(3)
        for (const { headers } of third.seen) expect(tokenHeadersOf(headers)).toEqual([])
        expect((await client.request({ url: '/orders', method: 'POST', data: {} })).statusCode).toBe(201)
      } finally {
        await third.close()
      }
    })

    it('after the server dropped the session, a POST renews and succeeds with one retry', async () => {
      await client.login()
      await env.server.expireAll()
      const mark = env.server.events.length
      const res = await client.request({ url: '/orders', method: 'POST', data: { n: 2 } })
      expect(res.statusCode).toBe(201)
      const orders = since(mark).filter((e) => e.path === '/orders')
      expect(orders).toHaveLength(2) // the refused one (401 or 403) and the retry
      expect(orders[1]!.status).toBe(201)
      expect(since(mark).filter((e) => e.event === 'login')).toHaveLength(1)
    })

    it("a caller's own token header is kept", async () => {
      await client.login()
      const mark = env.server.events.length
      const name = env.server.tokenHeader.toUpperCase()
      const res = await client.request({
        url: '/orders',
        method: 'POST',
        data: {},
        header: { [name]: 'mine' },
      })
      expect(res.statusCode).toBe(403)
      // Refused for the caller's token: one CSRF retry at most, each with the caller's header.
      const refused = since(mark).filter((e) => e.path === '/orders')
      expect(refused.length).toBeGreaterThanOrEqual(1)
      expect(refused.length).toBeLessThanOrEqual(2)
      for (const e of refused) expect(e.tokenHeaders).toEqual({ [env.server.tokenHeader]: 'mine' })
    })

    it('csrf: false sends no token: the backend refuses the POST', async () => {
      const off = env.client({ ...backend.options, csrf: false, storageKey: 'csrf-off' })
      await expect(off.login()).rejects.toMatchObject({ code: 'LOGIN_FAILED', statusCode: 403 })
    })
  })
}

describe('CSRF through the client: one-time tokens (synchronizer, deleted on every check)', () => {
  let env: CsrfEnv
  beforeEach(async () => {
    env = await csrfEnv(express({ protection: 'synchronizer', oneTime: true }))
  })
  afterEach(() => env.close())

  it('10 concurrent POSTs: each fetches its own token in turn, all pass', async () => {
    const client = env.client({
      ...session,
      csrf: { endpoint: '/csrf', tokenFrom: (data) => Object(data).csrfToken, oneTime: true },
    })
    await client.login()
    const mark = env.server.events.length
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.request({ url: '/orders', method: 'POST', data: { i } })),
    )
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(201))
    const order = since(mark).map((e) => `${e.method} ${e.path}`)
    expect(order).toEqual(Array(10).fill(['GET /csrf', 'POST /orders']).flat())
  })

  function since(mark: number): CsrfServerEvent[] {
    return env.server.events.slice(mark)
  }
})
