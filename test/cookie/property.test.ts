import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CookieJar,
  parseCookieDate,
  parseSetCookie,
  parseUrl,
  setCookieLines,
  splitSetCookie,
} from '../../src/cookie/index.js'
import { ReferenceJar } from './reference.js'

const runs = { numRuns: 300 }
const T0 = Date.UTC(2026, 0, 1)

// Any string, including lone surrogates and control characters.
const anyString = fc.string({ unit: 'binary', maxLength: 200 })

// Set-Cookie lines built from the pieces that matter, so the jar stores something most of the time.
const token = fc.constantFrom('a', 'sid', 'JSESSIONID', '__Secure-x', '__Host-y', '', 'n m', '\u4e2d')
const attr = fc.constantFrom(
  'Path=/',
  'Path=/a',
  'Path=/a/b',
  'Path=',
  'Domain=h.com',
  'Domain=.h.com',
  'Domain=api.h.com',
  'Domain=evil.com',
  'Domain=com',
  'Secure',
  'HttpOnly',
  'SameSite=Lax',
  'SameSite=None',
  'Max-Age=0',
  'Max-Age=60',
  'Max-Age=-1',
  'Expires=Wed, 21 Oct 2037 07:28:00 GMT',
  'Expires=Thu, 01 Jan 1970 00:00:00 GMT',
)
const line = fc.oneof(
  fc
    .tuple(token, fc.string({ maxLength: 12 }), fc.array(attr, { maxLength: 4 }))
    .map(([n, v, a]) => [n ? `${n}=${v}` : v, ...a].join('; ')),
  anyString,
)
const url = fc.constantFrom(
  'https://h.com/',
  'https://api.h.com/a/b/c',
  'http://h.com/a',
  'http://localhost:3000/x',
  'http://127.0.0.1:8080/',
  'http://[::1]/',
  'https://other.org/a/b',
  'not a url',
)
const anyUrl = fc.oneof(
  url,
  anyString,
  anyString.map((s) => 'https://' + s),
)

describe('properties', () => {
  it('no string makes the parsers throw', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        parseSetCookie(s)
        parseCookieDate(s)
        parseUrl(s)
      }),
      runs,
    )
  })

  it('no value makes the splitters throw, and they return only strings', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        const lines = [
          ...splitSetCookie(a),
          ...setCookieLines(a, b),
          ...setCookieLines({ 'Set-Cookie': a }, b),
        ]
        expect(lines.every((l) => typeof l === 'string')).toBe(true)
      }),
      runs,
    )
  })

  it('a joined header splits back into its lines', () => {
    const simple = fc
      .tuple(
        fc.constantFrom('a', 'sid', 'X_1'),
        fc.stringMatching(/^[a-z0-9]{0,8}$/),
        fc.array(attr, { maxLength: 3 }),
      )
      .map(([n, v, a]) => [`${n}=${v}`, ...a].join('; '))
    fc.assert(
      fc.property(fc.array(simple, { minLength: 1, maxLength: 5 }), (lines) => {
        expect(splitSetCookie(lines.join(','))).toEqual(lines)
      }),
      runs,
    )
  })

  it('no line or URL makes the jar throw; the header is always a string', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(line, anyUrl), { maxLength: 12 }), anyUrl, (sets, to) => {
        const jar = new CookieJar({ now: () => T0 })
        for (const [l, u] of sets) expect([0, 1, 2]).toContain(jar.setCookie(l, u))
        expect(typeof jar.getCookieHeader(to)).toBe('string')
        expect(jar.getCookies(to).length).toBeLessThanOrEqual(jar.all().length)
      }),
      runs,
    )
  })

  it('fromJSON(toJSON()) round-trips exactly, also through JSON text', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(line, url), { maxLength: 12 }), (sets) => {
        let now = T0
        const jar = new CookieJar({ now: () => now })
        for (const [l, u] of sets) {
          jar.setCookie(l, u)
          now += 7
        }
        const saved = jar.toJSON()
        expect(CookieJar.fromJSON(saved, { now: () => now }).toJSON()).toEqual(saved)
        expect(CookieJar.fromJSON(JSON.parse(JSON.stringify(jar)), { now: () => now }).toJSON()).toEqual(
          saved,
        )
      }),
      runs,
    )
  })

  it('fromJSON of garbage gives an empty jar and never throws', () => {
    fc.assert(
      fc.property(fc.anything(), (data) => {
        expect(CookieJar.fromJSON(data).all()).toEqual([])
        expect(CookieJar.fromJSON({ v: 1, cookies: [data] }).all()).toEqual([])
      }),
      runs,
    )
  })
})

describe('the indexed jar answers exactly as the plain reference (reference.ts)', () => {
  // Few names, domains and paths, and small limits, so that lines replace, shadow and evict each other.
  const names = fc.constantFrom('a', 'b', 'sid', 'c', '__Secure-s')
  const value = fc.constantFrom('1', '2', 'x', '')
  const attrs = fc.constantFrom(
    'Path=/',
    'Path=/a',
    'Path=/a/b',
    'Domain=h.com',
    'Domain=h.com.',
    'Domain=com.',
    'Domain=api.h.com',
    'Secure',
    'HttpOnly',
    'SameSite=Lax',
    'Max-Age=0',
    'Max-Age=1',
    'Max-Age=60',
    'Max-Age=3600',
    'Expires=Wed, 21 Oct 2037 07:28:00 GMT',
  )
  const setLine = fc
    .tuple(names, value, fc.array(attrs, { maxLength: 2 }))
    .map(([n, v, a]) => [`${n}=${v}`, ...a].join('; '))
  const urls = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('https://h.com/', 'https://h.com/a/b', 'http://h.com/a') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'https://api.h.com/a',
        'http://www.h.com/',
        'http://h.com./a',
        'https://other.org/',
        'http://localhost:3000/a',
        'not a url',
      ),
    },
  )
  type Step =
    | { op: 'set'; lines: string[]; url: string }
    | { op: 'get'; url: string }
    | { op: 'wait'; ms: number }
    | { op: 'reload' }
    | { op: 'compare' }
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant('set' as const),
        // most lines come from a small pool, so that the same line arrives again (repeats, touches)
        lines: fc.array(fc.oneof(fc.nat(5).map(String), setLine), { minLength: 1, maxLength: 3 }),
        url: urls,
      }),
    },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const), url: urls }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('wait' as const),
        ms: fc.constantFrom(0, 1, 999, 1000, 60_000, 3_600_000),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ op: 'reload' as const }) },
    // (not after every step: toJSON drops expired cookies, which would hide a stale header memory)
    { weight: 1, arbitrary: fc.constant({ op: 'compare' as const }) },
  )
  const limits = fc.record({
    maxCookiesPerDomain: fc.constantFrom(2, 3, 50),
    maxCookies: fc.constantFrom(3, 5, 3000),
    evictLast: fc.boolean(),
  })

  it('for random sequences of Set-Cookie lines, requests, clock moves and reloads', () => {
    fc.assert(
      fc.property(
        limits,
        fc.array(setLine, { minLength: 6, maxLength: 6 }),
        fc.array(step, { minLength: 10, maxLength: 60 }),
        (limit, pool, steps) => {
          let now = T0
          const ours: string[] = []
          const theirs: string[] = []
          const options = (into: string[]) => ({
            now: () => now,
            maxCookiesPerDomain: limit.maxCookiesPerDomain,
            maxCookies: limit.maxCookies,
            ...(limit.evictLast ? { evictLast: (c: { name: string }) => c.name === 'sid' } : {}),
            onReject: (_line: string, why: string) => void into.push(why),
          })
          let jar = new CookieJar(options(ours))
          let reference = new ReferenceJar(options(theirs))
          steps.forEach((s, i) => {
            const at = `step ${i} ${JSON.stringify(s)}`
            if (s.op === 'set') {
              const lines = s.lines.map((l) => (/^\d$/.test(l) ? pool[+l]! : l))
              expect(jar.setCookies(lines, s.url), at).toBe(reference.setCookies(lines, s.url))
            } else if (s.op === 'get') {
              expect(jar.getCookieHeader(s.url), at).toBe(reference.getCookieHeader(s.url))
              expect(jar.getCookies(s.url), at).toEqual(reference.getCookies(s.url))
            } else if (s.op === 'wait') now += s.ms
            else if (s.op === 'compare') expect(jar.toJSON(), at).toEqual(reference.toJSON())
            else {
              const saved = JSON.parse(JSON.stringify(jar)) as unknown
              jar = CookieJar.fromJSON(saved, options(ours))
              reference = ReferenceJar.fromJSON(saved, options(theirs))
            }
            expect(ours, at).toEqual(theirs)
          })
          expect(jar.toJSON()).toEqual(reference.toJSON())
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('loading the same over-full record gives the same jar', () => {
    const stored = fc.record({
      name: names,
      value,
      domain: fc.constantFrom('h.com', 'api.h.com', 'o.com'),
      path: fc.constantFrom('/', '/a'),
      hostOnly: fc.boolean(),
      secure: fc.boolean(),
      httpOnly: fc.boolean(),
      creation: fc.integer({ min: 0, max: 10 }),
      expires: fc.option(fc.constantFrom(T0 - 1, T0 + 1000), { nil: undefined }),
      lastUsed: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    })
    fc.assert(
      fc.property(limits, fc.array(stored, { maxLength: 30 }), (limit, cookies) => {
        const options = {
          now: () => T0,
          maxCookiesPerDomain: limit.maxCookiesPerDomain,
          maxCookies: limit.maxCookies,
        }
        const record = JSON.parse(JSON.stringify({ v: 1, cookies })) as unknown
        expect(CookieJar.fromJSON(record, options).toJSON()).toEqual(
          ReferenceJar.fromJSON(record, options).toJSON(),
        )
      }),
      runs,
    )
  })
})
