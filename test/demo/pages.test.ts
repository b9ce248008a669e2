// @vitest-environment jsdom
// The demo mini-program's pages, rendered by miniprogram-simulate with the testing runtime as `wx`,
// against the demo server: each page shows what the server answered, taps drive the flows. The
// SDK is the built CommonJS file in miniprogram_npm, as in WeChat DevTools.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildMiniprogramNpm, launchDemo, type DemoApp } from '../../demo-miniprogram/headless/harness.js'
import { runDemoFlow } from '../../demo-miniprogram/headless/flow.js'
import { startDemoServer, type DemoServer } from '../../demo-miniprogram/server/server.js'

let server: DemoServer
let app: DemoApp | undefined
const serverLog: string[] = []

beforeAll(async () => {
  await buildMiniprogramNpm()
  server = await startDemoServer({
    code2Session: (code) => app!.runtime.code2Session(code),
    log: (line) => serverLog.push(line),
  })
}, 60_000)
afterEach(() => {
  app?.close()
  app = undefined
})
afterAll(() => server?.close())

/** Launch, log in and bind `name` through the login page. */
async function loggedIn(name: string): Promise<DemoApp> {
  app = await launchDemo({ baseURL: server.url, user: name })
  const login = await app.open('login')
  await login.tap('#login', (d) => d.step === 'bind' || d.step === 'done' || d.step === 'failed')
  if (login.data.step === 'bind') {
    await login.type('#name', name)
    await login.type('#password', 'pw')
    await login.tap('#bind', (d) => d.step === 'done' || d.error !== '')
  }
  expect(login.text('#welcome')).toBe(`Welcome, ${name}`)
  return app
}

describe('home page', () => {
  it('shows the session the warm-up created, as the server answered it', async () => {
    app = await launchDemo({ baseURL: server.url })
    const home = await app.open('home')
    expect(home.text('#mode')).toBe('cookie')
    expect(home.text('#session')).toBe('yes')
    expect(home.text('#logged-in')).toBe('no')
    expect(home.text('#account')).toBe('not bound')
    // The warm-up was the session's first request, the page's own the second.
    expect(home.text('#hits')).toBe('2')
    expect(home.has('#logout')).toBe(false)
  })

  it('shows a typed error, and no session, when the server is down', async () => {
    const down = await startDemoServer({ code2Session: () => ({ errcode: -1, errmsg: 'unused' }) })
    await down.close()
    app = await launchDemo({ baseURL: down.url })
    const home = await app.open('home')
    expect(home.text('#error')).toMatch(/^WARMUP_FAILED: .*NETWORK/)
    expect(home.has('#state')).toBe(false)
  })

  it('logs out: the server session ends and the page shows an anonymous one', async () => {
    await loggedIn('carol')
    const home = await app!.open('home')
    expect(home.text('#account')).toBe('carol')
    await home.tap('#logout', (d) => !d.loading && d.state?.loggedIn === false)
    expect(home.text('#logged-in')).toBe('no')
    expect(home.text('#account')).toBe('not bound')
    expect(serverLog.at(-3)).toMatch(/POST \/logout → 200, no session, logged out/)
  })
})

describe('without-the-SDK page', () => {
  it('three plain wx.request calls: three new sessions, each at its first request', async () => {
    app = await launchDemo({ baseURL: server.url })
    const before = serverLog.length
    const bare = await app.open('bare')
    const ids = (bare.data.calls as { id: string }[]).map((c) => c.id)
    expect(new Set(ids).size).toBe(3)
    expect(bare.text('#calls')).toBe(
      `call 1 session ${ids[0]}, request 1 of it call 2 session ${ids[1]}, request 1 of it ` +
        `call 3 session ${ids[2]}, request 1 of it ` +
        '3 calls, 3 different sessions: wx.request keeps no cookie, so a login would not survive to the next call',
    )
    expect(serverLog.slice(before)).toEqual(ids.map((id) => `demo: GET /session → 200, new session ${id}`))
    // The same server through the SDK: one session, and the home page shows its id.
    const home = await app.open('home')
    expect(serverLog.at(-1)).toBe(`demo: GET /session → 200, session ${home.text('#session-id')} (cookie)`)
  })
})

describe('login page', () => {
  it('wx.login → not bound → the bind form → bound', async () => {
    app = await launchDemo({ baseURL: server.url, mode: 'header', user: 'dave' })
    const login = await app.open('login')
    expect(login.has('#bind-form')).toBe(false)
    await login.tap('#login', (d) => d.step !== 'working' && d.step !== 'start')
    expect(login.has('#bind-form')).toBe(true)
    await login.type('#name', 'dave')
    await login.type('#password', 'pw')
    await login.tap('#bind', (d) => d.step === 'done' || d.error !== '')
    expect(login.text('#welcome')).toBe('Welcome, dave')
    expect(serverLog.at(-1)).toMatch(/POST \/bind → 200, session \S+ \(header\), bound to "dave"/)
  })

  it('a refused wx.login code shows LOGIN_FAILED with the server message; the next tap logs in', async () => {
    app = await launchDemo({ baseURL: server.url, user: 'refused' })
    const login = await app.open('login')
    app.runtime.failNextCode2Session(40029)
    await login.tap('#login', (d) => d.step === 'failed' || d.step === 'bind')
    expect(login.data.step).toBe('failed')
    expect(login.text('#error')).toMatch(/LOGIN_FAILED/)
    expect(login.text('#error')).toMatch(/invalid code/)
    await login.tap('#login', (d) => d.step === 'bind' || d.step === 'done')
    expect(login.text('#error')).toBe('')
  })

  it('binding without a password shows the server refusal and keeps the form', async () => {
    app = await launchDemo({ baseURL: server.url, user: 'erin' })
    const login = await app.open('login')
    await login.tap('#login', (d) => d.step === 'bind')
    await login.type('#name', 'erin')
    await login.tap('#bind', (d) => d.error !== '')
    expect(login.text('#error')).toBe('account name and password are required')
    expect(login.has('#bind-form')).toBe(true)
  })
})

describe('orders page', () => {
  it('lists the orders the server answered for the bound account', async () => {
    await loggedIn('frank')
    const orders = await app!.open('orders')
    expect(orders.data.orders).toHaveLength(2)
    expect(orders.text('#orders')).toBe('Green tea, 250 g ¥42.00 Gift card for frank ¥100.00')
  })

  it('logged in but not bound: shows the 403 message', async () => {
    app = await launchDemo({ baseURL: server.url, user: 'unbound' })
    const login = await app.open('login')
    await login.tap('#login', (d) => d.step === 'bind')
    const orders = await app.open('orders')
    expect(orders.text('#error')).toBe('bind an account first')
    expect(orders.has('#orders')).toBe(false)
  })
})

describe('upload page', () => {
  it('uploads the chosen photo with the session', async () => {
    await loggedIn('gina')
    const upload = await app!.open('upload')
    await upload.tap('#upload', (d) => !d.uploading)
    expect(upload.text('#uploaded')).toBe('Server got photo.png, 29 bytes')
    expect(serverLog.at(-1)).toMatch(/POST \/upload → 200, session \S+ \(cookie\)/)
  })

  it('before any login: SESSION_EXPIRED on the page and onSessionExpired opens the login page', async () => {
    app = await launchDemo({ baseURL: server.url })
    const upload = await app.open('upload')
    await upload.tap('#upload', (d) => !d.uploading)
    expect(upload.text('#error')).toMatch(/^SESSION_EXPIRED: /)
    expect(app.navigations).toEqual(['/pages/login/index'])
  })
})

describe('settings page', () => {
  it('shows the stored settings and switches the carrier to the URL', async () => {
    app = await launchDemo({ baseURL: server.url })
    const settings = await app.open('settings')
    expect(settings.data.mode).toBe('cookie')
    expect(settings.data.baseURL).toBe(server.url)
    await settings.change('#mode', 'url')
    await settings.tap('#save', (d) => d.saved)
    expect(settings.text('#saved')).toBe(`Saved: url mode, ${server.url}`)
    expect(app.runtime.wx.getStorageSync('demo:settings')).toEqual({
      mode: 'url',
      baseURL: server.url,
      debug: false,
    })
    const home = await app.open('home')
    expect(home.text('#mode')).toBe('url')
    expect(serverLog.at(-1)).toMatch(/GET \/session → 200, session \S+ \(url\)/)
  })
})

describe('the whole demo (npm run demo)', () => {
  for (const mode of ['cookie', 'header', 'url'] as const) {
    it(`${mode} mode: every step shows what it should`, async () => {
      const lines: string[] = []
      // A longer idle timeout than the script's: a busy test machine must not end the session early.
      const result = await runDemoFlow({ mode, idleMs: 2500, print: (line) => lines.push(line) })
      expect(result.steps).toBe(10)
      expect(lines.filter((l) => l.startsWith(' ✓'))).toHaveLength(10)
      // It opens with the failure: three plain wx.request calls, three sessions.
      expect(lines[1]).toMatch(
        /^ ✓ {2}1\. without the SDK +3 × plain wx\.request → 3 new sessions \([\w-]{4}…, [\w-]{4}…, [\w-]{4}…\)/,
      )
      // Session ids (32 characters from express-session) are masked everywhere in what the demo prints.
      expect(lines.join('\n')).toMatch(/session [\w-]{4}…/)
      expect(lines.join('\n')).not.toMatch(/[\w-]{24,}/)
    })
  }
})
