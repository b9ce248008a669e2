// The URL parser against what the network contacts (issue 12 point 2). The parser (src/cookie/url.ts)
// decides the origin check, the jar's host and path and the carriers; the network (the testing
// runtime, like the platform, reads URLs as WHATWG does) decides where a request goes. Where they
// disagree the session leaks. Differential: for every URL, parseUrl reads it as `new URL()` does
// or refuses it (null). End to end: URLs whose host moves never carry the session to 127.0.0.2.
import { afterEach, describe, expect, it } from 'vitest'
import { CookieJar, parseUrl } from '../../src/cookie/index.js'
import { originOf } from '../../src/cookie/url.js'
import type { SessionError } from '../../src/errors.js'
import { absolute } from '../../src/session/carrier.js'
import { backendRows } from '../session/backends.js'
import { body, expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'
import { carried, startThirdParty } from './servers.js'
import type { ThirdParty } from './servers.js'
import { seededRandom as random } from '../helpers/random.js'
import { pick, plainUrl, trickyUrl, whatwg } from './urls.js'

// URL_SEED picks the seed of the generated URLs; a failure names seed, step and URL.
const seed = Number(process.env.URL_SEED ?? 20261203)

describe('parseUrl reads URLs as WHATWG new URL() does, or refuses them', () => {
  it.each([
    // the last '@' of the authority ends the userinfo; ';' does not end the authority
    ['https://api.example.com;@evil.com/x', 'evil.com', '/x'],
    ['https://user:pw@api.example.com/x', 'api.example.com', '/x'],
    ['http://a@b@evil.com/', 'evil.com', '/'],
    ['http://api.example.com@evil.com:81/', 'evil.com', '/'],
    ['http://@evil.com/', 'evil.com', '/'],
    // '\' is '/' in http(s): it ends the authority and separates path segments
    ['https://evil.com\\@api.example.com/', 'evil.com', '/@api.example.com/'],
    ['https:\\\\evil.com\\x', 'evil.com', '/x'],
    ['http:/\\evil.com/x', 'evil.com', '/x'],
    ['http://h/a\\b\\..\\c', 'h', '/a/c'],
    // dot segments, also percent-encoded, as the network sends them
    ['https://h/api/../admin', 'h', '/admin'],
    ['https://h/api/%2e%2e/admin', 'h', '/admin'],
    ['https://h/api/%2E%2e/admin', 'h', '/admin'],
    ['https://h/api/.%2E/admin', 'h', '/admin'],
    ['https://h/api/./%2e/x', 'h', '/api/x'],
    ['https://h/a/..', 'h', '/'],
    ['https://h/a/.', 'h', '/a/'],
    ['https://h/../../x', 'h', '/x'],
    ['https://h/a;b/../c', 'h', '/c'],
    ['https://h/a/..;/c', 'h', '/a/..;/c'],
    ['https://h/%2e%2e%2e', 'h', '/%2e%2e%2e'],
    ['https://h/?a/../b', 'h', '/'],
    ['https://h/x#/../y', 'h', '/x'],
    // percent-encoding of the path as the network sends it
    ['https://h/a b/é/"{x}"', 'h', '/a%20b/%C3%A9/%22%7Bx%7D%22'],
    ['https://h/\ud83d\ude00', 'h', '/%F0%9F%98%80'],
    ['https://h/\ud800', 'h', '/%EF%BF%BD'],
    // case, default ports, path-less
    ['HTTPS://API.Example.COM:443/A', 'api.example.com', '/A'],
    ['http://h:80/', 'h', '/'],
    ['http://h:0080/', 'h', '/'],
    ['http://h:/', 'h', '/'],
    ['https://h?x=1', 'h', '/'],
    ['https://h#f', 'h', '/'],
    ['ws://h:8080', 'h', '/'],
    // trailing dot: a host of its own, as browsers keep it
    ['https://example.com./x', 'example.com.', '/x'],
    // IPv6 literals in WHATWG's form
    ['http://[::1]:8080/', '::1', '/'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1', '/'],
    ['http://[2001:DB8:0:0:1:0:0:1]/', '2001:db8::1:0:0:1', '/'],
    ['http://[1:0:0:2:0:0:0:3]/', '1:0:0:2::3', '/'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1', '/'],
    ['http://[1:2:3:4:5:6:7::]/', '1:2:3:4:5:6:7:0', '/'],
    ['http://[::]/', '::', '/'],
  ])('%s → host %s, path %s', (url, host, path) => {
    const parsed = parseUrl(url)
    expect(parsed).toMatchObject({ host, path })
    expect(parsed).toEqual(whatwg(url))
  })

  it.each([
    // what WHATWG refuses too
    'http://c@/',
    'http://:80/',
    'http://h:65536/',
    'http://h:80x/',
    'http://[1::2::3]/',
    'http://[1:2:3:4::5:6:7:8]/',
    'http://[::01.2.3.4]/',
    'http://[::1%25eth0]/',
    'http://[::a1.2.3.4]/',
    'http://[::1.2.3]/',
    'http://[1.2.3.4]/',
    'http://[::1]x/',
    'http://a.0x/',
    'http://a<b/',
    // relative and scheme-relative: no host of their own
    '//evil.com/x',
    '\\\\evil.com\\x',
    '/api',
    'api.example.com/x',
    '',
    // what WHATWG reads but a native stack may read otherwise: refused, not guessed
    'http:evil.com/x',
    'http:/evil.com/x',
    'http:///evil.com/x',
    'http://127.1/',
    'http://0x7f.0.0.1/',
    'http://0177.0.0.1/',
    'http://2130706433/',
    'http://127.0.0.1./',
    'http://1.2.3/',
    'https://例子.cn/',
    'https://EXAMPLE.com/'.replace('X', '\uff38'),
    'https://\u212aelvin.com/',
    'https://ex%41mple.com/',
    'https://a..b/',
    'https://.example.com/',
    'https://a*b.com/',
    'https://h/a\tb',
    'https://h/a\nb',
    'https://evil\r\n.com/',
    ' https://h/',
    'https://h/ ',
    'ftp://h/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'constructor://h/',
  ])('%j is refused', (url) => {
    expect(parseUrl(url)).toBeNull()
  })

  it('plain URLs (scheme, host, port, path, query, fragment): never refused, always as WHATWG (seeded)', () => {
    const rand = random(seed)
    for (let step = 0; step < 3000; step++) {
      const url = plainUrl(rand)
      const where = `seed ${seed}, step ${step}: ${JSON.stringify(url)}`
      expect(parseUrl(url), where).not.toBeNull()
      expect(parseUrl(url), where).toEqual(whatwg(url))
    }
  })

  it("URLs of ';', '\\\\', '@', ':', %2e, '..', '.', case, ports, IPv6, '?', '#': as WHATWG or refused, few refusals (seeded)", () => {
    const rand = random(seed + 1)
    const counts = { agreed: 0, bothRefused: 0, refused: 0 }
    const refusedExamples: string[] = []
    for (let step = 0; step < 5000; step++) {
      const url = trickyUrl(rand)
      const ours = parseUrl(url)
      const theirs = whatwg(url)
      const where = `seed ${seed + 1}, step ${step}: ${JSON.stringify(url)}`
      if (ours) expect(ours, where).toEqual(theirs)
      else if (theirs) {
        counts.refused++
        if (refusedExamples.length < 5) refusedExamples.push(url)
      } else counts.bothRefused++
      if (ours) counts.agreed++
    }
    console.log(`tricky URLs (seed ${seed + 1}):`, counts, 'refused for example:', refusedExamples)
    // Refusals are what WHATWG reads but this parser will not guess at: a small minority.
    expect(counts.refused / 5000).toBeLessThan(0.15)
    expect(counts.agreed).toBeGreaterThan(2500)
  })

  it('random characters after the scheme: wherever parseUrl reads a URL, WHATWG reads the same (seeded)', () => {
    const rand = random(seed + 2)
    // single characters parsers disagree on, and a few longer pieces
    const alphabet = [...'aB10.:@;/\\?#[]%-_ éxf\t', '%2e', '..', '::', '%41', '255', '256', '09']
    let read = 0
    for (let step = 0; step < 20000; step++) {
      let url = pick(rand, ['http://', 'https://', 'http:\\\\', 'ws://'])
      for (let n = 1 + Math.floor(rand() * 12); n > 0; n--) url += pick(rand, alphabet)
      const ours = parseUrl(url)
      if (!ours) continue
      read++
      expect(ours, `seed ${seed + 2}, step ${step}: ${JSON.stringify(url)}`).toEqual(whatwg(url))
    }
    expect(read).toBeGreaterThan(1000)
  })
})

describe('IPv6 literals', () => {
  it('built from groups, ::, an embedded a.b.c.d and junk: read exactly when WHATWG reads them (seeded)', () => {
    const rand = random(seed + 3)
    const pieces = ['0', '1', 'a', 'F', 'ffff', ':', '::', '.', '1.2.3.4', '255', '00001', 'g', '%25']
    let read = 0
    for (let step = 0; step < 30000; step++) {
      let literal = ''
      for (let n = 1 + Math.floor(rand() * 10); n > 0; n--) literal += pick(rand, pieces)
      const url = `http://[${literal}]/`
      const where = `seed ${seed + 3}, step ${step}: ${url}`
      expect(parseUrl(url), where).toEqual(whatwg(url))
      if (whatwg(url)) read++
    }
    expect(read).toBeGreaterThan(500)
  })
})

describe('absolute(baseURL, url): what a call names is what the origin check sees', () => {
  const base = 'https://api.example.com/v1'
  it.each([
    ['/orders', 'https://api.example.com/v1/orders', 'https://api.example.com'],
    ['orders?x=1', 'https://api.example.com/v1/orders?x=1', 'https://api.example.com'],
    ['@evil.com/x', 'https://api.example.com/v1/@evil.com/x', 'https://api.example.com'],
    [';@evil.com/x', 'https://api.example.com/v1/;@evil.com/x', 'https://api.example.com'],
    // scheme-relative: another host, with baseURL's scheme (as a browser resolves it)
    ['//evil.com/x', 'https://evil.com/x', 'https://evil.com'],
    ['\\\\evil.com\\x', 'https://evil.com/x', 'https://evil.com'],
    ['/\\evil.com/x', 'https://evil.com/x', 'https://evil.com'],
    ['http://other.com/x', 'http://other.com/x', 'http://other.com'],
    ['HTTP:\\\\other.com\\x', 'http://other.com/x', 'http://other.com'],
  ])('%s → %s (origin %s)', (url, href, origin) => {
    const resolved = absolute(base, url)
    expect(new URL(resolved).href).toBe(href)
    expect(originOf(resolved)).toBe(origin)
    expect(absolute(base, resolved)).toBe(resolved) // the hooks' URL is resolved again: idempotent
  })
})

describe('the jar matches on the path the network sends', () => {
  it('Path=/api cookies are not sent to /api/../admin or /api/%2e%2e/admin (the jar alone)', () => {
    const jar = new CookieJar()
    jar.setCookie('token=t; Path=/api', 'https://api.example.com/api/login')
    expect(jar.getCookieHeader('https://api.example.com/api/orders')).toBe('token=t')
    for (const url of [
      'https://api.example.com/api/../admin',
      'https://api.example.com/api/%2e%2e/admin',
      'https://api.example.com/api/.%2E/admin',
      'https://api.example.com/api\\..\\admin',
    ])
      expect(jar.getCookieHeader(url), url).toBe('')
  })

  it("a backend's cookies are not sent to https://evil.com\\@api.example.com/ (the jar alone)", () => {
    const jar = new CookieJar()
    jar.setCookie('sid=S; Path=/', 'https://api.example.com/')
    expect(jar.getCookieHeader('https://evil.com\\@api.example.com/')).toBe('')
    expect(jar.getCookieHeader('https://api.example.com;@evil.com/')).toBe('')
    // and what evil.com sets there is evil.com's
    jar.setCookie('sid=EVIL; Path=/', 'https://evil.com\\@api.example.com/')
    expect(jar.getCookieHeader('https://api.example.com/')).toBe('sid=S')
  })
})

describe.each(backendRows)('URLs whose host moves, on the wire (%s)', (_label, backend) => {
  let env: Env | undefined
  let third: ThirdParty | undefined
  afterEach(async () => {
    await env?.close()
    await third?.close()
    env = third = undefined
  })

  it('the session and cookies never reach 127.0.0.2 through ;@, \\@, userinfo or //host', async () => {
    env = await backend.start(60_000)
    third = await startThirdParty()
    const c = env.client({ ...backend.options, warmup: '/session', login: { url: '/login' } })
    await c.login()
    const id = c.getSession().id as string
    expect(id).toBeTruthy()
    const backendPort = new URL(env.server.url).port
    const urls = [
      `http://127.0.0.1:${backendPort};@127.0.0.2:${third.port}/x`,
      `http://127.0.0.2:${third.port}\\@127.0.0.1:${backendPort}/`,
      `http://127.0.0.1:${backendPort}@127.0.0.2:${third.port}/y`,
      `//127.0.0.2:${third.port}/z`,
      `\\\\127.0.0.2:${third.port}\\w`,
    ]
    for (const url of urls) {
      const res = await c.request({ url })
      expect(res.statusCode, url).toBe(200)
      expect(body(res), url).toEqual({ third: 'party' })
    }
    expect(third.received).toHaveLength(urls.length)
    for (const r of third.received) {
      expect(carried(r)).not.toContain(id)
      expect(carried(r)).not.toContain(encodeURIComponent(id))
      expect(r.headers.cookie).toBeUndefined()
      expect(r.url).not.toMatch(/jsessionid|PHPSESSID/i)
    }
    // the backend still has the user
    expect(body(await c.request({ url: '/me' })).sid).toBeDefined()
    expect(c.getSession()).toMatchObject({ id, loggedIn: true })
  })
})

describe('Path=/api cookies on the wire (express)', () => {
  let env: Env | undefined
  afterEach(async () => {
    await env?.close()
    env = undefined
  })

  it('are sent to /api/echo-cookie, not to /api/../echo or /api/%2e%2e/echo', async () => {
    env = await expressEnv()
    const c = env.client()
    await c.request({ url: '/cookies/extra' })
    expect(String(body(await c.request({ url: '/api/echo-cookie' })).cookie)).toContain('api_token=t0k3n')
    for (const url of ['/api/../echo', '/api/%2e%2e/echo', '/api/.%2E/echo']) {
      const seen = body(await c.request({ url }))
      expect(seen.url, url).toBe('/echo') // the network resolved the dots
      const header = (seen.header as Record<string, string>).cookie ?? ''
      expect(header, url).toContain('theme=dark') // Path=/ cookies still go
      expect(header, url).not.toContain('api_token')
    }
  })

  it('a URL the parser refuses is INVALID_OPTION with the URL, and nothing is sent', async () => {
    env = await expressEnv()
    const c = env.client()
    const before = env.server.events.length
    for (const url of ['http://127.1/x', 'https://例子.cn/', 'http://0x7f.0.0.1/']) {
      const error = (await c.request({ url }).catch((e: unknown) => e)) as SessionError
      expect(error.code, url).toBe('INVALID_OPTION')
      expect(error.message, url).toContain(url)
    }
    expect(env.server.events.length).toBe(before)
  })
})
