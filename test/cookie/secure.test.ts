import { describe, expect, it } from 'vitest'
import { CookieJar } from '../../src/cookie/index.js'
import type { CookieJarOptions } from '../../src/cookie/index.js'

// Two points of issue 12 that live in the jar: a non-secure origin cannot overwrite or shadow a
// Secure cookie (6265bis §5.7 step 16), and a Domain attribute with a trailing dot names the same
// public suffix as without it (`Domain=com.` from `example.com.` is refused, as browsers do).

const T0 = Date.UTC(2026, 0, 1)
function setup(options: CookieJarOptions = {}) {
  const clock = { now: T0 }
  const rejected: string[] = []
  const jar = new CookieJar({ now: () => clock.now, onReject: (_l, why) => rejected.push(why), ...options })
  return { jar, clock, rejected }
}

describe('6265bis §5.7 step 16: Secure cookies are not overwritten from http', () => {
  it.each<[string, string, string, string]>([
    // [what, the Secure cookie (set by https://h.com/), the http line, from URL]
    ['the same cookie', 'sid=S; Secure', 'sid=X', 'http://h.com/'],
    ['a deletion', 'sid=S; Secure', 'sid=; Max-Age=0', 'http://h.com/'],
    ['a deeper path that would shadow it', 'sid=S; Secure', 'sid=X; Path=/a', 'http://h.com/a'],
    ['a Domain cookie over a host-only one', 'sid=S; Secure', 'sid=X; Domain=h.com', 'http://h.com/'],
    ['a host-only cookie of a subdomain', 'sid=S; Secure; Domain=h.com', 'sid=X', 'http://www.h.com/'],
    ['a parent-domain cookie', 'sid=S; Secure', 'sid=X; Domain=h.com', 'http://www.h.com/'],
  ])('refuses %s', (_, secureLine, line, from) => {
    const { jar, rejected } = setup()
    expect(jar.setCookie(secureLine, 'https://h.com/')).toBe(2)
    const before = jar.getCookieHeader('https://www.h.com/a') || jar.getCookieHeader('https://h.com/a')
    expect(jar.setCookie(line, from)).toBe(0)
    expect(rejected).toEqual(['secure exists'])
    expect(jar.all()).toHaveLength(1)
    expect(jar.getCookieHeader('https://h.com/a')).toBe('sid=S')
    expect(before).toBe('sid=S')
  })

  it.each<[string, string, string]>([
    ['another name', 'other=1', 'http://h.com/'],
    [
      'a path the Secure one is not on (the new path does not path-match its path)',
      'sid=X; Path=/',
      'http://h.com/',
    ],
    ['an unrelated domain', 'sid=X', 'http://o.com/'],
  ])('allows %s', (_, line, from) => {
    const { jar } = setup()
    jar.setCookie('sid=S; Secure; Path=/a', 'https://h.com/a')
    expect(jar.setCookie(line, from)).toBe(2)
  })

  it('an expired Secure cookie blocks nothing', () => {
    const { jar, clock } = setup()
    jar.setCookie('sid=S; Secure; Max-Age=1', 'https://h.com/')
    clock.now += 1000
    expect(jar.setCookie('sid=X', 'http://h.com/')).toBe(2)
    expect(jar.getCookieHeader('http://h.com/')).toBe('sid=X')
  })

  it('https may overwrite it, also without Secure', () => {
    const { jar } = setup()
    jar.setCookie('sid=S; Secure', 'https://h.com/')
    expect(jar.setCookie('sid=T', 'https://h.com/')).toBe(2)
    expect(jar.getCookieHeader('http://h.com/')).toBe('sid=T')
  })

  // Chrome (since 89) and Firefox (75) treat http://localhost and 127.0.0.0/8 as secure for cookies.
  it.each(['http://localhost:3000/', 'http://127.0.0.1:8080/', 'http://[::1]/'])(
    'loopback http (%s) counts as secure: it may set and overwrite Secure cookies',
    (url) => {
      const { jar } = setup()
      expect(jar.setCookie('sid=S; Secure', url)).toBe(2)
      expect(jar.setCookie('sid=T', url)).toBe(2)
      expect(jar.getCookieHeader(url)).toBe('sid=T')
    },
  )

  it('a non-secure origin cannot set a Secure cookie at all', () => {
    const { jar, rejected } = setup()
    expect(jar.setCookie('sid=S; Secure', 'http://h.com/')).toBe(0)
    expect(rejected).toEqual(['secure'])
  })
})

describe('trailing dots in Domain', () => {
  it.each<[string, string, string]>([
    ['a=1; Domain=com.', 'http://example.com./', 'public suffix'],
    ['a=1; Domain=.com.', 'http://example.com./', 'public suffix'],
    ['a=1; Domain=co.uk.', 'http://a.co.uk./', 'public suffix'],
    // a trailing dot names another host than without it (WPT domain-child/14, http-state DOMAIN0014)
    ['a=1; Domain=example.com.', 'http://example.com/', 'domain'],
    ['a=1; Domain=example.com', 'http://example.com./', 'domain'],
  ])('%s from %s is refused (%s)', (line, url, why) => {
    const { jar, rejected } = setup()
    expect(jar.setCookie(line, url)).toBe(0)
    expect(rejected).toEqual([why])
    expect(jar.all()).toEqual([])
  })

  it('Domain=example.com. from example.com. is a domain cookie of the dotted names only', () => {
    const { jar } = setup()
    expect(jar.setCookie('a=1; Domain=example.com.', 'http://example.com./')).toBe(2)
    expect(jar.getCookieHeader('http://www.example.com./')).toBe('a=1')
    expect(jar.getCookieHeader('http://www.example.com/')).toBe('')
    expect(jar.getCookieHeader('http://other.com./')).toBe('')
  })

  it('Domain=com. from the host com. itself is host-only there', () => {
    const { jar } = setup()
    expect(jar.setCookie('a=1; Domain=com.', 'http://com./')).toBe(2)
    expect(jar.all()[0]).toMatchObject({ domain: 'com.', hostOnly: true })
    expect(jar.getCookieHeader('http://example.com./')).toBe('')
  })

  it('an isPublicSuffix option is asked about the name without its trailing dot', () => {
    const asked: string[] = []
    const { jar } = setup({ isPublicSuffix: (d) => (asked.push(d), d === 'github.io') })
    expect(jar.setCookie('a=1; Domain=github.io.', 'https://evil.github.io./')).toBe(0)
    expect(asked).toEqual(['github.io'])
  })
})
