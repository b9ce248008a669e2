import { describe, expect, it } from 'vitest'
import {
  CookieJar,
  isLoopback,
  parseCookieDate,
  parseSetCookie,
  parseUrl,
  setCookieLines,
  splitSetCookie,
} from '../../src/cookie/index.js'
import type { CookieJarOptions } from '../../src/cookie/index.js'

const T0 = Date.UTC(2026, 0, 1)

/** A jar on a hand-driven clock that records what it refused. */
function setup(options: CookieJarOptions = {}) {
  const clock = { now: T0 }
  const rejected: [string, string][] = []
  const jar = new CookieJar({ now: () => clock.now, onReject: (l, r) => rejected.push([l, r]), ...options })
  return { jar, clock, rejected }
}

describe('platform joins (PLATFORM.md 1.6)', () => {
  it.each([
    // WeChat joins several headers with a bare ',' (real value from yunser-weapp)
    [
      'rememberMe=deleteMe; Path=/; Max-Age=0; Expires=Mon, 03-Sep-2018 05:14:58 GMT,SESSION=3365; Domain=dev.weyatech.cn; Path=/; HttpOnly',
      [
        'rememberMe=deleteMe; Path=/; Max-Age=0; Expires=Mon, 03-Sep-2018 05:14:58 GMT',
        'SESSION=3365; Domain=dev.weyatech.cn; Path=/; HttpOnly',
      ],
    ],
    ['a=1, b=2', ['a=1', ' b=2']],
    ['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT', ['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT']],
    // QQ on Android joins with ';' (weapp-cookie #39)
    ['a=1; Path=/; secure;key2=value2', ['a=1; Path=/; secure', 'key2=value2']],
    // ...without mistaking attributes for cookies (weapp-cookie PR #57)
    ['a=1;Path=/;HttpOnly', ['a=1;Path=/;HttpOnly']],
    ['a=1;path=/;Max-Age=60;Domain=x.com;SameSite=Lax;Expires=Wed, 21 Oct 2037 07:28:00 GMT', null],
    ['a=1; secure', ['a=1; secure']],
    ['JSESSIONID=ABC; Path=/app; Secure; HttpOnly', null],
    ['', []],
    ['  ', []],
  ])('splitSetCookie(%j)', (joined, lines) => {
    expect(splitSetCookie(joined)).toEqual(lines ?? [joined])
  })

  it('takes an array (iOS uploadFile/downloadFile) as one line per element, dropping non-strings', () => {
    expect(splitSetCookie(['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'b=2', 3, null, ''])).toEqual([
      'a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
      'b=2',
    ])
  })

  it.each([undefined, null, 42, {}, true])('gives [] for %j', (v) => {
    expect(splitSetCookie(v)).toEqual([])
  })

  it.each(['Set-Cookie', 'set-cookie', 'SET-COOKIE', 'Set-cookie'])('reads the %s header', (name) => {
    expect(setCookieLines({ 'Content-Type': 'text/html', [name]: 'a=1,b=2; Path=/' })).toEqual([
      'a=1',
      'b=2; Path=/',
    ])
  })

  it('reads an array header value', () => {
    expect(setCookieLines({ 'Set-Cookie': ['a=1, x', 'b=2'] })).toEqual(['a=1, x', 'b=2'])
  })

  it('prefers the wx `cookies` array (base library >= 2.10.0), else falls back to the header', () => {
    const header = { 'Set-Cookie': 'h=1' }
    expect(setCookieLines(header, ['c=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'd=2'])).toEqual([
      'c=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
      'd=2',
    ])
    expect(setCookieLines(header, [])).toEqual(['h=1'])
    expect(setCookieLines(header, undefined)).toEqual(['h=1'])
    expect(setCookieLines(null, null)).toEqual([])
    expect(setCookieLines('a=1')).toEqual([])
  })

  it('a joined header round-trips through the jar', () => {
    const { jar } = setup()
    const header = {
      'set-cookie': 'a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT,b=2;Path=/;HttpOnly;c=3',
    }
    jar.setCookies(setCookieLines(header), 'https://api.example.com/login')
    expect(jar.getCookieHeader('https://api.example.com/x')).toBe('a=1; b=2; c=3')
  })
})

describe('§5.6 parsing', () => {
  it('keeps quoted values verbatim and trims only WSP', () => {
    expect(parseSetCookie(' a = "x y" ; Path=/p')).toMatchObject({ name: 'a', value: '"x y"', path: '/p' })
    expect(parseSetCookie('a=\u00a0x\u00a0')?.value).toBe('\u00a0x\u00a0')
  })

  it('last attribute wins; Max-Age and Expires are both reported', () => {
    expect(
      parseSetCookie('a=1; Domain=.A.com; domain=b.COM; Max-Age=5; Expires=Wed, 21 Oct 2037 07:28:00 GMT'),
    ).toEqual({
      name: 'a',
      value: '1',
      domain: 'b.com',
      maxAge: 5,
      expires: Date.UTC(2037, 9, 21, 7, 28),
      secure: false,
      httpOnly: false,
    })
  })

  it.each([
    ['a=1; SameSite=Lax', 'lax'],
    ['a=1; samesite=STRICT', 'strict'],
    ['a=1; SameSite=None; Secure', 'none'],
    ['a=1; SameSite=Lax; SameSite=bogus', undefined],
  ])('%s → sameSite %s', (line, s) => {
    expect(parseSetCookie(line)?.sameSite).toBe(s)
  })

  it.each([['a=1\x01'], ['\x7fa=1'], ['='], [''], ['; a=1'], ['a'.repeat(4096) + '=x']])(
    'ignores %j',
    (line) => {
      expect(parseSetCookie(line)).toBeNull()
    },
  )

  it('limits name+value to 4096 and an attribute value to 1024 (in UTF-16 code units)', () => {
    expect(parseSetCookie('a=' + 'x'.repeat(4095))).not.toBeNull()
    expect(parseSetCookie('a=' + 'x'.repeat(4096))).toBeNull()
    expect(parseSetCookie('=' + 'x'.repeat(4096))?.value).toHaveLength(4096)
    // an attribute over the limit is ignored, not the cookie
    expect(parseSetCookie('a=1; Path=/ok; Path=/' + 'x'.repeat(1024))?.path).toBe('/ok')
    expect(parseSetCookie('a=1; Path=/ok; Path=/' + 'x'.repeat(1023))?.path).toHaveLength(1024)
  })
})

describe('§5.1.1 dates', () => {
  it.each([
    ['Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 28)],
    ['Thu, 01-Jan-70 00:00:01 GMT', 1000],
    ['1 jan 69 1:2:3', Date.UTC(2069, 0, 1, 1, 2, 3)],
    ['Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['31 Dec 9999 23:59:59', Date.UTC(9999, 11, 31, 23, 59, 59)],
    ['30 Feb 2020 00:00:00', null],
    ['1 Jan 1600 00:00:00', null],
    ['1 Jan 2020 24:00:00', null],
    ['1 Jan 2020', null],
    ['0x1f Jan 2020 00:00:00', null],
    ['', null],
  ])('%j → %s', (s, ms) => {
    expect(parseCookieDate(s)).toBe(ms)
  })
})

describe('URLs and hosts', () => {
  it.each([
    [
      'https://API.Example.com:8443/a/b?q=1#f',
      { scheme: 'https', host: 'api.example.com', port: '8443', path: '/a/b' },
    ],
    ['http://127.0.0.1:3000', { scheme: 'http', host: '127.0.0.1', port: '3000', path: '/' }],
    ['http://[::1]:8080/x', { scheme: 'http', host: '::1', port: '8080', path: '/x' }],
    ['http://user:pw@host/x', { scheme: 'http', host: 'host', port: '', path: '/x' }],
    ['HTTP://h?x=/y', { scheme: 'http', host: 'h', port: '', path: '/' }],
  ])('parseUrl(%s)', (url, parts) => {
    expect(parseUrl(url)).toEqual(parts)
  })

  it.each(['/relative', 'example.com/x', 'http://', 'http:///x', ''])('parseUrl(%j) is null', (url) => {
    expect(parseUrl(url)).toBeNull()
  })

  it.each([
    ['localhost', true],
    ['app.localhost', false],
    ['127.0.0.1', true],
    ['127.12.0.9', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['192.168.1.10', false],
  ])('isLoopback(%s) = %s', (host, yes) => {
    expect(isLoopback(host)).toBe(yes)
  })

  it('ignores ports: a cookie from :3000 is sent to :4000', () => {
    const { jar } = setup()
    jar.setCookie('sid=1', 'http://127.0.0.1:3000/login')
    expect(jar.getCookieHeader('http://127.0.0.1:4000/')).toBe('sid=1')
  })

  it('an unparsable URL sets nothing and sends nothing', () => {
    const { jar, rejected } = setup()
    expect(jar.setCookie('a=1', 'not a url')).toBe(0)
    expect(rejected).toEqual([['a=1', 'url']])
    expect(jar.getCookieHeader('not a url')).toBe('')
  })
})

describe('§5.7 Domain', () => {
  it('a host-only cookie is not sent to subdomains; a Domain cookie is', () => {
    const { jar } = setup()
    jar.setCookie('h=1', 'https://example.com/')
    jar.setCookie('d=1; Domain=.Example.COM', 'https://example.com/')
    expect(jar.getCookieHeader('https://example.com/')).toBe('h=1; d=1')
    expect(jar.getCookieHeader('https://api.example.com/')).toBe('d=1')
    expect(jar.getCookieHeader('https://notexample.com/')).toBe('')
  })

  it.each([
    ['a=1; Domain=evil.com', 'https://example.com/', 'domain'],
    ['a=1; Domain=api.example.com', 'https://example.com/', 'domain'],
    ['a=1; Domain=com', 'https://example.com/', 'public suffix'],
    ['a=1; Domain=.com', 'https://example.com/', 'public suffix'],
    ['a=1; Domain=com.cn', 'https://shop.example.com.cn/', 'public suffix'],
    ['a=1; Domain=co.uk', 'https://www.example.co.uk/', 'public suffix'],
    ['a=1; Domain=168.1.10', 'http://192.168.1.10/', 'domain'],
    ['a=1; Domain=1.10', 'http://192.168.1.10/', 'domain'],
  ])('refuses %s from %s (%s)', (line, url, reason) => {
    const { jar, rejected } = setup()
    expect(jar.setCookie(line, url)).toBe(0)
    expect(rejected).toEqual([[line, reason]])
    expect(jar.all()).toEqual([])
  })

  it('accepts a Domain equal to an IP host, and a registrable domain under com.cn', () => {
    const { jar } = setup()
    jar.setCookie('ip=1; Domain=192.168.1.10', 'http://192.168.1.10:8080/')
    jar.setCookie('cn=1; Domain=example.com.cn', 'https://shop.example.com.cn/')
    expect(jar.getCookieHeader('http://192.168.1.10/')).toBe('ip=1')
    expect(jar.getCookieHeader('https://www.example.com.cn/')).toBe('cn=1')
  })

  it('a public-suffix Domain equal to the host makes a host-only cookie (§5.7 step 8)', () => {
    const { jar } = setup()
    jar.setCookie('a=1; Domain=localhost', 'http://localhost:3000/')
    expect(jar.all()).toMatchObject([{ domain: 'localhost', hostOnly: true }])
  })

  it('uses a plugged-in public-suffix check instead of the built-in one', () => {
    const { jar, rejected } = setup({ isPublicSuffix: (d) => d === 'github.io' || !d.includes('.') })
    jar.setCookie('a=1; Domain=github.io', 'https://me.github.io/')
    jar.setCookie('b=1; Domain=co.uk', 'https://www.example.co.uk/')
    expect(rejected.map((r) => r[1])).toEqual(['public suffix'])
    expect(jar.getCookieHeader('https://other.co.uk/')).toBe('b=1')
  })
})

describe('§5.1.4 Path', () => {
  it('defaults to the directory of the request path', () => {
    const { jar } = setup()
    jar.setCookie('a=1', 'https://h.com/app/login')
    jar.setCookie('b=1', 'https://h.com/top')
    expect(jar.all().map((c) => c.path)).toEqual(['/app', '/'])
  })

  it.each([
    ['/app', '/app', true],
    ['/app', '/app/x', true],
    ['/app/', '/app/x', true],
    ['/app', '/apple', false],
    ['/app/x', '/app', false],
    ['/App', '/app', false],
  ])('Path=%s matches %s: %s', (path, req, yes) => {
    const { jar } = setup()
    jar.setCookie(`a=1; Path=${path}`, 'https://h.com/')
    expect(jar.getCookieHeader('https://h.com' + req)).toBe(yes ? 'a=1' : '')
  })
})

describe('§5.7 Secure and prefixes', () => {
  it('refuses Secure over plain http, except to loopback', () => {
    const { jar, rejected } = setup()
    expect(jar.setCookie('a=1; Secure', 'http://example.com/')).toBe(0)
    expect(rejected).toEqual([['a=1; Secure', 'secure']])
    expect(jar.setCookie('l=1; Secure', 'http://localhost:3000/')).toBe(2)
    expect(jar.setCookie('i=1; Secure', 'http://127.0.0.1:3000/')).toBe(2)
    expect(jar.getCookieHeader('http://localhost:3000/')).toBe('l=1')
    expect(jar.getCookieHeader('http://127.0.0.1/')).toBe('i=1')
  })

  it('never sends a Secure cookie over plain http to a non-loopback host', () => {
    const { jar } = setup()
    jar.setCookie('s=1; Secure', 'https://example.com/')
    jar.setCookie('p=1', 'https://example.com/')
    expect(jar.getCookieHeader('https://example.com/')).toBe('s=1; p=1')
    expect(jar.getCookieHeader('http://example.com/')).toBe('p=1')
  })

  it.each([
    ['__Secure-a=1', 'https://h.com/', false],
    ['__Secure-a=1; Secure', 'https://h.com/', true],
    ['__secure-a=1', 'https://h.com/', false],
    ['__Host-a=1; Secure; Path=/', 'https://h.com/x/y', true],
    ['__Host-a=1; Secure', 'https://h.com/', false],
    ['__Host-a=1; Secure; Path=/x', 'https://h.com/', false],
    ['__Host-a=1; Secure; Path=/; Domain=h.com', 'https://h.com/', false],
    ['__HOST-a=1; Path=/', 'https://h.com/', false],
    ['=__Secure-a; Secure', 'https://h.com/', false],
    ['=__Host-a; Secure; Path=/', 'https://h.com/', false],
    ['__%53ecure-a=1', 'http://h.com/', true],
  ])('%s from %s stored: %s', (line, url, stored) => {
    const { jar, rejected } = setup()
    expect(jar.setCookie(line, url)).toBe(stored ? 2 : 0)
    expect(rejected.map((r) => r[1])).toEqual(stored ? [] : ['prefix'])
  })
})

describe('§5.7 expiry and deletion', () => {
  it('deletes by Max-Age<=0 and by a past Expires', () => {
    const { jar } = setup()
    jar.setCookies(['a=1', 'b=1', 'c=1'], 'https://h.com/')
    expect(jar.setCookie('a=; Max-Age=0', 'https://h.com/')).toBe(2)
    expect(jar.setCookie('b=; Max-Age=-1', 'https://h.com/')).toBe(2)
    expect(jar.setCookie('c=; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'https://h.com/')).toBe(2)
    expect(jar.all()).toEqual([])
  })

  it('deletes only the cookie with the same name, domain and path', () => {
    const { jar } = setup()
    jar.setCookies(['a=1; Path=/', 'a=2; Path=/x', 'a=3; Domain=h.com'], 'https://h.com/')
    jar.setCookie('a=; Path=/x; Max-Age=0', 'https://h.com/')
    expect(jar.all().map((c) => c.value)).toEqual(['3'])
  })

  it('Max-Age wins over Expires, whatever their order', () => {
    const { jar } = setup()
    jar.setCookie('a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'https://h.com/')
    jar.setCookie('b=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Max-Age=0', 'https://h.com/')
    expect(jar.all()).toMatchObject([{ name: 'a', expires: T0 + 60e3 }])
  })

  it('expires on the clock and keeps session cookies', () => {
    const { jar, clock } = setup()
    jar.setCookies(
      ['s=1', 'm=1; Max-Age=60', 'far=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT'],
      'https://h.com/',
    )
    // a far Expires is capped at 400 days (6265bis §5.5)
    expect(jar.all().map((c) => c.expires)).toEqual([undefined, T0 + 60e3, T0 + 400 * 86_400_000])
    clock.now += 60e3
    expect(jar.getCookieHeader('https://h.com/')).toBe('s=1; far=1')
    clock.now = T0 + 400 * 86_400_000
    expect(jar.getCookieHeader('https://h.com/')).toBe('s=1')
  })

  it('a 400-digit Max-Age is capped at 400 days and survives JSON', () => {
    const { jar } = setup()
    jar.setCookie(`a=1; Max-Age=${'9'.repeat(400)}`, 'https://h.com/')
    jar.setCookie('b=1; Max-Age=86400', 'https://h.com/')
    expect(jar.all().map((c) => c.expires)).toEqual([T0 + 400 * 86_400_000, T0 + 86_400_000])
    const copy = CookieJar.fromJSON(JSON.parse(JSON.stringify(jar)), { now: () => T0 })
    expect(copy.getCookieHeader('https://h.com/')).toBe('a=1; b=1')
  })
})

describe('§5.7 replacing, JarChange', () => {
  it('new = 2, identical = 0, same value with a new expiry = 1, new value = 2', () => {
    const { jar, clock } = setup()
    const url = 'https://h.com/'
    expect(jar.setCookie('sid=1; Max-Age=1800', url)).toBe(2)
    expect(jar.setCookie('sid=1; Max-Age=1800', url)).toBe(0)
    clock.now += 1000
    expect(jar.setCookie('sid=1; Max-Age=1800', url)).toBe(1)
    expect(jar.setCookie('sid=1; Max-Age=1800; HttpOnly', url)).toBe(1)
    expect(jar.setCookie('sid=2; Max-Age=1800; HttpOnly', url)).toBe(2)
    expect(jar.setCookie('other=; Max-Age=0', url)).toBe(0)
    expect(jar.setCookie('sid=; Max-Age=0', url)).toBe(2)
    expect(jar.setCookie('\x01', url)).toBe(0)
  })

  it('setCookies reports the largest change', () => {
    const { jar, clock } = setup()
    expect(jar.setCookies([], 'https://h.com/')).toBe(0)
    expect(jar.setCookies(['a=1', 'b=1; Max-Age=9'], 'https://h.com/')).toBe(2)
    clock.now += 1
    expect(jar.setCookies(['a=1', 'b=1; Max-Age=9'], 'https://h.com/')).toBe(1)
    expect(jar.setCookies(['a=1', 'b=1; Max-Age=9', 'c=1'], 'https://h.com/')).toBe(2)
  })

  it('a replaced cookie keeps its creation time and its place in the order', () => {
    const { jar, clock } = setup()
    jar.setCookie('a=1', 'https://h.com/')
    clock.now += 1
    jar.setCookie('b=1', 'https://h.com/')
    clock.now += 1
    jar.setCookie('a=2', 'https://h.com/')
    expect(jar.getCookieHeader('https://h.com/')).toBe('a=2; b=1')
    expect(jar.all()[0]?.creation).toBe(T0)
  })

  it('keeps HttpOnly and SameSite', () => {
    const { jar } = setup()
    jar.setCookie('a=1; HttpOnly; SameSite=Strict; Secure', 'https://h.com/')
    expect(jar.getCookies('https://h.com/')).toEqual([
      {
        name: 'a',
        value: '1',
        domain: 'h.com',
        path: '/',
        hostOnly: true,
        secure: true,
        httpOnly: true,
        sameSite: 'strict',
        creation: T0,
        lastUsed: 2, // set (1), then sent (2)
      },
    ])
  })
})

describe('§5.8.3 order', () => {
  it('longer paths first, then earlier creation; the same creation keeps arrival order', () => {
    const { jar, clock } = setup()
    jar.setCookies(['z=1; Path=/', 'y=1; Path=/a/b', 'x=1; Path=/a'], 'https://h.com/')
    clock.now += 1
    jar.setCookies(['w=1; Path=/a', 'v=1; Path=/'], 'https://h.com/')
    expect(jar.getCookieHeader('https://h.com/a/b/c')).toBe('y=1; x=1; w=1; z=1; v=1')
    expect(jar.getCookies('https://h.com/a/b/c').map((c) => c.name)).toEqual(['y', 'x', 'w', 'z', 'v'])
  })

  it('orders by creation time even when the stored order differs', () => {
    const late = {
      name: 'late',
      value: '1',
      domain: 'h.com',
      path: '/',
      hostOnly: true,
      secure: false,
      httpOnly: false,
      creation: 2,
    }
    const early = { ...late, name: 'early', creation: 1 }
    const jar = CookieJar.fromJSON({ v: 1, cookies: [late, early] }, { now: () => T0 })
    expect(jar.getCookieHeader('https://h.com/')).toBe('early=1; late=1')
  })

  it('a nameless cookie is sent as its bare value', () => {
    const { jar } = setup()
    jar.setCookies(['a=1', 'bare', 'b='], 'https://h.com/')
    expect(jar.getCookieHeader('https://h.com/')).toBe('a=1; bare; b=')
  })
})

describe('limits and eviction', () => {
  it('evicts the oldest cookie of a domain past maxCookiesPerDomain', () => {
    const { jar, clock } = setup({ maxCookiesPerDomain: 3 })
    jar.setCookie('other=1', 'https://o.com/')
    for (const n of ['a', 'b', 'c', 'd']) {
      clock.now += 1
      expect(jar.setCookie(`${n}=1`, 'https://h.com/')).toBe(2)
    }
    expect(jar.getCookieHeader('https://h.com/')).toBe('b=1; c=1; d=1')
    expect(jar.getCookieHeader('https://o.com/')).toBe('other=1')
  })

  it('defaults to 50 per domain', () => {
    const { jar } = setup()
    for (let i = 0; i < 60; i++) jar.setCookie(`c${i}=1`, 'https://h.com/')
    expect(jar.all().map((c) => c.name)).toEqual(Array.from({ length: 50 }, (_, i) => `c${i + 10}`))
  })

  it('evicts the oldest cookie overall past maxCookies', () => {
    const { jar, clock } = setup({ maxCookies: 3 })
    for (const h of ['a.com', 'b.com', 'c.com', 'd.com']) {
      clock.now += 1
      jar.setCookie('x=1', `https://${h}/`)
    }
    expect(jar.all().map((c) => c.domain)).toEqual(['b.com', 'c.com', 'd.com'])
  })
})

describe('persistence', () => {
  it('round-trips through JSON', () => {
    const { jar } = setup()
    jar.setCookies(
      ['a=1; Max-Age=60; SameSite=Lax', 'b=2; Domain=h.com; Path=/x; Secure; HttpOnly', 'bare'],
      'https://h.com/',
    )
    const copy = CookieJar.fromJSON(JSON.parse(JSON.stringify(jar)), { now: () => T0 })
    expect(copy.toJSON()).toEqual(jar.toJSON())
    expect(copy.toJSON().cookies).toHaveLength(3)
    expect(copy.getCookieHeader('https://www.h.com/x')).toBe('b=2')
  })

  it('toJSON drops expired cookies; all() and getCookies() return copies', () => {
    const { jar, clock } = setup()
    jar.setCookies(['a=1; Max-Age=1', 'b=1'], 'https://h.com/')
    jar.all()[0]!.value = 'changed'
    jar.getCookies('https://h.com/')[0]!.value = 'changed'
    clock.now += 1000
    expect(jar.toJSON()).toEqual({ v: 1, cookies: [expect.objectContaining({ name: 'b', value: '1' })] })
  })

  const good = {
    name: 'a',
    value: '1',
    domain: 'h.com',
    path: '/',
    hostOnly: true,
    secure: false,
    httpOnly: false,
    creation: 1,
  }
  it.each([
    null,
    undefined,
    'x',
    42,
    [],
    {},
    { v: 2, cookies: [good] },
    { v: 1, cookies: 'x' },
    { v: 1, cookies: [null, 1, 'a', [], {}] },
    { v: 1, cookies: [{ ...good, name: 1 }] },
    { v: 1, cookies: [{ ...good, secure: 'yes' }] },
    { v: 1, cookies: [{ ...good, creation: '1' }] },
    { v: 1, cookies: [{ ...good, expires: '' }] },
    { v: 1, cookies: [{ ...good, expires: null }] },
    { v: 1, cookies: [{ ...good, sameSite: 'sometimes' }] },
  ])('fromJSON(%j) gives an empty jar', (data) => {
    expect(CookieJar.fromJSON(data).toJSON()).toEqual({ v: 1, cookies: [] })
  })

  it('fromJSON keeps the valid entries of a partly damaged record', () => {
    const jar = CookieJar.fromJSON({
      v: 1,
      cookies: [good, { ...good, name: null }, { ...good, name: 'b', expires: 5e15 }],
    })
    expect(jar.all().map((c) => c.name)).toEqual(['a', 'b'])
  })

  it('clear() empties the jar', () => {
    const { jar } = setup()
    jar.setCookie('a=1', 'https://h.com/')
    jar.clear()
    expect(jar.toJSON()).toEqual({ v: 1, cookies: [] })
  })
})

describe('the Cookie header memory (per scheme, host and path)', () => {
  it.each<[string, (jar: CookieJar, clock: { now: number }) => void, string]>([
    [
      'a later expiry of the same cookie (rolling session)',
      (jar) => jar.setCookie('a=1; Max-Age=7200', 'https://h.com/'),
      'a=1',
    ],
    [
      'an earlier expiry, once it passes',
      (jar, clock) => {
        jar.setCookie('a=1; Max-Age=1', 'https://h.com/')
        clock.now += 1000
      },
      '',
    ],
    ['a new value', (jar) => jar.setCookie('a=2; Max-Age=60', 'https://h.com/'), 'a=2'],
    ['a parent-domain cookie', (jar) => jar.setCookie('p=1; Domain=h.com', 'https://www.h.com/'), 'a=1; p=1'],
    [
      'Secure set on it (the http request no longer gets it)',
      (jar) => jar.setCookie('a=1; Max-Age=3600; Secure', 'https://h.com/'),
      '',
    ],
    ['clear()', (jar) => jar.clear(), ''],
    [
      'its expiry passing',
      (_, clock) => {
        clock.now += 3_600_000
      },
      '',
    ],
  ])('follows %s', (_, change, header) => {
    const { jar, clock } = setup()
    jar.setCookie('a=1; Max-Age=3600', 'https://h.com/')
    expect(jar.getCookieHeader('http://localhost/')).toBe('')
    expect(jar.getCookieHeader('http://h.com/x?q=1')).toBe('a=1')
    change(jar, clock)
    expect(jar.getCookieHeader('http://h.com/x?q=1')).toBe(header)
    expect(jar.getCookieHeader('http://h.com/x?q=2')).toBe(header)
  })

  it('the same Max-Age line later is a touch (its expiry moved), not a repeat', () => {
    const { jar, clock } = setup()
    expect(jar.setCookie('sid=S; Max-Age=60', 'https://h.com/')).toBe(2)
    clock.now += 1000
    expect(jar.setCookie('sid=S; Max-Age=60', 'https://h.com/')).toBe(1)
    expect(jar.setCookie('sid=S; Max-Age=60', 'https://h.com/')).toBe(0)
    clock.now += 1000
    expect(jar.setCookie('sid=S; Max-Age=60', 'https://h.com/')).toBe(1)
    expect(jar.all()[0]!.expires).toBe(T0 + 62_000)
  })

  it('a line that repeats what is stored changes nothing and reports 0', () => {
    const { jar } = setup()
    const line = 'sid=S; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly'
    expect(jar.setCookie(line, 'https://h.com/')).toBe(2)
    const header = jar.getCookieHeader('https://h.com/')
    expect(jar.setCookie(line, 'https://h.com/')).toBe(0)
    expect(jar.getCookieHeader('https://h.com/')).toBe(header)
  })
})
