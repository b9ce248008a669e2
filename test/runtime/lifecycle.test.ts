import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock, createRuntime, profiles } from '../../src/testing/index.js'
import { outcome, startServer, until, type Loose, type TestServer } from './helpers.js'

let server: TestServer
const hanging: ServerResponse[] = []
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/hang') return void hanging.push(res)
    res.end('{"ok":1}')
  })
})
afterAll(async () => {
  for (const res of hanging) res.destroy()
  await server.close()
})

// The server holds /hang on purpose: advance() need not wait for its answer (see ClockOptions).
const heldClock = () => createClock(Date.now(), { networkWait: 0 })

describe('lifecycle', () => {
  it('install() sets globalThis.wx, getApp and App; uninstall() restores what was there', () => {
    const g = globalThis as Record<string, Loose>
    g['wx'] = 'previous'
    const rt = createRuntime()
    rt.install()
    expect(g['wx']).toBe(rt.wx)
    const calls: string[] = []
    g['App']({
      onLaunch: (o: { scene: number }) => calls.push(`launch ${o.scene}`),
      onShow: () => calls.push('show'),
      globalData: { x: 1 },
    })
    expect(calls).toEqual(['launch 1001', 'show'])
    expect(g['getApp']().globalData).toEqual({ x: 1 })
    rt.uninstall()
    expect(g['wx']).toBe('previous')
    expect('getApp' in g).toBe(false)
    delete g['wx']
  })

  it('hide/show call onAppHide/onAppShow and App hooks; off removes listeners', () => {
    const rt = createRuntime()
    const calls: string[] = []
    const onShow = (o: { path: string }) => calls.push(`show ${o.path}`)
    rt.wx.onAppShow(onShow)
    rt.wx.onAppHide(() => calls.push('hide'))
    rt.hide()
    expect(rt.state).toBe('hidden')
    rt.show()
    expect(rt.state).toBe('running')
    rt.wx.offAppShow(onShow)
    rt.wx.offAppHide()
    rt.hide()
    rt.show()
    expect(calls).toEqual(['hide', 'show pages/index/index'])
  })

  it('suspends 5 s after hide: in-flight requests fail interrupted, delivered on show', async () => {
    const rt = createRuntime({ clock: heldClock() })
    const before = hanging.length
    const { done } = outcome(rt.wx.request, { url: `${server.url}/hang` })
    await until(() => hanging.length > before, 'the request at the server')
    let delivered = false
    void done.then(() => (delivered = true))
    rt.hide()
    await rt.clock.advance(4999)
    expect(rt.state).toBe('hidden')
    await rt.clock.advance(1)
    expect(rt.state).toBe('suspended')
    await rt.clock.advance(1000)
    expect(delivered).toBe(false) // callbacks wait for the foreground
    rt.show()
    const out = await done
    expect(out.result).toEqual({ errMsg: 'request:fail interrupted', errno: 600003 })
  })

  it('suspension also fails queued requests, without starting them', async () => {
    const rt = createRuntime({ clock: heldClock() })
    const before = hanging.length
    const calls = Array.from({ length: 12 }, () => outcome(rt.wx.request, { url: `${server.url}/hang` }))
    await until(() => hanging.length - before === 10, '10 requests at the server')
    rt.hide()
    await rt.clock.advance(5000)
    rt.show()
    const outs = await Promise.all(calls.map((c) => c.done))
    expect(outs.map((o) => o.result.errMsg)).toEqual(Array(12).fill('request:fail interrupted'))
    await new Promise((r) => setTimeout(r, 50)) // real time for a wrongly started request to arrive
    expect(hanging.length - before).toBe(10)
  })

  it('refuses new network calls while suspended with the reported message', async () => {
    const rt = createRuntime()
    rt.hide()
    await rt.clock.advance(5000)
    const { done } = outcome(rt.wx.request, { url: `${server.url}/ok` })
    rt.show()
    const out = await done
    expect(out.result.errMsg).toBe(
      'request:fail createRequestTask:fail: jsapi has no permission, event=createRequestTask, runningState=suspend, permissionMsg=permission ok, detail=network api interrupted in suspend state',
    )
    expect((await outcome(rt.wx.request, { url: `${server.url}/ok` }).done).ok).toBe(true)
  })

  it('requests finishing within 5 s of hide still succeed', async () => {
    const rt = createRuntime()
    rt.hide()
    const out = await outcome(rt.wx.request, { url: `${server.url}/ok` }).done
    expect(out.ok).toBe(true)
  })

  it('freezes app timers while suspended and resumes them with their remaining delay', async () => {
    const rt = createRuntime()
    const fired: number[] = []
    const start = rt.clock.now()
    rt.clock.setTimeout(() => fired.push(rt.clock.now() - start), 8000)
    rt.hide()
    await rt.clock.advance(60_000)
    expect(fired).toEqual([])
    rt.show() // suspended at +5 s with 3 s left
    await rt.clock.advance(2999)
    expect(fired).toEqual([])
    await rt.clock.advance(1)
    expect(fired).toEqual([63_000])
  })

  it('android profile flushes overdue timers at once on show', async () => {
    const rt = createRuntime({ profile: profiles.android })
    const fired: string[] = []
    rt.clock.setTimeout(() => fired.push('a'), 6000)
    rt.clock.setTimeout(() => fired.push('b'), 20_000)
    rt.clock.setTimeout(() => fired.push('later'), 100_000)
    rt.hide()
    await rt.clock.advance(30_000)
    expect(fired).toEqual([])
    rt.show()
    expect(fired).toEqual(['a', 'b'])
    await rt.clock.advance(70_000)
    expect(fired).toEqual(['a', 'b', 'later'])
  })

  it('destroys after 30 min suspended: timers and callbacks are dropped, storage stays', async () => {
    const rt = createRuntime()
    rt.wx.setStorageSync('kept', 1)
    let fired = false
    rt.clock.setTimeout(() => (fired = true), 60 * 60_000)
    rt.hide()
    await rt.clock.advance(5000 + 30 * 60_000 - 1)
    expect(rt.state).toBe('suspended')
    await rt.clock.advance(1)
    expect(rt.state).toBe('destroyed')
    await rt.clock.advance(2 * 60 * 60_000)
    expect(fired).toBe(false)
    expect(() => rt.wx.getStorageSync('kept')).toThrow(/destroyed runtime/)
    const next = rt.restart()
    expect(next.wx.getStorageSync('kept')).toBe(1)
  })

  it('iOS profile destroys after 10 min', async () => {
    const rt = createRuntime({ profile: profiles.ios })
    rt.hide()
    await rt.clock.advance(5000 + 10 * 60_000)
    expect(rt.state).toBe('destroyed')
  })

  it('restart() keeps storage, clock and user, drops memory, and moves the install', async () => {
    const g = globalThis as Record<string, Loose>
    const rt = createRuntime()
    rt.install()
    rt.wx.setStorageSync('session', { id: 'abc' })
    const listener = () => {}
    rt.wx.onAppShow(listener)
    let timerFired = false
    rt.clock.setTimeout(() => (timerFired = true), 1000)
    const { code } = (await rt.wx.login())!
    const next = rt.restart()
    expect(rt.state).toBe('destroyed')
    expect(next.state).toBe('running')
    expect(g['wx']).toBe(next.wx)
    expect(next.wx.getStorageSync('session')).toEqual({ id: 'abc' })
    expect(next.openid).toBe(rt.openid)
    expect(next.code2Session(code)).toHaveProperty('openid', rt.openid) // WeChat's servers did not restart
    await next.clock.advance(2000)
    expect(timerFired).toBe(false)
    expect(next.stats.requests).toBe(0)
    next.uninstall()
    expect('wx' in g).toBe(false)
  })
})

describe('page code errors and app.json', () => {
  it('an exception thrown in a callback goes to App.onError', async () => {
    const g = globalThis as Record<string, Loose>
    const rt = createRuntime()
    rt.install()
    const errors: string[] = []
    g['App']({ onError: (e: string) => errors.push(e) })
    const completed = new Promise<void>((resolve) =>
      rt.wx.getStorage({
        key: 'missing',
        fail: () => {
          throw new Error('page bug')
        },
        complete: () => resolve(),
      }),
    )
    await completed
    await rt.clock.advance(0)
    expect(errors[0]).toMatch(/^page bug/)
    rt.uninstall()
  })

  it('networkTimeout from app.json applies when a call sets none', async () => {
    const rt = createRuntime({ clock: heldClock(), networkTimeout: { request: 1000 } })
    const { done } = outcome(rt.wx.request, { url: `${server.url}/hang` })
    await rt.clock.advance(1000)
    expect((await done).result.errMsg).toBe('request:fail timeout')
  })
})
