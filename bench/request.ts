// Per-request overhead: the SDK's request() and weapp-cookie's patched wx.request against the bare
// wx.request, all on the same in-memory responder (no network, so only the libraries' own work is
// measured), with 30 cookies over 3 domains in each jar. Each variant gets its own wx object;
// rounds interleave them so drift in machine load hits all alike.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type * as Sdk from '../src/index.js'
import type { BenchRow } from './index.js'

type Options = Record<string, unknown> & {
  url: string
  success?: (r: unknown) => void
  complete?: (r: unknown) => void
}

const SID = 's%3AbP1fK8yQ2m7Zr4Tn0wXc5VdLh3Ga9JeU.q2Vv0E7n9mXo4tYb8Rz1Kc6Hw3Lp5Jd0Sa2Fg7Ui4'

/** What each of the 3 domains sets on `/seed`: 10 cookies each, with Path/Domain/Expires variety. */
export const SEED_HOSTS = ['api.example.com', 'www.example.com', 'cdn.example.net'] as const
function seedLines(host: string): string[] {
  const lines: string[] = []
  for (let i = 0; i < 10; i++) {
    const attrs = [
      i % 3 === 0 ? 'Path=/' : i % 3 === 1 ? 'Path=/api' : 'Path=/user',
      i % 2 === 0 ? 'Expires=Wed, 21 Oct 2037 07:28:00 GMT' : 'Max-Age=86400',
      host === 'www.example.com' ? 'Domain=example.com' : '',
      i % 4 === 0 ? 'HttpOnly' : '',
    ].filter(Boolean)
    lines.push(`${host.split('.')[0]}_${i}=${'v'.repeat(8)}${i}; ${attrs.join('; ')}`)
  }
  if (host === 'api.example.com') lines[0] = `connect.sid=${SID}; Path=/; HttpOnly`
  return lines
}

/** express-session with `rolling: true`: the same id, a new Expires on every response. */
const rollingLine = (): string =>
  `connect.sid=${SID}; Path=/; Expires=${new Date(Date.now() + 30 * 60_000).toUTCString()}; HttpOnly`

/**
 * A wx-shaped object answering every request from memory, asynchronously like the platform.
 * `/seed` answers 10 Set-Cookie lines for the host; every other URL one rolling session cookie.
 * The header joins lines with `, ` as WeChat does; `cookies` has them as an array (base lib ≥ 2.10.0).
 */
export function memoryWx(storage = new Map<string, string>()) {
  const answer = (o: Options) => {
    const header = (o.header ?? {}) as Record<string, string>
    wx.lastCookie = header['Cookie'] ?? header['cookie'] ?? ''
    const host = o.url.split('/')[2] ?? ''
    const lines = o.url.endsWith('/seed') ? seedLines(host) : [rollingLine()]
    const res = {
      statusCode: 200,
      header: { 'Content-Type': 'application/json; charset=utf-8', 'Set-Cookie': lines.join(', ') },
      cookies: lines,
      data: { ok: true },
      errMsg: 'request:ok',
    }
    void Promise.resolve().then(() => {
      o.success?.(res)
      o.complete?.(res)
    })
    return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
  }
  const wx = {
    stats: { storageWrites: 0 },
    /** The Cookie header of the last request, as the library sent it. */
    lastCookie: '',
    request: answer,
    uploadFile: answer,
    downloadFile: answer,
    login(o: { success?: (r: unknown) => void }) {
      void Promise.resolve().then(() => o.success?.({ code: 'code', errMsg: 'login:ok' }))
    },
    // Values go through JSON as the platform's storage does (PLATFORM.md 3).
    getStorageSync: (key: string): unknown => {
      const v = storage.get(key)
      return v === undefined ? '' : JSON.parse(v)
    },
    setStorageSync(key: string, value: unknown) {
      wx.stats.storageWrites++
      storage.set(key, JSON.stringify(value))
    },
    removeStorageSync: (key: string) => void storage.delete(key),
  }
  return wx
}
export type MemoryWx = ReturnType<typeof memoryWx>

type Request = (o: Options) => unknown
export const call = (request: Request, url: string): Promise<unknown> =>
  new Promise((resolve, reject) => {
    request({ url, method: 'GET', header: { Accept: 'application/json' }, success: resolve, fail: reject })
  })

export const seedUrls = SEED_HOSTS.map((h) => `https://${h}/seed`)
export const TARGET = 'https://api.example.com/api/orders?page=1'

const localRequire = createRequire(join(process.cwd(), 'package.json'))
// What ships (dist/, built by `npm run bench`), not src/ through tsx, whose keep-names wrapping
// makes every closure call slower than the real bundle's.
const { createClient } = localRequire('./dist/index.js') as typeof Sdk

/** Runs `fn` with `wx` as the global `wx`, then restores what was there. */
export function withGlobalWx<T>(wx: object, fn: () => T): T {
  const g = globalThis as Record<string, unknown>
  const had = Object.getOwnPropertyDescriptor(g, 'wx')
  g['wx'] = wx
  try {
    return fn()
  } finally {
    if (had) Object.defineProperty(g, 'wx', had)
    else delete g['wx']
  }
}

/**
 * weapp-cookie patches the global `wx` (and reads its storage) when first required: load a fresh
 * copy with `wx` installed as the global. Returns the store it created.
 */
export function loadWeappCookie(wx: object): unknown {
  const id = localRequire.resolve('weapp-cookie')
  delete localRequire.cache[id]
  return withGlobalWx(wx, () => localRequire(id))
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function time(fn: () => Promise<unknown>, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    await fn()
    into.push(Number(process.hrtime.bigint() - t) / 1000)
  }
}

export async function benchRequest({ rounds = 60, perRound = 100 } = {}): Promise<BenchRow[]> {
  const bareWx = memoryWx()
  const bare = bareWx.request

  const ourWx = memoryWx()
  const client = createClient({ platform: ourWx, refreshInterval: false })

  const wcWx = memoryWx()
  loadWeappCookie(wcWx)

  const variants = {
    bare: () => call(bare, TARGET),
    ours: () => client.request({ url: TARGET, method: 'GET', header: { Accept: 'application/json' } }),
    'weapp-cookie': () => call(wcWx.request, TARGET),
  }
  // Same 30 cookies in both jars, set through each library's own response handling.
  for (const url of seedUrls) {
    await client.request({ url })
    await call(wcWx.request, url)
  }
  await variants.ours()
  await variants['weapp-cookie']()
  const sent = [count(ourWx.lastCookie), count(wcWx.lastCookie)]

  const samples: Record<keyof typeof variants, number[]> = { bare: [], ours: [], 'weapp-cookie': [] }
  for (const fn of Object.values(variants)) await time(fn, 2000, []) // warm-up (JIT)
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      await time(fn, perRound, samples[name as keyof typeof variants])
    }
  }
  client.dispose()

  const bareUs = median(samples.bare)
  const oursUs = median(samples.ours) - bareUs
  const wcUs = median(samples['weapp-cookie']) - bareUs
  return [
    { name: 'bare wx.request, promisified (in-memory)', ops: round(bareUs), unit: 'µs/req' },
    {
      name: `request() overhead over bare (30 cookies/3 domains; sends ${sent[0]} vs ${sent[1]})`,
      ops: round(oursUs),
      unit: 'µs/req',
      // Issue 13's targets: at most the bare call's own cost, at most a tenth of weapp-cookie's.
      vs: { 'weapp-cookie': round(wcUs), 'the bare call itself': round(bareUs) },
    },
  ]
}

const round = (n: number): number => Math.round(n * 100) / 100
const count = (header: string): number => (header ? header.split('; ').length : 0)
