// The testing recipe, as a newcomer writes it: a real backend (express-session), the app's
// `App({ onLaunch() { init() } })`, a page built with `Page()`, a cold restart, the fake clock.
// The "modules" below stand in for app.js and pages/orders/index.js: what their files would hold.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getSession, init, login, request, type SessionError } from '../../src/index.js'
import { createRuntime, type Runtime } from '../../src/testing/index.js'
import { startExpressServer, type TestServer } from '../servers/express.js'

const MIN = 60_000
let rt: Runtime
let server: TestServer
const errors: SessionError[] = []

beforeEach(async () => {
  errors.length = 0
  rt = createRuntime()
  rt.install() // wx, App, getApp, Page, getCurrentPages
  // The server reads the current launch's code2Session and clock (rt changes on restart).
  server = await startExpressServer({
    code2Session: (code) => rt.code2Session(code),
    now: () => rt.clock.now(),
  })
})
afterEach(async () => {
  rt.destroy()
  rt.uninstall()
  await server.close()
})

/** app.js: evaluated again on each cold start. `clock: rt.clock` is the one test-only line. */
function launchApp(): void {
  App({
    onLaunch() {
      init({
        baseURL: server.url,
        warmup: '/session',
        login: { url: '/login' },
        clock: rt.clock,
        onError: (error) => errors.push(error),
      })
    },
  })
}

/** pages/orders/index.js; `ordersModule` is what require() caches, so a second open reuses the page. */
const ordersModule = {}
let ordersEvaluated = false
function requireOrdersPage(): object {
  if (ordersEvaluated) return ordersModule
  ordersEvaluated = true
  Page({
    data: { orders: [] as { id: number }[], error: '' },
    async onLoad() {
      try {
        if (!getSession().loggedIn) await login()
        const res = await request<{ orders: { id: number }[] }>({ url: '/orders' })
        this.setData({ orders: res.data.orders })
      } catch (error) {
        this.setData({ error: String(error) })
      }
    },
  })
  return ordersModule
}

describe('the testing recipe: backend, app, page, restart, fake clock', () => {
  it('a page logs in on its first load and shows the orders; the second load reuses the session', async () => {
    launchApp()
    const first = await rt.openPage(requireOrdersPage)
    expect(first.data).toEqual({ orders: [{ id: 1 }, { id: 2 }], error: '' })
    const second = await rt.openPage(requireOrdersPage)
    expect(second.data.orders).toHaveLength(2)
    expect(second).not.toBe(first)
    expect(getCurrentPages()).toEqual([first, second])
    expect(server.count('login')).toBe(1)
    expect(errors).toEqual([])
  })

  it('init() in the onLaunch after restart() just works: the old default client disposes quietly', async () => {
    launchApp()
    await rt.openPage(requireOrdersPage)
    const before = getSession()
    rt = rt.restart() // the installed globals move to the new launch
    expect(() => launchApp()).not.toThrow() // init() disposes the client bound to the destroyed launch
    expect(getSession()).toMatchObject({ id: before.id, loggedIn: before.loggedIn })
    const page = await rt.openPage(requireOrdersPage)
    expect(page.data.orders).toHaveLength(2)
    expect(server.count('login')).toBe(1) // the stored session, not a new login
    expect(errors).toEqual([])
  })

  it('one advance of 2 h: the refresh timer keeps the session alive (30 min idle timeout)', async () => {
    launchApp()
    await rt.openPage(requireOrdersPage)
    const { id } = getSession()
    await rt.clock.advance(2 * 60 * MIN) // six keep-alives, each answered before the next timer
    expect(server.count('warmup')).toBe(1 + 6)
    expect(server.count('expired')).toBe(0)
    const page = await rt.openPage(requireOrdersPage)
    expect(page.data.error).toBe('')
    expect(getSession().id).toBe(id)
    expect(server.count('login')).toBe(1)
    expect(errors).toEqual([])
  })
})
