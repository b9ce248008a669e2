// One emulated platform (or framework over it), a real express-session server and session clients
// built the way an app on that platform would build them. Everything is closed in close().
import { createClient } from '../../src/client.js'
import type { Client } from '../../src/client.js'
import type { SessionOptions } from '../../src/options.js'
import { alipay } from '../../src/index.js'
import type { MyLike } from '../../src/index.js'
import {
  asFramework,
  asPlatform,
  createClock,
  createRuntime,
  platformProfiles,
} from '../../src/testing/index.js'
import type { Clock, PlatformApiOptions, PlatformName, Runtime } from '../../src/testing/index.js'
import { startExpressServer } from '../servers/express.js'
import type { TestServer } from '../servers/types.js'

export interface PlatformEnv {
  clock: Clock
  server: TestServer
  rt: Runtime
  /** The platform object (or the framework's) the app sees. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api: Record<string, any>
  client(options?: SessionOptions): Client
  close(): Promise<void>
}

export interface EnvOptions extends PlatformApiOptions {
  framework?: 'taro' | 'uni'
}

const GLOBALS = ['wx', 'qq', 'tt', 'swan', 'my'] as const

export async function platformEnv(name: PlatformName, options: EnvOptions = {}): Promise<PlatformEnv> {
  const clock = createClock()
  const rt = createRuntime({ clock, profile: platformProfiles[name] })
  const server = await startExpressServer({
    code2Session: (code) => rt.code2Session(code),
    now: () => clock.now(),
  })
  const native = asPlatform(rt, name, options)
  const api = options.framework ? asFramework(native, options.framework) : native
  // The runtime's global, as on a phone: the wx-family clients below find it themselves.
  const g = globalThis as Record<string, unknown>
  for (const n of GLOBALS) delete g[n]
  g[name] = native
  const clients: Client[] = []
  return {
    clock,
    server,
    rt,
    api,
    client(extra = {}) {
      // What the README recipes say: frameworks pass their API object, Alipay its adapter, the
      // others nothing at all (auto-detected from the global).
      const platform = options.framework
        ? { platform: api }
        : name === 'my'
          ? { platform: alipay(native as MyLike) }
          : {}
      const c = createClient({ clock: rt.clock, baseURL: server.url, ...platform, ...extra })
      clients.push(c)
      return c
    },
    async close() {
      for (const c of clients.splice(0)) c.dispose()
      for (const n of GLOBALS) delete g[n]
      rt.destroy()
      await server.close()
    },
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const body = (res: { data: unknown }): Record<string, any> => res.data as Record<string, any>
