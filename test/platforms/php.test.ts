// The platform scenario against PHP's own sessions (PHPSESSID cookie, `session_id` header): one
// php -S server for the file; each test a fresh runtime of one platform, its code2Session behind
// the WeChat API stand-in. Gated on php-cli (requires).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/client.js'
import { alipay, isSessionError } from '../../src/index.js'
import type { MyLike } from '../../src/index.js'
import {
  asFramework,
  asPlatform,
  createClock,
  createRuntime,
  platformProfiles,
} from '../../src/testing/index.js'
import type { PlatformName, Runtime } from '../../src/testing/index.js'
import { requires } from '../helpers/requires.js'
import { hasPhp, startPhpServer } from '../servers/php.js'
import type { TestServer } from '../servers/types.js'
import { startWeChatApi } from '../servers/wechat-api.js'
import { body } from './env.js'

describe.runIf(requires('php', hasPhp(), 'apt-get install php-cli'))(
  'the platforms against PHP sessions',
  () => {
    let rt: Runtime | undefined
    let api: Awaited<ReturnType<typeof startWeChatApi>>
    let server: TestServer
    beforeAll(async () => {
      api = await startWeChatApi((code) => rt!.code2Session(code))
      server = await startPhpServer({ code2SessionUrl: api.url })
    }, 30_000)
    afterAll(async () => {
      await server?.close()
      await api?.close()
    })

    const cases: Array<[PlatformName, 'taro' | undefined]> = [
      ['wx', undefined],
      ['qq', undefined],
      ['tt', undefined],
      ['swan', undefined],
      ['my', undefined],
      ['my', 'taro'],
    ]
    describe.each(cases)('%s %s', (name, framework) => {
      it.each(['cookie', 'header'] as const)(
        '%s mode: warm-up → login → requests → expiry → renew → logout',
        async (mode) => {
          rt = createRuntime({ clock: createClock(), profile: platformProfiles[name] })
          const native = asPlatform(rt, name)
          const platform = framework
            ? asFramework(native, framework)
            : name === 'my'
              ? alipay(native as MyLike)
              : native
          const c = createClient({
            platform,
            clock: rt.clock,
            baseURL: server.url,
            mode,
            header: { name: 'session_id' },
            warmup: '/session',
            login: { url: '/login' },
            logout: '/logout',
            refreshInterval: false,
          })
          const logins = server.count('login')
          try {
            const who = (await c.login()) as { openid: string; sessionId: string }
            expect(who.openid).toBe(rt.openid)
            const a = await c.request({ url: '/orders' })
            expect(a.statusCode).toBe(200)
            expect(body(a).sid).toBe(who.sessionId)
            expect(server.events.at(-1)?.via).toBe(mode)

            await server.expireAll()
            const renewed = await c.request({ url: '/orders' })
            expect(renewed.statusCode).toBe(200)
            expect(body(renewed).sid).not.toBe(who.sessionId)
            expect(server.count('login')).toBe(logins + 2)

            await c.logout()
            const error = await c.request({ url: '/orders' }).catch((e: unknown) => e)
            expect(isSessionError(error) && error.code).toBe('SESSION_EXPIRED')
          } finally {
            c.dispose()
            rt.destroy()
          }
        },
      )
    })
  },
)
