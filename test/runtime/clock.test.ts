import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock, createRuntime, type Runtime } from '../../src/testing/index.js'
import { outcome, startServer, type Loose, type TestServer } from './helpers.js'

describe('fake clock', () => {
  it('runs due timers in time order (then creation order) and moves now() with them', async () => {
    const clock = createClock(1000)
    const seen: string[] = []
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20)
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10)
    clock.setTimeout(() => seen.push(`a2@${clock.now()}`), 10)
    const cancelled = clock.setTimeout(() => seen.push('never'), 5)
    clock.clearTimeout(cancelled)
    await clock.advance(15)
    expect(seen).toEqual(['a@1010', 'a2@1010'])
    expect(clock.now()).toBe(1015)
    await clock.advance(5)
    expect(seen).toEqual(['a@1010', 'a2@1010', 'b@1020'])
  })

  it('repeats intervals until cleared; timers set by timers run in the same advance', async () => {
    const clock = createClock(0)
    const ticks: number[] = []
    const id = clock.setInterval(() => ticks.push(clock.now()), 100)
    clock.setTimeout(() => clock.setTimeout(() => ticks.push(-clock.now()), 50), 10)
    await clock.advance(350)
    expect(ticks).toEqual([-60, 100, 200, 300])
    clock.clearInterval(id)
    await clock.advance(1000)
    expect(ticks).toHaveLength(4)
  })

  it('lets real I/O settle between timers', async () => {
    const clock = createClock(0)
    let resolvedBeforeSecondTimer = false
    let flag = false
    clock.setTimeout(() => void new Promise((r) => setImmediate(r)).then(() => (flag = true)), 1)
    clock.setTimeout(() => (resolvedBeforeSecondTimer = flag), 2)
    await clock.advance(2)
    expect(resolvedBeforeSecondTimer).toBe(true)
  })

  it('rejects a negative or non-finite advance', async () => {
    await expect(createClock().advance(-1)).rejects.toThrow(RangeError)
    await expect(createClock().advance(Number.NaN)).rejects.toThrow(RangeError)
  })
})

describe('fake clock and the real network: advance() lets calls in flight answer first', () => {
  // /slow answers after 40 real ms (a server doing work), /hang never; each answer says when
  // (on the fake clock) the server saw the request.
  let server: TestServer
  const hanging: ServerResponse[] = []
  let serverNow: () => number = Date.now
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const seenAt = serverNow()
      if (req.url === '/hang') return void hanging.push(res)
      setTimeout(() => res.end(JSON.stringify({ seenAt })), req.url === '/slow' ? 40 : 0)
    })
  })
  afterAll(async () => {
    for (const res of hanging) res.destroy()
    await server.close()
  })

  const request = (rt: Runtime, path: string, timeout = 3000) =>
    outcome(rt.wx.request, { url: `${server.url}${path}`, timeout }).done

  it('one big advance: a call in flight answers instead of timing out', async () => {
    const rt = createRuntime()
    const done = request(rt, '/slow')
    await rt.clock.advance(60 * 60_000)
    const out = await done
    expect(out.result.errMsg).toBe('request:ok')
    rt.destroy()
  })

  it('with networkWait: 0 the same advance jumps past the answer: the call times out', async () => {
    const rt = createRuntime({ clock: createClock(Date.now(), { networkWait: 0 }) })
    const done = request(rt, '/slow')
    await rt.clock.advance(60 * 60_000)
    expect((await done).result).toEqual({ errMsg: 'request:fail timeout', errno: 5 })
    rt.destroy()
  })

  it('a call a timer starts is answered before the next timer: every 20 min for 2 h, in one advance', async () => {
    const clock = createClock(0)
    serverNow = clock.now
    const rt = createRuntime({ clock })
    const answers: Loose[] = []
    // A keep-alive as the SDK's refresh timer makes one, each with a 3 s timeout.
    rt.clock.setInterval(() => void request(rt, '/slow').then((out) => answers.push(out.result)), 20 * 60_000)
    await rt.clock.advance(2 * 60 * 60_000)
    expect(answers.map((a) => a.errMsg)).toEqual(Array(6).fill('request:ok'))
    expect(answers.map((a) => a.data.seenAt / 60_000)).toEqual([20, 40, 60, 80, 100, 120])
    serverNow = Date.now
    rt.destroy()
  })

  it('a server holding a call: advance() waits networkWait once, then the timeout fires', async () => {
    const rt = createRuntime({ clock: createClock(Date.now(), { networkWait: 50 }) })
    const held = request(rt, '/hang', 30_000)
    const answered = request(rt, '/slow', 30_000)
    await rt.clock.advance(60_000)
    expect((await held).result.errMsg).toBe('request:fail timeout')
    // The wait was for every call: /slow answered within it.
    expect((await answered).result.errMsg).toBe('request:ok')
    rt.destroy()
  })

  it('settle() resolves once the calls in flight have answered and their callbacks ran', async () => {
    const rt = createRuntime()
    const completed: string[] = []
    for (const path of ['/slow', '/fast'])
      rt.wx.request({ url: `${server.url}${path}`, complete: () => completed.push(path) })
    await rt.settle()
    expect(completed.sort()).toEqual(['/fast', '/slow'])
    await rt.settle() // nothing in flight: at once
    rt.destroy()
  })

  it('settle() rejects after its time, naming the calls still in flight', async () => {
    const rt = createRuntime()
    void request(rt, '/hang', 60_000)
    await expect(rt.settle(50)).rejects.toThrow(
      `miniprogram-session/testing: settle(): still in flight after 50 ms: #1 request ${server.url}/hang`,
    )
    rt.destroy()
    await rt.settle(50) // a destroyed launch has nothing in flight
  })
})
