import { describe, expect, it } from 'vitest'
import { CookieJar } from '../../src/cookie/index.js'
import type { Cookie, CookieJarOptions } from '../../src/cookie/index.js'

// RFC 6265 §5.3 step 12 (6265bis §5.7 last step): past a limit, expired cookies go first, then the
// least recently used ("earliest last-access date"); a cookie is used when it is set or sent.

const T0 = Date.UTC(2026, 0, 1)

/**
 * Runs steps on a jar: `set <url> <line>` stores a line as the answer of `url`, `get <url>` sends
 * the jar's cookies to `url`, `wait <ms>` moves the clock. Returns the names left, in arrival order.
 */
function run(options: CookieJarOptions, steps: string[]): string[] {
  let now = T0
  const refused = (line: string, why: string): never => {
    throw new Error(`refused ${line}: ${why}`)
  }
  const jar = new CookieJar({ now: () => now, onReject: refused, ...options })
  for (const step of steps) {
    const [op, arg, ...rest] = step.split(' ')
    if (op === 'set') jar.setCookie(rest.join(' '), arg!)
    else if (op === 'get') jar.getCookieHeader(arg!)
    else if (op === 'wait') now += Number(arg)
    else throw new Error(`bad step ${step}`)
  }
  return jar.all().map((c) => (c.hostOnly ? c.name : `${c.name}@${c.domain}`))
}

const H = 'https://h.com'

describe('per-domain limit (maxCookiesPerDomain 3)', () => {
  const perDomain = { maxCookiesPerDomain: 3 }
  it.each<[string, string[], string[]]>([
    [
      'nothing used: the first set goes first',
      [`set ${H}/ a=1`, `set ${H}/ b=1`, `set ${H}/ c=1`, `set ${H}/ d=1`],
      ['b', 'c', 'd'],
    ],
    [
      'a cookie sent is kept over one that was not',
      [
        `set ${H}/ a=1; Path=/a`,
        `set ${H}/ b=1; Path=/b`,
        `set ${H}/ c=1; Path=/c`,
        `get ${H}/a/x`,
        `set ${H}/ d=1`,
      ],
      ['a', 'c', 'd'],
    ],
    [
      'a cookie set again counts as used',
      [`set ${H}/ a=1`, `set ${H}/ b=1`, `set ${H}/ c=1`, `set ${H}/ a=2`, `set ${H}/ d=1`],
      ['a', 'c', 'd'],
    ],
    [
      'the same line again counts as used too',
      [`set ${H}/ a=1`, `set ${H}/ b=1`, `set ${H}/ c=1`, `set ${H}/ b=1`, `set ${H}/ d=1`],
      ['b', 'c', 'd'],
    ],
    [
      'expired cookies go before the least recently used',
      [
        `set ${H}/ a=1`,
        `set ${H}/ b=1; Max-Age=1`,
        `set ${H}/ c=1`,
        'wait 1000',
        `get ${H}/b`, // b is expired: not sent, not used
        `set ${H}/ d=1`,
      ],
      ['a', 'c', 'd'],
    ],
    [
      'cookies sent together leave in arrival order',
      [`set ${H}/ a=1`, `set ${H}/ b=1`, `set ${H}/ c=1`, `get ${H}/`, `set ${H}/ d=1`],
      ['b', 'c', 'd'],
    ],
    [
      'host-only and Domain cookies of a domain share its limit',
      [
        `set ${H}/ a=1; Domain=h.com`,
        `set ${H}/ b=1`,
        `set https://www.h.com/ w=1`,
        `set ${H}/ c=1; Domain=h.com`,
        `set ${H}/ d=1`,
      ],
      ['b', 'w', 'c@h.com', 'd'],
    ],
    [
      "another domain's cookies neither count nor leave",
      ['set https://o.com/ o=1', `set ${H}/ a=1`, `set ${H}/ b=1`, `set ${H}/ c=1`, `set ${H}/ d=1`],
      ['o', 'b', 'c', 'd'],
    ],
  ])('%s', (_, steps, left) => {
    expect(run(perDomain, steps)).toEqual(left)
  })

  // Everything on Path=/ is sent together: use alone cannot tell the session from the others.
  const sessionSteps = (sessionFirst: boolean): string[] => {
    const steps = sessionFirst ? [`set ${H}/ sid=S; Path=/; HttpOnly`] : []
    for (let i = 0; i < 60; i++) {
      steps.push(`get ${H}/api/${i}`, `set ${H}/api/${i} c${i}=1; Path=/`)
      if (!sessionFirst && i === 30) steps.push(`set ${H}/login sid=S; Path=/; HttpOnly`)
    }
    return steps
  }
  const evictLast = (c: Cookie): boolean => c.name === 'sid'
  it.each([true, false])(
    'with evictLast, the session cookie outlives 60 others sent with it (set first: %s)',
    (sessionFirst) => {
      const left = run({ evictLast }, sessionSteps(sessionFirst))
      expect(left).toHaveLength(50)
      expect(left).toContain('sid')
      expect(left.filter((n) => n !== 'sid')).toEqual(Array.from({ length: 49 }, (_, i) => `c${i + 11}`))
    },
  )

  it('without evictLast, the same-use tie goes by arrival and the first-set session leaves', () => {
    expect(run({}, sessionSteps(true))).not.toContain('sid')
  })

  it('a session on its own path, sent on every request, is the last to go without evictLast', () => {
    const steps = [`set ${H}/ sid=S; Path=/api`]
    for (let i = 0; i < 60; i++) steps.push(`set ${H}/ t${i}=1; Path=/t`, `get ${H}/api/${i}`)
    expect(run({}, steps)).toContain('sid')
  })

  it('evictLast cookies still leave, least recently used first, when nothing else is left', () => {
    const steps = [`set ${H}/ sid=1; Path=/a`, `set ${H}/ sid=2; Path=/b`, `get ${H}/a`]
    steps.push(`set ${H}/ sid=3; Path=/c`)
    expect(run({ evictLast, maxCookiesPerDomain: 2 }, steps)).toEqual(['sid', 'sid'])
    const jar = new CookieJar({ evictLast, maxCookiesPerDomain: 2, now: () => T0 })
    for (const s of steps) {
      const [op, url, ...line] = s.split(' ')
      if (op === 'set') jar.setCookie(line.join(' '), url!)
      else jar.getCookieHeader(url!)
    }
    expect(jar.all().map((c) => c.path)).toEqual(['/a', '/c'])
  })
})

describe('total limit (maxCookies 3)', () => {
  const total = { maxCookies: 3 }
  it.each<[string, string[], string[]]>([
    [
      'nothing used: the first set goes first',
      [
        'set https://a.com/ a=1',
        'set https://b.com/ b=1',
        'set https://c.com/ c=1',
        'set https://d.com/ d=1',
      ],
      ['b', 'c', 'd'],
    ],
    [
      'the least recently used domain loses its cookie',
      [
        'set https://a.com/ a=1',
        'set https://b.com/ b=1',
        'set https://c.com/ c=1',
        'get https://a.com/',
        'set https://d.com/ d=1',
      ],
      ['a', 'c', 'd'],
    ],
    [
      'an expired cookie goes first, wherever it is',
      [
        'set https://a.com/ a=1',
        'set https://b.com/ b=1',
        'set https://c.com/ c=1; Max-Age=5',
        'wait 5000',
        'set https://d.com/ d=1',
      ],
      ['a', 'b', 'd'],
    ],
    [
      'a parent-domain cookie sent to a subdomain counts as used',
      [
        'set https://a.com/ a=1; Domain=a.com',
        'set https://b.com/ b=1',
        'set https://c.com/ c=1',
        'get https://www.a.com/',
        'set https://d.com/ d=1',
      ],
      ['a@a.com', 'c', 'd'],
    ],
  ])('%s', (_, steps, left) => {
    expect(run(total, steps)).toEqual(left)
  })
})

describe('trimming on load', () => {
  const cookie = (name: string, extra: Partial<Cookie> = {}): Cookie => ({
    name,
    value: '1',
    domain: 'h.com',
    path: '/',
    hostOnly: true,
    secure: false,
    httpOnly: false,
    creation: T0,
    ...extra,
  })
  const names = (n: number, prefix = 'c'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
  const load = (cookies: Cookie[], options: CookieJarOptions = {}): string[] =>
    CookieJar.fromJSON({ v: 1, cookies }, { now: () => T0, ...options })
      .all()
      .map((c) => c.name)

  it.each<[string, Cookie[], CookieJarOptions, string[]]>([
    [
      'a record saved before lastUsed existed: its order (creation) stands for use',
      names(60).map((n) => cookie(n)),
      {},
      names(60).slice(10),
    ],
    [
      'the most recently used stay, whatever their place',
      names(60).map((n, i) => cookie(n, { lastUsed: i === 0 ? 1000 : i })),
      {},
      ['c0', ...names(60).slice(11)],
    ],
    [
      'expired cookies go first',
      names(52).map((n, i) => cookie(n, i < 2 ? { expires: T0 - 1 } : {})),
      {},
      names(52).slice(2),
    ],
    ['under the limits nothing goes', names(5).map((n) => cookie(n)), { maxCookiesPerDomain: 5 }, names(5)],
    [
      'the total limit, least recently used across domains',
      names(6).map((n, i) => cookie(n, { domain: `d${i}.com`, lastUsed: [6, 1, 5, 2, 4, 3][i]! })),
      { maxCookies: 3 },
      ['c0', 'c2', 'c4'],
    ],
    [
      'the per-domain limit first, then the total one',
      [
        ...names(4, 'h').map((n, i) => cookie(n, { lastUsed: 10 + i })),
        ...names(2, 'o').map((n, i) => cookie(n, { domain: 'o.com', lastUsed: 20 + i })),
      ],
      { maxCookiesPerDomain: 3, maxCookies: 4 },
      ['h2', 'h3', 'o0', 'o1'],
    ],
  ])('%s', (_, cookies, options, left) => {
    expect(load(cookies, options)).toEqual(left)
  })

  it('6,001 stored cookies are trimmed to the 3,000 most recently used, and it stays fast', () => {
    const cookies = Array.from({ length: 6001 }, (_, i) =>
      cookie(`c${i}`, { domain: `d${i % 200}.com`, lastUsed: i + 1 }),
    )
    const t = performance.now()
    const left = load(cookies)
    expect(performance.now() - t).toBeLessThan(500)
    expect(left).toHaveLength(3000)
    expect(left[0]).toBe('c3001')
  })

  it('a trimmed jar saved and loaded again keeps what it kept', () => {
    const cookies = names(60).map((n, i) => cookie(n, { lastUsed: 100 - i }))
    const jar = CookieJar.fromJSON({ v: 1, cookies }, { now: () => T0 })
    const again = CookieJar.fromJSON(JSON.parse(JSON.stringify(jar)), { now: () => T0 })
    expect(again.toJSON()).toEqual(jar.toJSON())
    expect(again.all().map((c) => c.name)).toEqual(names(50))
  })
})
