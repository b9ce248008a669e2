// Test wiring shared by the session tests: one fake clock, one emulated mini-program runtime
// (real HTTP), one real server; every client created here is disposed and the server closed.
import { createClient } from '../../src/client.js'
import type { Client } from '../../src/client.js'
import type { SessionOptions } from '../../src/options.js'
import { createClock, createRuntime } from '../../src/testing/index.js'
import type { Clock, Profile, Runtime } from '../../src/testing/index.js'
import { startExpressServer } from '../servers/express.js'
import type { ExpressServerOptions } from '../servers/express.js'
import { startPhpServer } from '../servers/php.js'
import type { TestServer } from '../servers/types.js'
import { startWeChatApi } from '../servers/wechat-api.js'

export interface Env {
  clock: Clock
  server: TestServer
  /** The current launch (changes on restart()). */
  rt: Runtime
  /** The storage key a client of this server uses by default (derived from its baseURL). */
  key: string
  client(options?: SessionOptions): Client
  /**
   * Moves the fake clock, in steps of at most 250 ms so that an out-of-process server (PHP) that
   * reads the time from `setNow` follows closely.
   */
  advance(ms: number): Promise<void>
  /** Cold restart of the mini-program: same disk and clock, memory gone. */
  restart(): Runtime
  close(): Promise<void>
}

export async function withRuntime(
  startServer: (rt: () => Runtime, clock: Clock) => Promise<TestServer>,
  profile?: Partial<Profile>,
  maxConcurrent?: number,
): Promise<Env> {
  const clock = createClock()
  let rt = createRuntime({
    clock,
    ...(profile ? { profile } : {}),
    ...(maxConcurrent ? { maxConcurrent } : {}),
  })
  const server = await startServer(() => rt, clock)
  const clients: Client[] = []
  return {
    clock,
    server,
    get rt() {
      return rt
    },
    key: `miniprogram-session@${server.url}`,
    async advance(ms) {
      if (!server.setNow) return clock.advance(ms)
      for (let left = ms; left > 0; left -= 250) {
        server.setNow(clock.now() + Math.min(250, left))
        await clock.advance(Math.min(250, left))
      }
    },
    client(options = {}) {
      const c = createClient({ platform: rt.wx, clock: rt.clock, baseURL: server.url, ...options })
      clients.push(c)
      return c
    },
    restart() {
      for (const c of clients.splice(0)) c.dispose()
      rt = rt.restart()
      return rt
    },
    async close() {
      for (const c of clients.splice(0)) c.dispose()
      rt.destroy()
      await server.close()
    },
  }
}

export const expressEnv = (
  options: Partial<ExpressServerOptions> = {},
  profile?: Partial<Profile>,
  maxConcurrent?: number,
): Promise<Env> =>
  withRuntime(
    (rt, clock) =>
      startExpressServer({
        code2Session: (code) => rt().code2Session(code),
        now: () => clock.now(),
        ...options,
      }),
    profile,
    maxConcurrent,
  )

/** The body of a wx.request result as a record. */
export const body = (res: { data: unknown }): Record<string, unknown> => res.data as Record<string, unknown>

export const MIN = 60_000

/** PHP's own sessions behind `php -S`, checking login codes through a code2Session HTTP endpoint. */
export const phpEnv = (profile?: Partial<Profile>, idleTimeoutMs?: number): Promise<Env> =>
  withRuntime(async (rt, clock) => {
    const wechat = await startWeChatApi((code) => rt().code2Session(code))
    const php = await startPhpServer({
      code2SessionUrl: wechat.url,
      ...(idleTimeoutMs ? { idleTimeoutMs } : {}),
    }).catch(async (e: unknown) => {
      await wechat.close()
      throw e
    })
    php.setNow?.(clock.now())
    return {
      ...php,
      get events() {
        return php.events
      },
      close: async () => {
        await php.close()
        await wechat.close()
      },
    }
  }, profile)

/** Waits (bounded: 2 s of real time) until `check()` holds; real HTTP needs real event-loop turns. */
export async function until(check: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}
