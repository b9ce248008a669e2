import { createRuntime } from 'miniprogram-session/testing'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { startBackend } from './server'

let rt = createRuntime()
let backend: Awaited<ReturnType<typeof startBackend>>

beforeEach(async () => {
  rt = createRuntime()
  rt.install() // globalThis.wx, App, getApp, Page, getCurrentPages: the runtime's
  backend = await startBackend((code) => rt.code2Session(code)) // rt: the current launch's
})
afterEach(async () => {
  rt.destroy()
  rt.uninstall()
  await backend.close()
})

/** A launch evaluates the app's modules afresh, as a cold start does; app.ts calls App(). */
async function launch() {
  vi.resetModules()
  const { config } = await import('./config')
  config.baseURL = backend.url
  config.clock = rt.clock // timers run on the runtime's fake clock, when the test advances it
  await import('./app')
}
const openOrders = () => rt.openPage(() => import('./pages/orders/index'))
const count = (call: string) => backend.seen.filter((seen) => seen === call).length

it('logs in once, then keeps the user across page loads, hours and a cold start', async () => {
  await launch()
  const page = await openOrders() // resolves once the page's requests are answered
  expect(page.data).toEqual({
    orders: [
      { id: 1, item: 'tea' },
      { id: 2, item: 'cake' },
    ],
    error: '',
  })
  await openOrders()
  expect(count('POST /login')).toBe(1)

  await rt.clock.advance(2 * 60 * 60_000) // two hours at once: the keep-alive runs every 20 min
  expect(count('GET /session')).toBe(1 + 6)

  rt = rt.restart() // cold start: storage kept, memory and timers gone
  await launch()
  expect((await openOrders()).data.orders).toHaveLength(2)
  expect(count('POST /login')).toBe(1) // the stored session, no new login
})
