// Hooks (issue 15) on the testing runtime against real express: order and mutation, a re-run on
// each attempt (the renew-retry sends the new id in a header the hook derives from the session),
// throwing hooks, upload/download through hooks, and the SDK's own calls only when asked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { HookContext, Hooks } from '../../src/client.js'
import { SessionError } from '../../src/errors.js'
import { startExpressServer } from '../servers/express.js'
import { body, expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'

const caught = (p: Promise<unknown>): Promise<SessionError> =>
  p.then(
    (r) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(r)}`)
    },
    (e: SessionError) => e,
  )

interface Echo {
  method: string
  url: string
  header: Record<string, string>
  body: unknown
  sid: string
  openid?: string
}
const echo = (res: { data: unknown }): Echo => res.data as Echo

describe('hooks on request', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('client hooks, then the call hooks, at each stage: header added, URL rewritten, answer replaced', async () => {
    const order: string[] = []
    const c = env.client({
      hooks: {
        beforeRequest(options, context) {
          order.push(`client before ${context.api} ${context.method} #${context.attempt}`)
          options.header['X-App'] = 'demo'
        },
        afterResponse(result) {
          order.push(`client after ${result.statusCode}`)
          // A download's result has no data: the union narrows on it.
          return 'data' in result ? { ...result, data: { wrapped: result.data } } : undefined
        },
      },
    })
    const caller = { url: '/nowhere', header: { 'X-Own': '1' }, data: { q: 'a' } }
    const res = await c.request({
      ...caller,
      method: 'POST',
      hooks: {
        // Async: a token read from storage, say.
        async beforeRequest(options) {
          order.push('call before')
          await new Promise((resolve) => setImmediate(resolve))
          return { ...options, url: options.url.replace('/nowhere', '/echo?x=1'), data: { q: 'b' } }
        },
        afterResponse(result) {
          order.push('call after')
          const { wrapped } = (result as unknown as { data: { wrapped: Echo } }).data
          return { statusCode: result.statusCode, seen: wrapped }
        },
      },
    })
    expect(order).toEqual(['client before request POST #0', 'call before', 'client after 200', 'call after'])
    const { seen } = res as unknown as { seen: Echo }
    expect(seen.method).toBe('POST')
    expect(seen.url).toBe('/echo?x=1')
    expect(seen.header['x-app']).toBe('demo')
    expect(seen.header['x-own']).toBe('1')
    expect(seen.body).toEqual({ q: 'b' })
    // The caller's own options are never touched: every attempt starts from a copy.
    expect(caller).toEqual({ url: '/nowhere', header: { 'X-Own': '1' }, data: { q: 'a' } })
    expect(env.server.events.map((e) => e.path)).toEqual(['/echo'])
  })

  it('a hook that moves the call to a third party: no session goes there', async () => {
    const c = env.client({ mode: 'header', warmup: '/session' })
    await c.request({ url: '/session' })
    const id = c.getSession().id as string
    expect(id).toBeTruthy()
    // Another port is another origin: not the backend.
    const third = await startExpressServer({ code2Session: (code) => env.rt.code2Session(code) })
    try {
      const res = await c.request({
        url: '/echo',
        hooks: { beforeRequest: (options) => ({ ...options, url: `${third.url}/echo` }) },
      })
      expect(echo(res).header['x-session-id']).toBeUndefined()
      expect(third.events.map((e) => e.path)).toEqual(['/echo'])
    } finally {
      await third.close()
    }
    const own = await c.request({ url: '/echo' })
    expect(echo(own).header['x-session-id']).toBe(id)
  })

  it('each attempt runs the hooks again on fresh options: the renew-retry carries the new id', async () => {
    const seen: Array<[number, string | undefined]> = []
    let afterCalls = 0
    const contexts = new Set<HookContext>()
    const expiredSaw: number[] = []
    const c = env.client({
      mode: 'header',
      login: { url: '/login' },
      isExpired: (res) => (expiredSaw.push(res.statusCode), res.statusCode === 401),
      hooks: {
        beforeRequest(options, context) {
          const id = c.getSession().id
          seen.push([context.attempt, id])
          contexts.add(context)
          // Added to, never replaced: a header left from the last attempt would show twice.
          options.header['X-Derived'] = `${options.header['X-Derived'] || ''}${id}`
        },
        afterResponse(_result, context) {
          afterCalls++
          contexts.add(context)
        },
      },
    })
    await c.login()
    const before = c.getSession().id as string
    await env.server.expireAll()
    const res = await c.request({ url: '/echo?auth=1' })
    const after = c.getSession().id as string
    expect(after).not.toBe(before)
    expect(res.statusCode).toBe(200)
    expect(echo(res).header['x-derived']).toBe(after)
    expect(echo(res).header['x-session-id']).toBe(after)
    expect(echo(res).sid).toBe(after)
    expect(seen).toEqual([
      [0, before],
      [1, after],
    ])
    // isExpired judged the server's 401; afterResponse saw only the answer that stands, once.
    expect(expiredSaw.slice(-2)).toEqual([401, 200])
    expect(afterCalls).toBe(1)
    // One context object for the whole call (a loading toast can key on it).
    expect(contexts.size).toBe(1)
    expect(env.server.events.filter((e) => e.path === '/echo').map((e) => e.status)).toEqual([401, 200])
  })

  it('a throwing beforeRequest rejects HOOK_FAILED with the cause, and nothing is sent', async () => {
    const errors: SessionError[] = []
    const boom = new Error('no token')
    const c = env.client({ hooks: { onError: (e) => void errors.push(e) } })
    const error = await caught(
      c.request({
        url: '/echo',
        hooks: {
          beforeRequest: () => {
            throw boom
          },
        },
      }),
    )
    expect(error).toBeInstanceOf(SessionError)
    expect(error.code).toBe('HOOK_FAILED')
    expect(error.cause).toBe(boom)
    expect(error.message).toContain('no token')
    expect(errors).toEqual([error])
    expect(env.server.events).toEqual([])
  })

  it('a beforeRequest that returns no options (or drops the url) is HOOK_FAILED, nothing sent', async () => {
    const c = env.client()
    for (const returned of ['/echo', { header: {} }, null]) {
      const error = await caught(
        c.request({ url: '/echo', hooks: { beforeRequest: () => returned as never } }),
      )
      expect(error.code).toBe('HOOK_FAILED')
      expect((error.cause as Error).message).toContain('`url` string')
    }
    expect(env.server.events).toEqual([])
  })

  it('a throwing afterResponse rejects HOOK_FAILED after one send; an async rejection too', async () => {
    const c = env.client()
    const sync = await caught(
      c.request({
        url: '/echo',
        hooks: {
          afterResponse: () => {
            throw new TypeError('bad shape')
          },
        },
      }),
    )
    expect(sync).toMatchObject({ code: 'HOOK_FAILED', url: `${env.server.url}/echo` })
    expect(sync.cause).toBeInstanceOf(TypeError)
    const rejected = await caught(
      c.request({ url: '/echo', hooks: { afterResponse: () => Promise.reject(new Error('later')) } }),
    )
    expect((rejected.cause as Error).message).toBe('later')
    expect(env.server.events.length).toBe(2)
  })

  it('onError sees the error once; rethrowing it keeps it, throwing another is HOOK_FAILED', async () => {
    const c = env.client()
    const seen: string[] = []
    const rethrown = await caught(
      c.request({
        url: '/echo?auth=1',
        rejectOnHttpError: true,
        hooks: {
          onError(error) {
            seen.push(error.code)
            throw error
          },
        },
      }),
    )
    expect(rethrown).toMatchObject({ code: 'HTTP', statusCode: 401 })
    expect(seen).toEqual(['HTTP'])
    const replaced = await caught(
      c.request({
        url: '/echo?auth=1',
        rejectOnHttpError: true,
        hooks: {
          onError() {
            throw new Error('logger down')
          },
        },
      }),
    )
    expect(replaced.code).toBe('HOOK_FAILED')
    expect((replaced.cause as Error).message).toBe('logger down')
  })

  it('bad hooks are INVALID_OPTION, named, before anything is sent', async () => {
    const c = env.client()
    const bad = [
      { hooks: { before: () => {} } },
      { hooks: { beforeRequest: 'x' } },
      { retry: { limit: 99 } },
      { signal: { aborted: 'no' } },
    ]
    for (const more of bad) {
      const error = await caught(c.request({ url: '/echo', ...(more as object) }))
      expect(error.code).toBe('INVALID_OPTION')
      expect(error.message).toMatch(/hooks|retry|signal/)
    }
    expect(() => env.client({ hooks: { beforeSend: () => {} } as unknown as Hooks })).toThrow(
      /unknown option `hooks.beforeSend`/,
    )
    expect(env.server.events).toEqual([])
  })
})

describe('hooks on the SDK’s own calls: only with sdkCalls', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  const paths = (contexts: Array<[string, HookContext]>): string[] =>
    contexts.map(([url, context]) => `${context.sdk ? 'sdk' : 'app'} ${context.method} ${url}`)

  it('without sdkCalls the warm-up, login and logout skip the hooks', async () => {
    const contexts: Array<[string, HookContext]> = []
    const c = env.client({
      warmup: '/session',
      login: { url: '/login' },
      logout: '/logout',
      hooks: {
        beforeRequest: (options, context) => void contexts.push([new URL(options.url).pathname, context]),
      },
    })
    await c.request({ url: '/me' })
    await c.logout()
    expect(paths(contexts)).toEqual(['app GET /me'])
    expect(env.server.events.map((e) => e.path)).toEqual(['/session', '/login', '/me', '/logout'])
  })

  it('with sdkCalls they go through the hooks: a header reaches the server on each', async () => {
    const contexts: Array<[string, HookContext]> = []
    const answers: number[] = []
    const c = env.client({
      mode: 'header',
      warmup: '/session',
      login: { url: '/login' },
      logout: '/logout',
      hooks: {
        sdkCalls: true,
        beforeRequest(options, context) {
          contexts.push([new URL(options.url).pathname, context])
          options.header['X-Trace'] = `t${contexts.length}`
        },
        afterResponse: (result, context) => {
          answers.push((result as { statusCode: number }).statusCode)
          return context.sdk ? 'ignored for the SDK’s calls' : undefined
        },
      },
    })
    const me = await c.request({ url: '/echo?auth=1' })
    expect(echo(me).header['x-trace']).toBe('t3')
    expect(echo(me).openid).toBeTruthy()
    const id = c.getSession().id
    await c.logout()
    expect(paths(contexts)).toEqual([
      'sdk GET /session',
      'sdk POST /login',
      'app GET /echo',
      'sdk POST /logout',
    ])
    expect(answers).toEqual([200, 200, 200, 200])
    // The logout still went out with the old session (attached before the hooks ran).
    const logout = env.server.events.find((e) => e.path === '/logout')
    expect(logout).toMatchObject({ via: 'header', status: 200 })
    expect(id).toBeTruthy()
  })

  it('a throwing hook on the login: LOGIN_FAILED whose cause is the HOOK_FAILED', async () => {
    const c = env.client({
      login: { url: '/login' },
      hooks: {
        sdkCalls: true,
        beforeRequest(options) {
          if (options.url.endsWith('/login')) throw new Error('signing key missing')
        },
      },
    })
    const error = await caught(c.login())
    expect(error.code).toBe('LOGIN_FAILED')
    expect((error.cause as SessionError).code).toBe('HOOK_FAILED')
    expect(env.server.count('login')).toBe(0)
  })
})

describe('uploadFile and downloadFile through hooks', () => {
  let env: Env
  let dir: string
  let file: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-hooks-'))
    file = join(dir, 'photo.jpg')
    writeFileSync(file, Buffer.alloc(1024, 7))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('a formData field added, a download URL rewritten, both results seen and the renew re-runs them', async () => {
    const apis: string[] = []
    const c = env.client({
      warmup: '/session',
      login: { url: '/login' },
      hooks: {
        beforeRequest(options, context) {
          apis.push(`${context.api} ${context.method} #${context.attempt}`)
          if (context.api === 'uploadFile' && 'formData' in options)
            options.formData = { ...options.formData, tag: 'hooked' }
          if (context.api === 'downloadFile') options.url = options.url.replace('/old-download', '/download')
        },
        afterResponse: (result) => ({ ...result, hooked: true }),
      },
    })
    const who = (await c.login()) as { sessionId: string }
    const up = await c.uploadFile({ url: '/upload', filePath: file, name: 'photo', formData: { album: 'a' } })
    expect(up.data).toBe(`fields=album,tag files=photo:1024 sid=${who.sessionId}`)
    expect((up as unknown as { hooked: boolean }).hooked).toBe(true)
    await env.server.expireAll()
    const down = await c.downloadFile({ url: '/old-download' })
    expect(down.statusCode).toBe(200)
    const now = body(await c.request({ url: '/session' })).sessionId as string
    expect(now).not.toBe(who.sessionId)
    expect(readFileSync(down.tempFilePath, 'utf8')).toBe(`hello ${now}\n`)
    expect(apis).toEqual([
      'uploadFile POST #0',
      'downloadFile GET #0',
      'downloadFile GET #1',
      'request GET #0',
    ])
    expect(env.server.events.filter((e) => e.path === '/download').map((e) => e.status)).toEqual([401, 200])
  })
})
