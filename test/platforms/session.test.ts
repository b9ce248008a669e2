// Issue 5's "done when": the same session scenario (warm-up → login → requests → server-side
// expiry → renew → logout), cookie mode and header mode, on every platform and framework recipe,
// against the real express-session server.
import { afterEach, describe, expect, it } from 'vitest'
import { isSessionError } from '../../src/errors.js'
import type { PlatformName } from '../../src/testing/index.js'
import { body, platformEnv } from './env.js'
import type { EnvOptions, PlatformEnv } from './env.js'

const MIN = 60_000

async function scenario(env: PlatformEnv, mode: 'cookie' | 'header'): Promise<void> {
  const { server } = env
  const c = env.client({
    mode,
    warmup: '/session',
    login: { url: '/login' },
    logout: '/logout',
    refreshInterval: false,
  })

  const who = (await c.login()) as { openid: string; sessionId: string }
  expect(who.openid).toBe(env.rt.openid)
  expect(server.count('warmup')).toBe(1)
  expect(server.count('login')).toBe(1)
  const [warm, login] = server.events.filter((e) => e.event === 'warmup' || e.event === 'login')
  expect(login?.via).toBe(mode) // the login went out with the warm-up's session…
  expect(login?.sid).toBe(warm?.sid)

  const a = await c.request({ url: '/orders' })
  const b = await c.request({ url: '/me' })
  expect(a.statusCode).toBe(200)
  expect(body(a).sid).toBe(who.sessionId) // …and the requests with the login's rotated one
  expect(body(b).sid).toBe(who.sessionId)
  expect(server.events.at(-1)?.via).toBe(mode)

  await server.expireAll()
  const renewed = await c.request({ url: '/orders' })
  expect(renewed.statusCode).toBe(200)
  expect(body(renewed).sid).not.toBe(who.sessionId)
  expect(server.count('unauthorized')).toBe(1)
  expect(server.count('login')).toBe(2)

  await env.clock.advance(31 * MIN) // idle expiry on the server's clock
  const afterIdle = await c.request({ url: '/me' })
  expect(body(afterIdle).sid).not.toBe(body(renewed).sid)
  expect(server.count('login')).toBe(3)

  await c.logout()
  expect(server.count('logout')).toBe(1)
  expect(c.getSession()).toMatchObject({ id: undefined, loggedIn: false })
  const error = await c.request({ url: '/orders' }).catch((e: unknown) => e)
  expect(isSessionError(error) && error.code).toBe('SESSION_EXPIRED')
  expect(server.count('login')).toBe(3)
}

const cases: Array<[string, PlatformName, EnvOptions]> = [
  ['wx', 'wx', {}],
  ['qq (Android, ;-joined Set-Cookie)', 'qq', {}],
  ['tt', 'tt', {}],
  ['tt with the native jar (enableStore)', 'tt', { nativeCookies: true }],
  ['swan', 'swan', {}],
  ['my (Alipay adapter)', 'my', {}],
  ['Taro on wx', 'wx', { framework: 'taro' }],
  ['Taro on Alipay', 'my', { framework: 'taro' }],
  ['uni-app on wx', 'wx', { framework: 'uni' }],
  ['uni-app on Alipay', 'my', { framework: 'uni' }],
]

describe.each(cases)('%s', (_label, name, options) => {
  let env: PlatformEnv
  afterEach(() => env.close())

  it.each(['cookie', 'header'] as const)(
    '%s mode: warm-up → login → requests → expiry → renew → logout',
    async (mode) => {
      env = await platformEnv(name, options)
      await scenario(env, mode)
    },
  )
})
