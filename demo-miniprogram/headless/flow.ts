// The demo's story, step by step, against a real server: what `npm run demo` prints and what the
// demo test runs. Every step checks what the page shows and what the server saw; a wrong answer
// throws, so a broken SDK cannot print a happy story.
import { launchDemo, type DemoApp, type Settings } from './harness.js'
import { startDemoServer, type DemoServer } from '../server/server.js'

export interface FlowOptions {
  mode?: Settings['mode']
  /** The server's idle timeout for this run (its default is 30 minutes). Default 1500 ms. */
  idleMs?: number
  /** The SDK's own debug log (to the console), as the settings page's switch does. Default false. */
  debug?: boolean
  /** Receives each printed line. Default: nothing is printed. */
  print?: (line: string) => void
}

export interface FlowResult {
  steps: number
  /** Every server log line, in order. */
  serverLog: string[]
}

/**
 * Runs the failure the SDK prevents (plain wx.request: a new session per call), then with the SDK:
 * warm-up → login → bind → orders → upload → idle timeout → renew → restart → logout.
 */
export async function runDemoFlow(options: FlowOptions = {}): Promise<FlowResult> {
  const mode = options.mode ?? 'cookie'
  const idleMs = options.idleMs ?? 1500
  const print = options.print ?? (() => {})
  const serverLog: string[] = []
  let pending: string[] = []
  let app: DemoApp | undefined
  let server: DemoServer | undefined
  let steps = 0

  const step = async (title: string, run: () => Promise<string>): Promise<void> => {
    steps++
    pending = []
    const started = Date.now()
    let outcome: string
    try {
      outcome = await run()
    } catch (error) {
      print(` ✗ ${String(steps).padStart(2)}. ${title.padEnd(22)}${(error as Error).message}`)
      for (const line of pending) print(`        server │ ${line}`)
      throw error
    }
    print(` ✓ ${String(steps).padStart(2)}. ${title.padEnd(22)}${outcome} (${Date.now() - started} ms)`)
    for (const line of pending) print(`        server │ ${line}`)
  }
  const seen = (pattern: RegExp) => pending.filter((line) => pattern.test(line)).length
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`expected ${what}`)
  }

  try {
    server = await startDemoServer({
      idleMs,
      name: 'server',
      code2Session: (code) => app!.runtime.code2Session(code),
      log: (line) => {
        const shown = line.replace(/^server: /, '')
        serverLog.push(shown)
        pending.push(shown)
      },
    })
    print(`miniprogram-session demo: ${mode} mode, demo server ${server.url}, idle timeout ${idleMs} ms`)
    const baseURL = server.url

    let renewed: string | undefined
    let home = undefined as Awaited<ReturnType<DemoApp['open']>> | undefined
    await step('without the SDK', async () => {
      app = await launchDemo({ baseURL, mode, debug: options.debug ?? false })
      const bare = await app.open('bare')
      const calls = bare.data.calls as { id: string; hits: number }[]
      const ids = calls.map((c) => c.id)
      expect(
        calls.length === 3 && new Set(ids).size === 3 && calls.every((c) => c.hits === 1),
        `3 calls, 3 new sessions, got "${bare.text('#calls') || bare.text('#error')}"`,
      )
      expect(
        seen(/GET \/session → 200, new session/) === 3 && seen(/GET \/session → 200, session /) === 0,
        'the server to make a new session for each call',
      )
      return `3 × plain wx.request → 3 new sessions (${ids.join(', ')}): nothing keeps the cookie`
    })

    print(' then the same pages and server through miniprogram-session:')
    await step('launch + warm-up', async () => {
      home = await app!.open('home')
      expect(
        home.text('#session') === 'yes' && home.text('#logged-in') === 'no',
        `home to show a new session, got "${home.text('#state') || home.text('#error')}"`,
      )
      expect(
        seen(/GET \/session → 200, new session/) === 1 && seen(/new session/) === 1,
        'exactly one warm-up creating the session',
      )
      expect(
        seen(new RegExp(`GET /session → 200, session ${home.text('#session-id')} `)) === 1,
        'the page request to come with the warm-up session',
      )
      return 'app.js init() → one warm-up; the page request comes with its session (same id)'
    })

    const login = await app!.open('login')
    await step('login (wx.login)', async () => {
      await login.tap('#login', (d) => d.step !== 'working' && d.step !== 'start')
      expect(login.has('#bind-form'), `the bind form, got step "${login.data.step}" ${login.text('#error')}`)
      expect(
        seen(/POST \/login → 200, new session .*not bound/) === 1,
        'one login that rotates the session id',
      )
      return 'code → POST /login; not bound yet, the bind form is shown'
    })

    await step('bind account', async () => {
      await login.type('#name', 'alice')
      await login.type('#password', 'secret')
      await login.tap('#bind', (d) => d.step === 'done' || d.error !== '')
      expect(
        login.text('#welcome') === 'Welcome, alice',
        `"Welcome, alice", got "${login.text('#welcome') || login.text('#error')}"`,
      )
      return 'POST /bind with the logged-in session → "Welcome, alice"'
    })

    await step('orders', async () => {
      const orders = await app!.open('orders')
      const rows = orders.data.orders as unknown[]
      expect(
        rows.length === 2 && orders.text('#orders').includes('Gift card for alice'),
        `alice's 2 orders, got "${orders.text('#error')}"`,
      )
      expect(
        seen(new RegExp(`GET /orders → 200, session \\S+ \\(${mode}\\)`)) === 1,
        `the session id carried by ${mode}`,
      )
      return `GET /orders with the session in the ${mode} → ${rows.length} orders of alice`
    })

    await step('upload', async () => {
      const upload = await app!.open('upload')
      await upload.tap('#upload', (d) => !d.uploading)
      expect(
        /Server got photo\.png, 29 bytes/.test(upload.text('#uploaded')),
        `the server to get the photo, got "${upload.text('#error')}"`,
      )
      return 'uploadFile carries the session → "Server got photo.png, 29 bytes"'
    })

    await step('server idle timeout', async () => {
      await new Promise((resolve) => setTimeout(resolve, idleMs + 300))
      return `no request for ${idleMs + 300} ms: the server's session is gone`
    })

    await step('automatic renew', async () => {
      const orders = await app!.open('orders')
      expect(
        orders.text('#orders').includes('Gift card for alice'),
        `orders after the renew, got "${orders.text('#error')}"`,
      )
      expect(seen(/GET \/orders → 401/) === 1, 'exactly one 401')
      expect(
        seen(/POST \/login → 200, new session.*bound to "alice"/) === 1,
        'one automatic login, already bound',
      )
      expect(seen(/GET \/orders → 200/) === 1, 'the request retried once')
      renewed = /GET \/orders → 200, session (\S+)/.exec(pending.at(-1) ?? '')?.[1]
      return '401 → warm-up + login by the SDK → the same request retried; the page never saw the 401'
    })

    await step('restart the app', async () => {
      await app!.restart()
      home = await app!.open('home')
      expect(
        home.text('#logged-in') === 'yes' && home.text('#account') === 'alice',
        `the stored session after a cold start, got "${home.text('#state') || home.text('#error')}"`,
      )
      expect(seen(/new session/) === 0, 'no new session (no warm-up, no login)')
      expect(
        renewed !== undefined && seen(new RegExp(`session ${renewed} `)) === 1,
        `the session from before the restart (${renewed})`,
      )
      return 'cold start: the stored session is used at once, still alice'
    })

    await step('logout', async () => {
      await home!.tap('#logout', (d) => !d.loading && (d.error !== '' || d.state?.loggedIn === false))
      expect(seen(/POST \/logout → 200/) === 1, 'the logout call')
      expect(
        home!.text('#logged-in') === 'no',
        `logged out, got "${home!.text('#state') || home!.text('#error')}"`,
      )
      return 'POST /logout, local session cleared; home shows a fresh anonymous session'
    })
    return { steps, serverLog }
  } finally {
    app?.close()
    await server?.close()
  }
}
