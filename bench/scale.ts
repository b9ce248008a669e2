// The jar at scale (issue 13): the cost of one Set-Cookie line must not grow with the jar (one line
// into 3,000 cookies within 2× of one into 50), and 10,000 lines into a 3,000-cookie jar must beat
// tough-cookie's, in the same run. `npm run build && npx tsx bench/scale.ts` runs it alone.
import { CookieJar as ToughJar } from 'tough-cookie'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type * as Jar from '../src/cookie/index.js'
import type { BenchRow } from './index.js'

// What ships (dist/cookie.js), as in cookie.ts.
const { CookieJar } = createRequire(join(process.cwd(), 'package.json'))('./dist/cookie.js') as typeof Jar

const FAR = 'Expires=Wed, 21 Oct 2037 07:28:00 GMT'
const hostOf = (d: number): string => `h${d}.example.com`
const urlOf = (d: number): string => `https://${hostOf(d)}/app/page`

/** `cookies` cookies, 50 a host (the per-domain limit), each as a server writes them. */
function fillLines(cookies: number): [string, string][] {
  const lines: [string, string][] = []
  for (let i = 0; i < cookies; i++) {
    const path = i % 3 ? 'Path=/' : 'Path=/app'
    lines.push([`c${i % 50}=${'v'.repeat(20)}${i}; ${path}; ${FAR}; HttpOnly`, urlOf(Math.floor(i / 50))])
  }
  return lines
}

function ours(cookies: number): Jar.CookieJar {
  const jar = new CookieJar()
  for (const [line, url] of fillLines(cookies)) jar.setCookie(line, url)
  if (jar.all().length !== cookies) throw new Error(`expected ${cookies} cookies`)
  return jar
}

function tough(cookies: number): ToughJar {
  const jar = new ToughJar()
  for (const [line, url] of fillLines(cookies)) jar.setCookieSync(line, url)
  return jar
}

/**
 * `count` lines over the jar's hosts: new values for its cookies, and one name in six new to the
 * host (so our jar evicts, at its limits). Every line differs: nothing is a repeat.
 */
function workLines(count: number, hosts: number, round: number): [string, string][] {
  const lines: [string, string][] = []
  for (let i = 0; i < count; i++) {
    const name = i % 6 ? `c${i % 50}` : `n${i % 60}`
    const path = i % 3 ? 'Path=/' : 'Path=/app'
    lines.push([`${name}=r${round}x${i}; ${path}; ${FAR}`, urlOf(i % hosts)])
  }
  return lines
}

function microsPerLine(run: (lines: [string, string][]) => void, hosts: number, rounds = 15): number {
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const lines = workLines(2000, hosts, r)
    const t = performance.now()
    run(lines)
    times.push(((performance.now() - t) * 1000) / lines.length)
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!
}

function millis(run: () => void, rounds = 7): number {
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t = performance.now()
    run()
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!
}

export async function benchScale(): Promise<BenchRow[]> {
  const small = ours(50)
  const large = ours(3000)
  const apply = (jar: Jar.CookieJar) => (lines: [string, string][]) => {
    for (const [line, url] of lines) jar.setCookie(line, url)
  }
  // Interleaved, so machine load hits both alike.
  const perLine = { small: [] as number[], large: [] as number[] }
  for (let r = 0; r < 5; r++) {
    perLine.small.push(microsPerLine(apply(small), 1, 3))
    perLine.large.push(microsPerLine(apply(large), 60, 3))
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!
  const at50 = median(perLine.small)
  const at3000 = median(perLine.large)

  const toughLarge = tough(3000)
  // Every line set made before timing; the order alternates, so that the garbage one leaves is
  // collected in the other's time as often as in its own.
  const sets = Array.from({ length: 10 }, (_, r) => workLines(10_000, 60, 100 + r))
  const ten = { ours: [] as number[], tough: [] as number[] }
  const runOurs = (lines: [string, string][]) => ten.ours.push(millis(() => apply(large)(lines), 1))
  const runTough = (lines: [string, string][]) =>
    ten.tough.push(
      millis(() => {
        for (const [line, url] of lines) toughLarge.setCookieSync(line, url)
      }, 1),
    )
  for (let r = 0; r < 5; r++) {
    if (r % 2) {
      runTough(sets[2 * r]!)
      runOurs(sets[2 * r + 1]!)
    } else {
      runOurs(sets[2 * r]!)
      runTough(sets[2 * r + 1]!)
    }
  }
  const header = { ours: [] as number[], tough: [] as number[] }
  const urls = Array.from({ length: 60 }, (_, d) => urlOf(d))
  for (let r = 0; r < 5; r++) {
    header.ours.push(millis(() => urls.forEach((u) => large.getCookieHeader(u)), 1) * (1000 / urls.length))
    header.tough.push(
      millis(() => urls.forEach((u) => toughLarge.getCookieStringSync(u)), 1) * (1000 / urls.length),
    )
  }
  return [
    { name: 'one Set-Cookie line, 50-cookie jar', ops: round2(at50), unit: 'µs/line' },
    { name: 'one Set-Cookie line, 3,000-cookie jar', ops: round2(at3000), unit: 'µs/line' },
    { name: 'ratio 3,000 / 50 (target ≤ 2)', ops: round2(at3000 / at50), unit: '×' },
    {
      name: '10,000 lines into a 3,000-cookie jar',
      ops: round2(median(ten.ours)),
      unit: 'ms',
      vs: { 'tough-cookie': round2(median(ten.tough)) },
    },
    {
      name: 'Cookie header, 3,000-cookie jar (60 hosts)',
      ops: round2(median(header.ours)),
      unit: 'µs/header',
      vs: { 'tough-cookie': round2(median(header.tough)) },
    },
  ]
}

const round2 = (n: number): number => Math.round(n * 100) / 100

if (/bench[\\/]scale\.ts$/.test(process.argv[1] ?? '')) {
  void benchScale().then((rows) => console.log(rows))
}
