// Cookie layer: parsing Set-Cookie, storing it, and building the Cookie header, against
// tough-cookie (CookieJar setCookieSync/getCookieStringSync, Cookie.parse) and set-cookie-parser
// (parse and split only), on the same corpus in the same run. `npm run build && npx tsx bench/cookie.ts` runs it alone.
import setCookieParser from 'set-cookie-parser'
import { Cookie as ToughCookie, CookieJar as ToughJar } from 'tough-cookie'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type * as Jar from '../src/cookie/index.js'
import type { BenchRow } from './index.js'

// What ships (dist/cookie.js; `npm run bench` builds it first), not src/ through tsx, whose
// keep-names wrapping slows closures the real bundle does not have.
const { CookieJar, parseSetCookie, splitSetCookie } = createRequire(join(process.cwd(), 'package.json'))(
  './dist/cookie.js',
) as typeof Jar

// 30 cookies over 3 domains, as real servers write them.
const FAR = 'Expires=Wed, 21 Oct 2037 07:28:00 GMT'
const api = 'https://api.shop.example.com/app/cart/items'
const www = 'https://www.example.com/account/login'
const cdn = 'https://static.example-cdn.net/assets/app.js'
const corpus: [string, string[]][] = [
  [
    api,
    [
      'JSESSIONID=8E1F3A9C2B7D4E6F0A1B2C3D4E5F6A7B; Path=/app; Secure; HttpOnly', // Tomcat
      'JSESSIONID=0A1B2C3D4E5F6A7B8E1F3A9C2B7D4E6F.node1; Path=/app/cart; Secure; HttpOnly',
      `XSRF-TOKEN=9f86d081884c7d659a2feaa0c55ad015; Path=/; Secure; ${FAR}`,
      `cart_id=c-20260101-0042; Path=/app/cart; Max-Age=2592000; Secure; SameSite=Lax`,
      'locale=zh_CN; Path=/',
      `currency=CNY; Path=/; ${FAR}`,
      'ab_bucket=7; Path=/app; Max-Age=86400',
      'route=1700000000.123.45.678901; Path=/; HttpOnly',
      `device_id=5f3c2a1b-9e8d-4c7b-a6f5-e4d3c2b1a098; Path=/; ${FAR}; Secure`,
      'last_seen=1767225600; Path=/app; Max-Age=604800',
    ],
  ],
  [
    www,
    [
      'PHPSESSID=9ubpp5l1l4ctr9vdrp3kgb2j07; path=/; HttpOnly', // PHP
      `PHPSESSID=k2l3m4n5o6p7q8r9s0t1u2v3w4; expires=Thu, 01-Jan-2037 00:00:00 GMT; Max-Age=31536000; path=/account; domain=.example.com; secure; HttpOnly; SameSite=Lax`,
      `connect.sid=s%3AeXpReSs-SeSsIoN-iD.0123456789abcdefABCDEF%2Bghijklmnop; Path=/; ${FAR}; HttpOnly; Secure; SameSite=Lax`, // express-session
      `_ga=GA1.2.1234567890.1767225600; Domain=.example.com; Path=/; ${FAR}`,
      `_gid=GA1.2.987654321.1767225600; Domain=.example.com; Path=/; Max-Age=86400`,
      `remember_me=eyJ1aWQiOjQyLCJleHAiOjE3OTg3NjE2MDB9.c2lnbmF0dXJl; Path=/account; ${FAR}; Secure; HttpOnly`,
      'theme=dark; Path=/',
      `consent=analytics%3Dyes%26ads%3Dno; Domain=example.com; Path=/; ${FAR}`,
      'csrftoken=Qm9vbXNoYWthbGFrYQ; Path=/account; SameSite=Strict; Secure',
      'visit=1; Path=/account/login; Max-Age=1800',
    ],
  ],
  [
    cdn,
    [
      `__cf_bm=abcdef0123456789.1767225600-0-AbCdEf==; Path=/; ${FAR}; Domain=.example-cdn.net; HttpOnly; Secure; SameSite=None`,
      `edge=sha1-3f2a; Path=/assets; Max-Age=3600`,
      `cdn_pop=SHA; Path=/; ${FAR}`,
      'ver=20260101; Path=/assets',
      `asset_token=tkn_5e6f7a8b9c0d; Path=/assets/app.js; Secure`,
      'lb=b2; Path=/',
      `geo=CN-SH; Domain=example-cdn.net; Path=/; Max-Age=43200`,
      'tz=Asia%2FShanghai; Path=/',
      `cache_bust=1767225600123; Path=/assets; ${FAR}`,
      'sampled=0; Path=/; HttpOnly',
    ],
  ],
]
const lines = corpus.flatMap(([, l]) => l)
const urls = corpus.map(([u]) => u)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]!
}

/**
 * Calls per second of each function: a warm-up, then rounds that alternate between them (so a busy
 * machine slows every contender alike); the median round of each.
 */
function hz<K extends string>(fns: Record<K, () => void>, rounds = 9, ms = 100): Record<K, number> {
  const entries = Object.entries(fns) as [K, () => void][]
  const rates = new Map<K, number[]>(entries.map(([k]) => [k, []]))
  const run = (fn: () => void, time: number): number => {
    let n = 0
    const t0 = performance.now()
    let t = t0
    while (t - t0 < time) {
      for (let i = 0; i < 20; i++) fn()
      n += 20
      t = performance.now()
    }
    return (n * 1000) / (t - t0)
  }
  for (const [, fn] of entries) run(fn, ms)
  for (let r = 0; r < rounds; r++) for (const [k, fn] of entries) rates.get(k)!.push(run(fn, ms))
  return Object.fromEntries(entries.map(([k]) => [k, median(rates.get(k)!)])) as Record<K, number>
}

function fillOurs(): Jar.CookieJar {
  const jar = new CookieJar()
  for (const [url, l] of corpus) jar.setCookies(l, url)
  return jar
}

function fillTough(): ToughJar {
  const jar = new ToughJar()
  for (const [url, l] of corpus) for (const line of l) jar.setCookieSync(line, url, { ignoreError: true })
  return jar
}

export async function benchCookie(): Promise<BenchRow[]> {
  // Same work on both sides: every line stored, and the same header for every URL.
  const ours = fillOurs()
  const tough = fillTough()
  for (const u of urls) {
    const a = ours.getCookieHeader(u)
    const b = tough.getCookieStringSync(u)
    if (a !== b) throw new Error(`corpus disagreement for ${u}:\n ours  ${a}\n tough ${b}`)
  }
  if (ours.all().length !== lines.length) throw new Error('corpus: some lines were not stored')

  const joined = lines.join(',')
  let sink = 0
  const n = lines.length
  const parse = hz({
    ours: () => lines.forEach((l) => (sink += parseSetCookie(l) ? 1 : 0)),
    tough: () => lines.forEach((l) => (sink += ToughCookie.parse(l) ? 1 : 0)),
    scp: () => lines.forEach((l) => (sink += setCookieParser.parseString(l) ? 1 : 0)),
  })
  const split = hz({
    ours: () => (sink += splitSetCookie(joined).length),
    scp: () => (sink += setCookieParser.splitCookiesString(joined).length),
  })
  const store = hz({
    ours: () => (sink += fillOurs().all().length),
    tough: () => (sink += fillTough() ? 1 : 0),
  })
  const header = hz({
    ours: () => urls.forEach((u) => (sink += ours.getCookieHeader(u).length)),
    tough: () => urls.forEach((u) => (sink += tough.getCookieStringSync(u).length)),
  })
  const rows: BenchRow[] = [
    {
      name: 'parse Set-Cookie line',
      unit: 'lines/s',
      ops: parse.ours * n,
      vs: { 'tough-cookie': parse.tough * n, 'set-cookie-parser': parse.scp * n },
    },
    { name: 'split a joined header (30 lines)', ops: split.ours, vs: { 'set-cookie-parser': split.scp } },
    { name: 'store 30 Set-Cookie in a new jar', ops: store.ours, vs: { 'tough-cookie': store.tough } },
    {
      name: 'Cookie header, 30-cookie jar',
      unit: 'headers/s',
      ops: header.ours * urls.length,
      vs: { 'tough-cookie': header.tough * urls.length },
    },
  ]
  if (sink < 0) console.log(sink) // keeps the work observable
  return rows
}

// Run alone: `npx tsx bench/cookie.ts` (package.json is CommonJS, so no top-level await here).
if (/bench[\\/]cookie\.ts$/.test(process.argv[1] ?? '')) {
  void benchCookie().then((rows) => {
    const f = (n: number): string => Math.round(n).toLocaleString('en-US')
    for (const r of rows) {
      const peers = Object.entries(r.vs ?? {}).map(
        ([p, v]) => `${p} ${f(v)} (ours ${(r.ops / v).toFixed(1)}×)`,
      )
      console.log(
        `${r.name.padEnd(34)} ${f(r.ops).padStart(12)} ${(r.unit ?? 'ops/s').padEnd(8)} ${peers.join('; ')}`,
      )
    }
  })
}
