// Each platform's own shapes and quirks (PLATFORM.md section 6, items 35–38), on the raw emulated
// API and through the SDK, against the real express server (and a node:http one for bad JSON).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/client.js'
import { isSessionError } from '../../src/errors.js'
import { alipay } from '../../src/platform/alipay.js'
import type { MyLike } from '../../src/platform/alipay.js'
import type { Platform } from '../../src/platform/types.js'
import { ALIPAY_KEY_LIMIT, asPlatform } from '../../src/testing/index.js'
import type { Runtime } from '../../src/testing/index.js'
import { startServer } from '../runtime/helpers.js'
import { body, platformEnv } from './env.js'
import type { PlatformEnv } from './env.js'

type Loose = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Calls a callback-style platform API and resolves with which callback ran and its result. */
const callRaw = (fn: (o: Loose) => unknown, o: Loose): Promise<{ ok: boolean; r: Loose }> =>
  new Promise(
    (resolve) =>
      void fn({
        ...o,
        success: (r: Loose) => resolve({ ok: true, r }),
        fail: (r: Loose) => resolve({ ok: false, r }),
      }),
  )

let env: PlatformEnv
afterEach(() => env.close())

describe('qq (item 37)', () => {
  it("joins Set-Cookie with ';' and has no res.cookies; the SDK still gets every cookie", async () => {
    env = await platformEnv('qq')
    const { ok, r } = await callRaw(env.api.request, { url: `${env.server.url}/cookies/extra` })
    expect(ok).toBe(true)
    expect(r.cookies).toBeUndefined()
    expect(r.header['Set-Cookie']).toMatch(/Path=\/;api_token=t0k3n; Path=\/api;dom=1/)

    const c = env.client()
    await c.request({ url: '/cookies/extra' })
    const sent = String(body(await c.request({ url: '/api/echo-cookie' })).cookie)
    expect(sent).toContain('theme=dark')
    expect(sent).toContain('api_token=t0k3n')
    expect(sent).toContain('prefs=compact')
  })
})

describe('tt (item 36)', () => {
  it('lower-cases and joins set-cookie', async () => {
    env = await platformEnv('tt')
    const { r } = await callRaw(env.api.request, { url: `${env.server.url}/cookies/extra` })
    expect(Object.keys(r.header)).toContain('set-cookie')
    expect(Object.keys(r.header)).not.toContain('Set-Cookie')
    expect(r.header['set-cookie']).toMatch(/Path=\/,api_token=t0k3n/)
    expect(r.cookies).toBeUndefined()
  })

  it('with the native jar on, no cookie goes out twice and the SDK header wins on conflict', async () => {
    env = await platformEnv('tt', { nativeCookies: true })
    const c = env.client({ warmup: '/session' })
    await c.request({ url: '/cookies/extra' })
    const sent = String(
      body(await c.request({ url: '/api/echo-cookie', header: { cookie: 'theme=light' } })).cookie,
    )
    const names = sent.split('; ').map((p) => p.split('=')[0])
    expect(names.filter((n) => n === 'connect.sid')).toHaveLength(1)
    expect(names.filter((n) => n === 'theme')).toHaveLength(1)
    expect(sent).toContain('theme=light')
    // The native jar alone (no header from us) does send cookies: both jars really are in play.
    const { r } = await callRaw(env.api.request, { url: `${env.server.url}/api/echo-cookie` })
    expect(r.data.cookie).toContain('connect.sid=')
  })

  it("after 5 s in the background calls fail with 'app in background', a NETWORK error to the SDK", async () => {
    env = await platformEnv('tt')
    const c = env.client()
    env.rt.hide()
    await env.clock.advance(6_000)
    // Callbacks wait for the return to the foreground (operating-mechanism doc).
    const raw = callRaw(env.api.request, { url: `${env.server.url}/session` })
    const pending = c.request({ url: '/session' }).catch((e: unknown) => e)
    env.rt.show()
    const { ok, r } = await raw
    expect(ok).toBe(false)
    expect(r.errMsg).toBe('request:fail app in background')
    const error = await pending
    expect(isSessionError(error) && error.code).toBe('NETWORK')
  })
})

describe('swan (item 38)', () => {
  it("accepts only dataType json/string; the SDK maps wx's non-json dataType to 'string'", async () => {
    env = await platformEnv('swan')
    const raw = await callRaw(env.api.request, { url: `${env.server.url}/session`, dataType: 'text' })
    expect(raw.ok).toBe(false)
    const c = env.client() // auto-detected from the global swan
    const res = await c.request({ url: '/session', dataType: '其他' }) // wx's typings spell "anything but json" so
    expect(res.statusCode).toBe(200)
    expect(typeof res.data).toBe('string')
    expect(JSON.parse(res.data as string)).toHaveProperty('sessionId')
  })
})

describe('my (item 35): the emulated Alipay runtime', () => {
  it('answers status/headers, lower-case, no Set-Cookie; non-2xx in fail with error 19', async () => {
    env = await platformEnv('my')
    const ok = await callRaw(env.api.request, { url: `${env.server.url}/session` })
    expect(ok.ok).toBe(true)
    expect(ok.r).toMatchObject({ status: 200, data: { sessionId: expect.any(String) } })
    expect(ok.r.statusCode).toBeUndefined()
    expect(Object.keys(ok.r.headers).every((k) => k === k.toLowerCase())).toBe(true)
    expect(ok.r.headers['set-cookie']).toBeUndefined()
    const denied = await callRaw(env.api.request, { url: `${env.server.url}/orders` })
    expect(denied.ok).toBe(false)
    expect(denied.r).toMatchObject({ error: 19, status: 401, data: { code: 401 } })
  })

  it('replays cookies natively; a Cookie header from JS counts only with enableCookie', async () => {
    env = await platformEnv('my')
    const url = env.server.url
    await callRaw(env.api.request, { url: `${url}/session` })
    const plain = await callRaw(env.api.request, {
      url: `${url}/api/echo-cookie`,
      headers: { cookie: 'mine=1' },
    })
    expect(plain.r.data.cookie).toMatch(/^connect\.sid=/)
    expect(plain.r.data.cookie).not.toContain('mine=1')
    const enabled = await callRaw(env.api.request, {
      url: `${url}/api/echo-cookie`,
      headers: { cookie: 'mine=1' },
      enableCookie: true,
    })
    expect(enabled.r.data.cookie).toContain('mine=1')
    expect(enabled.r.data.cookie).toContain('connect.sid=')
  })

  it('storage takes {key, data}, answers {data}, and refuses more than 200 KB per key', async () => {
    env = await platformEnv('my')
    expect(env.api.setStorageSync({ key: 'k', data: { a: 1 } })).toEqual({ success: true })
    expect(env.api.getStorageSync({ key: 'k' })).toEqual({ data: { a: 1 } })
    expect(env.api.setStorageSync({ key: 'k', data: 'x'.repeat(ALIPAY_KEY_LIMIT) }).error).toBe(12)
    expect(env.api.getStorageSync({ key: 'k' })).toEqual({ data: { a: 1 } })
    // The adapter turns the refusal into a throw (the SDK reports it) and keeps the old value.
    const { storage } = alipay(env.api as MyLike) as Platform
    expect(() => storage.set('k', 'x'.repeat(ALIPAY_KEY_LIMIT))).toThrow(/setStorageSync:fail 12/)
    expect(storage.get('k')).toEqual({ a: 1 })
    expect(storage.get('missing')).toBeUndefined()
  })

  it('getAuthCode gives an authCode the server can exchange', async () => {
    env = await platformEnv('my')
    const { ok, r } = await callRaw(env.api.getAuthCode, { scopes: 'auth_base' })
    expect(ok).toBe(true)
    expect(env.rt.code2Session(r.authCode)).toMatchObject({ openid: env.rt.openid })
  })
})

describe('my through the SDK', () => {
  it('cookie mode: the native jar carries the session, JS sees none, the app’s own cookie still goes (enableCookie)', async () => {
    env = await platformEnv('my')
    const c = env.client({ warmup: '/session', login: { url: '/login' } })
    await c.login()
    expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: true }) // nothing visible to JS
    const res = await c.request({ url: '/api/echo-cookie', header: { cookie: 'mine=1' } })
    expect(body(res).cookie).toContain('mine=1')
    expect(body(res).cookie).toContain('connect.sid=')
    expect(env.server.events.at(-1)?.via).toBe('cookie')
    // wx-shaped result for the caller, Alipay's fields kept.
    expect(res).toMatchObject({ statusCode: 200, status: 200 })
    expect(res.header).toBe((res as unknown as Loose).headers)
  })

  it('errors 13, 9 and 14 become TIMEOUT, ABORTED and NETWORK', async () => {
    env = await platformEnv('my')
    const c = env.client()
    env.server.fail('warmup', 1, 'hang')
    const hanging = c.request({ url: '/session' }).catch((e: unknown) => e)
    await new Promise((r) => setTimeout(r, 20))
    await env.clock.advance(30_000) // Alipay's default timeout
    const timeout = await hanging
    expect(isSessionError(timeout) && timeout.code).toBe('TIMEOUT')

    const aborted = c.request({ url: '/session' })
    await new Promise((r) => setImmediate(r))
    aborted.abort()
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' })

    const text = await startServer((_req, res) => res.end('not json'))
    try {
      const bad = await c.request({ url: `${text.url}/x` }).catch((e: unknown) => e)
      expect(isSessionError(bad) && bad.code).toBe('NETWORK')
      expect((bad as Error).message).toContain('14')
      const asText = await c.request({ url: `${text.url}/x`, dataType: '其他' })
      expect(asText.data).toBe('not json')
    } finally {
      await text.close()
    }
  })
})

describe('my through the SDK, across a cold restart and for files', () => {
  const options = { warmup: '/session', login: { url: '/login' }, refreshInterval: false } as const

  // The app again after a cold start: a new client on the restarted runtime, same backend.
  const clientAfterRestart = (rt: Runtime, mode: 'cookie' | 'header') =>
    createClient({
      platform: alipay(asPlatform(rt, 'my') as MyLike),
      clock: rt.clock,
      baseURL: env.server.url,
      ...options,
      mode,
    })

  it('header mode: the id persisted through {key, data} storage is used after a restart, no new login', async () => {
    env = await platformEnv('my')
    const first = env.client({ ...options, mode: 'header' })
    const who = (await first.login()) as { sessionId: string }
    first.dispose()
    const rt = env.rt.restart()
    try {
      const c = clientAfterRestart(rt, 'header')
      expect(c.getSession()).toMatchObject({ id: who.sessionId, loggedIn: true })
      const res = await c.request({ url: '/orders' })
      expect(body(res).sid).toBe(who.sessionId)
      expect(env.server.count('login')).toBe(1)
      c.dispose()
    } finally {
      rt.destroy()
    }
  })

  it('cookie mode: after a cold restart the SDK cannot see a session, so needLogin calls log in first', async () => {
    env = await platformEnv('my')
    const first = env.client(options)
    await first.login()
    first.dispose()
    const rt = env.rt.restart()
    try {
      // The native jar lives in the process [guess], and JS never saw its cookie: no session is
      // known after the restart (client.ts: logged in only into a session we still hold).
      const c = clientAfterRestart(rt, 'cookie')
      expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
      const res = await c.request({ url: '/orders', needLogin: true })
      expect(res.statusCode).toBe(200)
      expect(env.server.count('login')).toBe(2)
      expect(env.server.count('unauthorized')).toBe(0)
      c.dispose()
    } finally {
      rt.destroy()
    }
  })

  it('uploadFile goes out with the native cookie (`header`, singular) and the session holds', async () => {
    env = await platformEnv('my')
    const c = env.client(options)
    const who = (await c.login()) as { sessionId: string }
    const dir = mkdtempSync(join(tmpdir(), 'mp-platforms-'))
    try {
      writeFileSync(join(dir, 'a.txt'), 'hello')
      const res = await c.uploadFile({
        url: '/upload',
        filePath: join(dir, 'a.txt'),
        name: 'file',
        formData: { k: 'v' },
      })
      expect(res.statusCode).toBe(200)
      expect(res.data).toBe(`fields=k files=file:5 sid=${who.sessionId}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('detection', () => {
  it("finds wx/qq/tt/swan globals; Alipay's my asks for its adapter; nothing → INVALID_OPTION", async () => {
    env = await platformEnv('my')
    const g = globalThis as Loose
    expect(() => createClient()).toThrow(/alipay\(my\)/)
    expect(() => createClient({ platform: env.api })).toThrow(/alipay\(my\)/)
    delete g.my
    expect(() => alipay()).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }))
    expect(() => createClient()).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }))
    expect(() => createClient({ platform: 42 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }))
  })
})
