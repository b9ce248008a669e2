// Retries of transient failures (issue 15) on the testing runtime against real express: dropped
// connections, 503 with Retry-After (seconds and HTTP date) on the fake clock, POST not retried
// unless the call opts in, paused while the app is hidden, stopped by abort(), timeouts. The
// jitter is seeded: a failing run prints its seed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionError } from '../../src/errors.js'
import { expressEnv, until } from '../session/env.js'
import type { Env } from '../session/env.js'
import { seededRandom as seeded } from '../helpers/random.js'

const caught = (p: Promise<unknown>): Promise<SessionError> =>
  p.then(
    (r) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(r)}`)
    },
    (e: SessionError) => e,
  )

const SEED = Number(process.env.RETRY_SEED ?? Date.now() % 100_000)

describe(`retry of transient failures (seed ${SEED}; RETRY_SEED=${SEED} to replay)`, () => {
  let env: Env
  let key = 0
  beforeEach(async () => {
    env = await expressEnv()
    key++
  })
  afterEach(() => env.close())

  /** Moves the fake clock in steps until `promise` settles (bounded). */
  async function drive<T>(promise: Promise<T>, step = 100, steps = 600): Promise<T> {
    let settled = false
    const watched = promise.finally(() => (settled = true))
    watched.catch(() => {})
    for (let i = 0; i < steps && !settled; i++) await env.clock.advance(step)
    return watched
  }
  const arrivals = (path: string): number[] =>
    env.server.events.filter((e) => e.path === path).map((e) => e.at)
  const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] as number))

  it('off by default: a dropped connection is NETWORK at once, sent once', async () => {
    const c = env.client()
    const error = await caught(c.request({ url: `/flaky/drop?key=${key}&n=1` }))
    expect(error.code).toBe('NETWORK')
    expect(arrivals('/flaky/drop').length).toBe(1)
  })

  it('dropped connections are retried with exponential backoff and seeded jitter', async () => {
    for (let round = 0; round < 5; round++) {
      const seed = SEED + round
      const drops = 1 + (seed % 3) // 1 to 3 dropped connections, then an answer
      const c = env.client({ retry: { limit: 3, delay: 200, random: seeded(seed) } })
      const path = `/flaky/drop?key=${key}-${round}&n=${drops}`
      const before = arrivals('/flaky/drop').length
      const res = await drive(c.request({ url: path }), 10)
      expect(res.data, `seed ${seed}`).toEqual({ attempts: drops + 1, method: 'GET' })
      const times = arrivals('/flaky/drop').slice(before)
      // The same sequence the SDK drew: half of each doubling backoff is fixed, half random.
      const random = seeded(seed)
      const expected = Array.from({ length: drops }, (_, i) => {
        const cap = 200 * 2 ** i
        return cap / 2 + (random() * cap) / 2
      })
      // The clock moves in 10 ms steps: each retry goes out in the step its timer falls in.
      gaps(times).forEach((gap, i) => {
        expect(gap, `seed ${seed} retry ${i + 1}`).toBeGreaterThanOrEqual(Math.floor(expected[i]! / 10) * 10)
        expect(gap, `seed ${seed} retry ${i + 1}`).toBeLessThanOrEqual(Math.ceil(expected[i]! / 10) * 10 + 10)
      })
      expect(times.length).toBe(drops + 1)
    }
  })

  it('gives up after `limit` retries with the last error', async () => {
    const c = env.client({ retry: 2 })
    const error = await caught(drive(c.request({ url: `/flaky/drop?key=${key}&n=9` })))
    expect(error.code).toBe('NETWORK')
    expect(arrivals('/flaky/drop').length).toBe(3)
  })

  it('503 with Retry-After in seconds: retried exactly that much later on the fake clock', async () => {
    const c = env.client({ retry: { limit: 2, statusCodes: [503] } })
    const res = await drive(c.request({ url: `/flaky/busy?key=${key}&n=2&after=3` }), 250)
    expect(res.statusCode).toBe(200)
    expect(gaps(arrivals('/flaky/busy'))).toEqual([3000, 3000])
  })

  it('503 with Retry-After as an HTTP date: retried at that second', async () => {
    const c = env.client({ retry: { limit: 1, statusCodes: [503] } })
    const res = await drive(c.request({ url: `/flaky/busy?key=${key}&n=1&after=2&date=1` }), 50)
    expect(res.statusCode).toBe(200)
    const [first, second] = arrivals('/flaky/busy') as [number, number]
    // The date has whole seconds: the retry goes at the second it names (within a 50 ms step).
    const due = Math.floor((first + 2000) / 1000) * 1000
    expect(second).toBeGreaterThanOrEqual(due)
    expect(second - due).toBeLessThanOrEqual(50)
  })

  it('a Retry-After longer than maxDelay is not waited for: the 503 stands', async () => {
    const c = env.client({ retry: { limit: 2, statusCodes: [503], maxDelay: 5000 } })
    const res = await c.request({ url: `/flaky/busy?key=${key}&n=1&after=60` })
    expect(res.statusCode).toBe(503)
    expect(arrivals('/flaky/busy').length).toBe(1)
  })

  it('statuses are retried only when listed; rejectOnHttpError sees the last answer', async () => {
    const plain = env.client({ retry: 2 })
    expect((await plain.request({ url: `/flaky/busy?key=${key}a&n=1&after=none` })).statusCode).toBe(503)
    const c = env.client({ retry: { limit: 1, statusCodes: [502, 503], delay: 100, random: () => 0 } })
    const error = await caught(
      drive(c.request({ url: `/flaky/busy?key=${key}b&n=5&after=none`, rejectOnHttpError: true }), 10),
    )
    expect(error).toMatchObject({ code: 'HTTP', statusCode: 503 })
    expect(gaps(arrivals('/flaky/busy').slice(1))).toEqual([50])
  })

  it('a POST is not retried; a call that opts in is', async () => {
    const c = env.client({ retry: 2 })
    const error = await caught(c.request({ url: `/flaky/drop?key=${key}p&n=1`, method: 'POST', data: {} }))
    expect(error.code).toBe('NETWORK')
    expect(arrivals('/flaky/drop').length).toBe(1)
    const res = await drive(
      c.request({
        url: `/flaky/drop?key=${key}q&n=1`,
        method: 'POST',
        data: {},
        retry: { methods: ['POST'] },
      }),
    )
    expect(res.data).toEqual({ attempts: 2, method: 'POST' })
    // retry: false on a call turns the client's retries off.
    const off = await caught(c.request({ url: `/flaky/drop?key=${key}r&n=1`, retry: false }))
    expect(off.code).toBe('NETWORK')
    expect(arrivals('/flaky/drop').length).toBe(4)
  })

  it('paused while the app is hidden: the retry goes out once it is shown', async () => {
    const c = env.client({ retry: { limit: 1, delay: 400, random: () => 0.5 } })
    const pending = c.request({ url: `/flaky/drop?key=${key}&n=1` })
    await until(() => arrivals('/flaky/drop').length === 1, 'the first attempt')
    env.rt.hide()
    await env.clock.advance(3000) // the backoff (300 ms) is long over; not suspended yet (5 s)
    expect(arrivals('/flaky/drop').length).toBe(1)
    env.rt.show()
    await env.clock.advance(0)
    expect((await pending).data).toEqual({ attempts: 2, method: 'GET' })
    expect(arrivals('/flaky/drop').length).toBe(2)
  })

  it('abort() during the backoff: rejects ABORTED and no retry goes out', async () => {
    const c = env.client({ retry: { limit: 3, delay: 1000 } })
    const pending = c.request({ url: `/flaky/drop?key=${key}&n=1` })
    const result = caught(pending)
    await until(() => arrivals('/flaky/drop').length === 1, 'the first attempt')
    await env.clock.advance(100)
    pending.abort()
    expect((await result).code).toBe('ABORTED')
    await env.clock.advance(10_000)
    expect(arrivals('/flaky/drop').length).toBe(1)
  })

  it('a timeout is retried like a dropped connection', async () => {
    const release = env.server.hold?.('/echo') as () => void
    try {
      const c = env.client({ retry: { limit: 1, delay: 100 } })
      const pending = c.request({ url: '/echo', timeout: 500 })
      await until(() => arrivals('/echo').length === 1, 'the held attempt')
      const res = await drive(pending, 500)
      expect(res.statusCode).toBe(200)
      expect(arrivals('/echo').length).toBe(2)
    } finally {
      release()
    }
  })

  it('retries are separate from the renew budget: a renewed call is still retried', async () => {
    const c = env.client({ login: { url: '/login' }, retry: { limit: 1, statusCodes: [503], delay: 100 } })
    await c.login()
    await env.server.expireAll()
    // 401 (renew: login again) → 503 → retried → 200.
    let calls = 0
    const res = await drive(
      c.request({
        url: '/echo?auth=1',
        hooks: {
          beforeRequest(options) {
            if (++calls === 2) options.url = `${env.server.url}/flaky/busy?key=${key}&n=1&after=none`
          },
        },
      }),
      50,
    )
    expect(res.statusCode).toBe(200)
    expect(
      env.server.events
        .filter((e) => e.path !== '/login' && e.method !== '-')
        .map((e) => `${e.path} ${e.status}`),
    ).toEqual(['/echo 401', '/flaky/busy 503', '/echo 200'])
    expect(env.server.count('login')).toBe(2)
  })
})
