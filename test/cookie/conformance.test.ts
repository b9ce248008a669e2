import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { CookieJar, parseCookieDate } from '../../src/cookie/index.js'
import { requires } from '../helpers/requires.js'
import { exclusions } from './exclusions.js'

// The data stays in ../shared (README: not ours to ship); MPS_SHARED_DIR points elsewhere.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const dir = join(process.env.MPS_SHARED_DIR ?? join(root, '../shared'), 'conformance')
const present = existsSync(join(dir, 'wpt-cookies.json'))
const load = <T>(f: string): T => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T

// "Future" Expires years written into the suites (2019, 2027, 2038) go stale; move them to 9999.
const fresh = (line: string): string =>
  line.replace(/(expires=[^;]*?)\b(20[1-9]\d)\b/gi, (m, pre: string, y: string) =>
    +y >= 2019 ? pre + '9999' : m,
  )

const tally: Record<string, [number, number]> = {}
const count = (suite: string, ok: boolean): void => {
  const t = (tally[suite] ??= [0, 0])
  t[1]++
  if (ok) t[0]++
}
// Each case is its own `it`; the tally records whether its assertion held.
const check = (suite: string, actual: unknown, expected: unknown): void => {
  count(suite, JSON.stringify(actual) === JSON.stringify(expected))
  expect(actual).toEqual(expected)
}

describe.runIf(
  requires(
    'cookie conformance data',
    present,
    'clone the shared/ folder beside the repo or set MPS_SHARED_DIR',
  ),
)('conformance', () => {
  afterAll(() => {
    const f = (s: string): string => `${s} ${tally[s]?.[0] ?? 0}/${tally[s]?.[1] ?? 0}`
    console.log(`conformance ${f('http-state')}, ${f('dates')}, ${f('wpt')}`)
  })

  describe('http-state parser (RFC 6265bis expectations where they differ)', () => {
    type Case = {
      test: string
      received: string[]
      'sent-to'?: string
      sent: { name: string; value: string }[]
    }
    const cases = present ? load<Case[]>('http-state-parser.json') : []
    const bis = present
      ? load<{ cases: Record<string, { expected: string }> }>('http-state-6265bis.json').cases
      : {}
    for (const c of cases.filter((x) => !exclusions['http-state/' + x.test])) {
      it(c.test, () => {
        const origin = 'http://home.example.org:8888'
        const name = c.test.toLowerCase().replace('_', '-')
        const jar = new CookieJar()
        jar.setCookies(c.received.map(fresh), `${origin}/cookie-parser?${name}`)
        const to = c['sent-to'] ?? `/cookie-parser-result?${name}`
        const expected = bis[c.test]?.expected ?? c.sent.map((s) => `${s.name}=${s.value}`).join('; ')
        check('http-state', jar.getCookieHeader(to.startsWith('/') ? origin + to : to), expected)
      })
    }
  })

  describe('http-state dates (RFC 6265bis 5.1.1)', () => {
    type Case = { test: string; expected: string | null }
    const d = present ? load<{ examples: Case[]; bsd_examples: Case[] }>('http-state-dates.json') : null
    for (const c of d ? [...d.examples, ...d.bsd_examples] : []) {
      it(JSON.stringify(c.test), () => {
        const t = parseCookieDate(c.test)
        check('dates', t === null ? null : new Date(t).toUTCString(), c.expected)
      })
    }
  })

  describe('web-platform-tests cookies/*', () => {
    type Case = {
      id: string
      set_url: string
      set_cookie: string[]
      url: string
      expected: string
      skip?: string
    }
    const cases = present ? load<{ cases: Case[] }>('wpt-cookies.json').cases : []
    for (const c of cases.filter((x) => !x.skip && !exclusions['wpt/' + x.id])) {
      it(c.id, () => {
        const jar = new CookieJar()
        jar.setCookies(c.set_cookie.map(fresh), c.set_url)
        check('wpt', jar.getCookieHeader(c.url), c.expected)
      })
    }
  })
})
