// Public suffixes and storage keys (issue 12 points 6 and 7). The jar is pure, so public-suffix
// rules are checked on it with real-looking host names (the testing network has only loopback);
// createClient hands its `isPublicSuffix` to the jar it uses (checked on the wire). Two clients
// that name no storage key, for two real backends, each get their own session back after a restart.
import { afterEach, describe, expect, it } from 'vitest'
import { isPublicSuffix } from '../../examples/psl.js'
import { createClient } from '../../src/client.js'
import type { Client } from '../../src/client.js'
import { CookieJar } from '../../src/cookie/index.js'
import type { SessionOptions } from '../../src/options.js'
import { createClock, createRuntime } from '../../src/testing/index.js'
import type { Runtime } from '../../src/testing/index.js'
import { body, expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'
import { startExpressServer } from '../servers/express.js'
import type { TestServer } from '../servers/types.js'

// What a maintained list (e.g. the `psl` package) answers for these names.
const SUFFIXES = new Set([
  'com',
  'io',
  'github.io',
  'appspot.com',
  'vercel.app',
  'uk',
  'me.uk',
  'jp',
  'ne.jp',
])
const fromList = (domain: string): boolean => SUFFIXES.has(domain)

describe.each([
  ['a list of these suffixes', fromList],
  ["the README's tldts sample (examples/psl.ts)", isPublicSuffix],
])('isPublicSuffix from %s: a Domain that is a public suffix is refused (the jar)', (_from, check) => {
  it.each([
    ['https://evil.github.io/', 'github.io', 'https://victim.github.io/'],
    ['https://evil.appspot.com/', 'appspot.com', 'https://victim.appspot.com/'],
    ['https://evil.vercel.app/', 'vercel.app', 'https://victim.vercel.app/'],
    ['https://evil.me.uk/', 'me.uk', 'https://victim.me.uk/'],
    ['https://evil.ne.jp/', 'ne.jp', 'https://victim.ne.jp/'],
  ])('from %s, Domain=%s is not sent to %s', (from, domain, victim) => {
    const rejected: string[] = []
    const jar = new CookieJar({ isPublicSuffix: check, onReject: (_line, why) => rejected.push(why) })
    expect(jar.setCookie(`sid=EVIL; Domain=${domain}; Path=/`, from)).toBe(0)
    expect(rejected).toEqual(['public suffix'])
    expect(jar.getCookieHeader(victim)).toBe('')
    // the suffix's own host may still set a host-only cookie (6265bis §5.7 step 8)
    jar.setCookie(`own=1; Domain=${domain}`, `https://${domain}/`)
    expect(jar.getCookieHeader(`https://${domain}/`)).toBe('own=1')
    expect(jar.getCookieHeader(victim)).toBe('')
    // and a registrable domain still works
    const site = new URL(from).hostname
    jar.setCookie(`ok=1; Domain=${site}`, from)
    expect(jar.getCookieHeader(`https://a.${site}/`)).toBe('ok=1')
  })

  it('a trailing-dot host is a host of its own: example.com. and example.com share no cookies', () => {
    const jar = new CookieJar({ isPublicSuffix: fromList })
    jar.setCookie('dot=1; Path=/', 'https://example.com./')
    jar.setCookie('plain=1; Path=/', 'https://example.com/')
    expect(jar.getCookieHeader('https://example.com./x')).toBe('dot=1')
    expect(jar.getCookieHeader('https://example.com/x')).toBe('plain=1')
    expect(jar.getCookieHeader('https://EXAMPLE.COM.:443/x')).toBe('dot=1')
  })
})

describe('createClient({ isPublicSuffix }) on the wire (express)', () => {
  let env: Env | undefined
  afterEach(async () => {
    await env?.close()
    env = undefined
  })

  it("is accepted and is the client's jar's: asked about a Domain cookie; what it calls a suffix stays host-only", async () => {
    env = await expressEnv()
    const asked: string[] = []
    const isPublicSuffix = (domain: string): boolean => {
      asked.push(domain)
      return domain === '127.0.0.1'
    }
    const c = env.client({ isPublicSuffix })
    await c.request({ url: '/cookies/extra' }) // sets dom=1; Domain=127.0.0.1
    expect(asked).toContain('127.0.0.1')
    const seen = body(await c.request({ url: '/api/echo-cookie' }))
    expect(String(seen.cookie)).toContain('dom=1')
    expect(() => env?.client({ isPublicSuffix: 'github.io' as never })).toThrow(/isPublicSuffix/)
  })
})

describe('two clients without storage keys, for two backends', () => {
  let rt: Runtime
  const servers: TestServer[] = []
  const clients: Client[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose()
    rt.destroy()
    for (const s of servers.splice(0)) await s.close()
  })

  it.each(['cookie', 'header', 'url'] as const)(
    '%s mode: after a restart each gets its own id and its own user',
    async (mode) => {
      const clock = createClock()
      rt = createRuntime({ clock })
      for (let i = 0; i < 2; i++)
        servers.push(
          await startExpressServer({ code2Session: (code) => rt.code2Session(code), now: () => clock.now() }),
        )
      const open = (server: TestServer): Client => {
        const options: SessionOptions = { mode, warmup: '/session', login: { url: '/login' } }
        const c = createClient({ platform: rt.wx, clock: rt.clock, baseURL: server.url, ...options })
        clients.push(c)
        return c
      }
      const first = servers.map(open)
      for (const c of first) await c.login()
      const ids = first.map((c) => c.getSession().id)
      const sids = await Promise.all(first.map(async (c) => body(await c.request({ url: '/me' })).sid))
      expect(new Set(ids).size).toBe(2)
      expect(new Set(sids).size).toBe(2)

      for (const c of clients.splice(0)) c.dispose()
      rt = rt.restart()
      const again = servers.map(open)
      expect(again.map((c) => c.getSession().id)).toEqual(ids)
      const after = await Promise.all(again.map(async (c) => body(await c.request({ url: '/me' })).sid))
      expect(after).toEqual(sids)
      expect(servers.map((s) => s.count('login'))).toEqual([1, 1])
    },
  )
})
