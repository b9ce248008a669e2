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
