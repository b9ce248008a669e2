// Session ids are validated (issue 12 point 4): visible ASCII, at most 4096 characters. An id with
// CR/LF or NUL (header injection), non-ASCII, 10 KB, or an object from a login body is refused,
// reported through onError, never sent and never persisted; a poisoned id planted in storage
// before launch is refused on load, and the app recovers by warm-up and login.
import { afterEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/client.js'
import type { SessionError } from '../../src/errors.js'
import type { SessionOptions } from '../../src/options.js'
import { createClock, createRuntime } from '../../src/testing/index.js'
import type { Runtime } from '../../src/testing/index.js'
import { backendRows } from '../session/backends.js'
import { body } from '../session/env.js'
import type { Env } from '../session/env.js'
import { startLoginBodyBackend } from './servers.js'

const BAD_IDS: Array<[string, unknown]> = [
  ['CR/LF (header injection)', 'abc\r\nX-Injected: 1'],
  ['LF', 'abc\nX-Injected: 1'],
  ['NUL', 'abc\u0000def'],
  ['non-Latin-1 unicode', '会话123'],
  ['Latin-1 but not ASCII', 'caf\u00e9'],
  ['a space', 'abc def'],
  ['10 KB', 'x'.repeat(10 * 1024)],
  ['an object', { id: 'obj' }],
  ['a number', 12345],
]

describe.each(['header', 'url'] as const)('ids from a login body (%s mode)', (mode) => {
  let rt: Runtime | undefined
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    rt?.destroy()
    await close?.()
    rt = close = undefined
  })

  it.each(BAD_IDS)('%s: refused, reported, never sent, never persisted', async (_what, bad) => {
    const backend = await startLoginBodyBackend({ sessionId: bad })
    close = backend.close
    rt = createRuntime({ clock: createClock() })
    const errors: SessionError[] = []
    const options: SessionOptions = {
      platform: rt.wx,
      clock: rt.clock,
      baseURL: backend.url,
      mode,
      login: { url: '/login' },
      sessionFromBody: (data) => (data as { sessionId?: unknown }).sessionId,
      onError: (e) => errors.push(e),
    }
    const c = createClient(options)
    await c.login().catch(() => {})
    expect(errors.map((e) => e.code)).toContain('INVALID_OPTION')
    expect(errors.find((e) => e.code === 'INVALID_OPTION')?.message).toMatch(/refused a session id/)
    expect(c.getSession().id).toBeUndefined()

    await c.request({ url: '/orders', needLogin: false })
    const text = typeof bad === 'string' ? bad : String(bad)
    for (const r of backend.received) {
      const sent = JSON.stringify(r)
      expect(sent).not.toContain(text.slice(0, 40))
      expect(sent).not.toContain(encodeURIComponent(text).slice(0, 40))
      expect(sent).not.toContain('[object Object]')
      expect(r.headers['x-session-id']).toBeUndefined()
    }
    c.dispose()
    expect(JSON.stringify(rt.wx.getStorageSync(`miniprogram-session@${backend.url}`))).not.toContain(
      JSON.stringify(text).slice(1, 40),
    )
  })
})

describe.each(backendRows)('a poisoned id planted in storage before launch (%s)', (_label, backend) => {
  let env: Env | undefined
  afterEach(async () => {
    await env?.close()
    env = undefined
  })

  it.each(BAD_IDS)(
    '%s: refused on load, not sent; warm-up and login bring a new session',
    async (_what, bad) => {
      env = await backend.start(60_000)
      // What a header/url-mode client stores, and the cookie a cookie-mode client stores.
      env.rt.wx.setStorageSync(env.key, {
        v: 1,
        cookies: [],
        session: { id: bad, boundId: bad, wantsLogin: true },
      })
      const errors: SessionError[] = []
      const c = env.client({
        ...backend.options,
        warmup: '/session',
        login: { url: '/login' },
        refreshInterval: false,
        onError: (e) => errors.push(e),
      })
      if (backend.mode !== 'cookie') expect(errors.map((e) => e.code)).toContain('STORAGE')
      expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
      const me = await c.request({ url: '/me' })
      expect(me.statusCode).toBe(200)
      expect(body(me).openid).toBeTruthy()
      expect(env.server.count('warmup') + env.server.count('login')).toBeGreaterThanOrEqual(1)
      const id = c.getSession().id as string
      expect(id).toMatch(/^[\x21-\x7e]+$/)
      expect(id).not.toBe(bad)
      c.dispose()
      expect(JSON.stringify(env.rt.wx.getStorageSync(env.key))).not.toContain(
        JSON.stringify(typeof bad === 'string' ? bad : String(bad)).slice(1, 40),
      )
    },
  )
})

describe.each(backendRows.filter(([, b]) => b.mode === 'cookie'))(
  'a poisoned session cookie planted in storage before launch (%s)',
  (_label, backend) => {
    let env: Env | undefined
    afterEach(async () => {
      await env?.close()
      env = undefined
    })

    it.each(BAD_IDS.filter(([, bad]) => typeof bad === 'string'))(
      '%s: not the session; what no header carries is dropped; warm-up and login bring a new session',
      async (_what, bad) => {
        env = await backend.start(60_000)
        const cookie = {
          ...{ domain: '127.0.0.1', path: '/', hostOnly: true, secure: false, httpOnly: true },
          ...{ creation: Date.now(), expires: Date.now() + 3_600_000 },
        }
        env.rt.wx.setStorageSync(env.key, {
          v: 1,
          cookies: ['connect.sid', 'PHPSESSID'].map((name) => ({ name, value: bad, ...cookie })),
          session: { boundId: bad, wantsLogin: true },
        })
        const errors: SessionError[] = []
        const c = env.client({
          ...backend.options,
          warmup: '/session',
          login: { url: '/login' },
          onError: (e) => errors.push(e),
        })
        expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
        // what no header can carry is dropped and reported; café and 'abc def' can be sent, but are no id
        const carriable = /^[\x20-\xff]*$/.test(bad as string) && (bad as string).length < 4000
        expect(errors.map((e) => e.code)).toEqual(carriable ? [] : ['STORAGE'])
        const me = await c.request({ url: '/me' })
        expect(me.statusCode).toBe(200)
        expect(c.getSession().id).not.toBe(bad)
      },
    )
  },
)
