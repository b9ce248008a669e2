// `signal` (issue 15): an AbortSignal per call, on the testing runtime against real express —
// aborted before sending, while waiting for the warm-up (the others' wait goes on), mid-flight.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SessionError } from '../../src/errors.js'
import { expressEnv, until } from '../session/env.js'
import type { Env } from '../session/env.js'

const caught = (p: Promise<unknown>): Promise<SessionError> =>
  p.then(
    (r) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(r)}`)
    },
    (e: SessionError) => e,
  )

describe('signal', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())
  const paths = (): string[] => env.server.events.map((e) => e.path)

  it('aborted before the call: rejects ABORTED and nothing is sent (no hook runs either)', async () => {
    let hooked = 0
    const c = env.client({ warmup: '/session', hooks: { beforeRequest: () => void hooked++ } })
    const controller = new AbortController()
    controller.abort()
    const error = await caught(c.request({ url: '/echo', signal: controller.signal }))
    expect(error).toMatchObject({ code: 'ABORTED', method: 'GET', url: `${env.server.url}/echo` })
    expect(paths()).toEqual([])
    expect(hooked).toBe(0)
  })

  it('aborted while waiting for the warm-up: leaves the wait; the warm-up goes on for the others', async () => {
    const release = env.server.hold?.('/session') as () => void
    const c = env.client({ warmup: '/session' })
    const controller = new AbortController()
    const mine = caught(c.request({ url: '/echo?mine=1', signal: controller.signal }))
    const theirs = c.request({ url: '/echo?theirs=1' })
    await until(() => paths().includes('/session'), 'the warm-up on the wire')
    controller.abort()
    // Rejected while the warm-up is still held by the server.
    expect((await mine).code).toBe('ABORTED')
    expect(env.server.events.find((e) => e.path === '/session')?.status).toBeUndefined()
    release()
    const res = await theirs
    expect(res.statusCode).toBe(200)
    expect((res.data as { url: string }).url).toBe('/echo?theirs=1')
    await env.rt.settle()
    expect(paths()).toEqual(['/session', '/echo'])
  })

  it('aborted mid-flight: the task is aborted and the call rejects ABORTED', async () => {
    const release = env.server.hold?.('/echo') as () => void
    try {
      const seen: SessionError[] = []
      const c = env.client({ hooks: { onError: (e) => void seen.push(e) } })
      const controller = new AbortController()
      const pending = caught(c.request({ url: '/echo', signal: controller.signal }))
      await until(() => paths().includes('/echo'), 'the call on the wire')
      controller.abort()
      const error = await pending
      expect(error.code).toBe('ABORTED')
      await until(() => seen.length === 1, 'onError')
      expect(seen).toEqual([error])
      expect(seen[0]).toBe(error)
      // The runtime has nothing in flight any more: the task was aborted, not left to answer.
      await env.rt.settle(500)
    } finally {
      release()
    }
    expect(env.server.events.find((e) => e.path === '/echo')?.status).toBeUndefined()
  })

  it('aborted during a retry backoff: no retry; a signal aborted after the answer changes nothing', async () => {
    const c = env.client({ retry: { limit: 2, delay: 1000 } })
    const controller = new AbortController()
    const pending = caught(c.request({ url: '/flaky/drop?key=signal&n=1', signal: controller.signal }))
    await until(() => paths().length === 1, 'the first attempt')
    await env.clock.advance(200)
    controller.abort()
    expect((await pending).code).toBe('ABORTED')
    await env.clock.advance(5000)
    expect(paths()).toEqual(['/flaky/drop'])

    const late = new AbortController()
    const res = await c.request({ url: '/echo', signal: late.signal })
    late.abort()
    expect(res.statusCode).toBe(200)
  })
})
