// express 5 + express-session, in-process on 127.0.0.1: the "typical Node backend" the session
// client is tested against. Cookie mode is plain connect.sid; header mode (X-Session-Id) and
// servlet URL mode (;jsessionid=) are mapped onto the same sessions before express-session runs.
import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createFaults } from './faults.js'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import multer from 'multer'
import type { Code2Session, ServerEvent, TestServer } from './types.js'

export type { Code2Session, Fault, ServerEvent, TestServer } from './types.js'

declare module 'express-session' {
  interface SessionData {
    openid: string
    /** `now()` of the last request that used this session; set on every persisted session. */
    lastSeen: number
  }
}

export interface ExpressServerOptions {
  code2Session: Code2Session
  /** Server clock for the idle timeout (tests pass the runtime's fake clock). Default Date.now. */
  now?: () => number
  /** A session idle longer than this is destroyed → 401 on protected routes. Default 30 min. */
  idleTimeoutMs?: number
  /**
   * express-session `rolling` with `cookie.maxAge = idleTimeoutMs`: a new Expires on every response.
   * That cookie date runs on the real clock; the idle timeout itself on `now()`. Default false (session cookie).
   */
  rolling?: boolean
}

const SECRET = 'miniprogram-session test secret'
const COOKIE = 'connect.sid'
const HEADER = 'x-session-id'

// express-session's cookie value is `s:` + cookie-signature's HMAC-SHA256 signature.
const sign = (id: string): string =>
  `s:${id}.${createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, '')}`
const unsign = (value: string): string | undefined => /^s:([^.]+)\./.exec(decodeURIComponent(value))?.[1]

export async function startExpressServer(options: ExpressServerOptions): Promise<TestServer> {
  const now = options.now ?? Date.now
  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000
  const events: ServerEvent[] = []
  const faults = createFaults()
  const holds = new Map<string, Promise<void>>()
  const bound = new Set<string>()
  const store = new session.MemoryStore()

  const app = express()
  app.use(
    session({
      name: COOKIE,
      secret: SECRET,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: options.rolling ?? false,
      cookie: options.rolling ? { maxAge: idleTimeoutMs, httpOnly: true } : { httpOnly: true },
    }),
  )
  const ev = (res: Response): ServerEvent => res.locals.ev as ServerEvent
  // Idle timeout by the injected clock, checked before any route, as the session GC would have done.
  app.use((req, res, next) => {
    const s = req.session
    if (s.lastSeen === undefined) return next()
    if (now() - s.lastSeen <= idleTimeoutMs) {
      ev(res).sid = req.sessionID
      s.lastSeen = now()
      return next()
    }
    events.push({ at: now(), method: req.method, path: ev(res).path, sid: req.sessionID, event: 'expired' })
    s.regenerate(next)
  })
  app.use(express.json(), express.urlencoded({ extended: false }))

  // The openid of the logged-in session, or undefined after answering the "not logged in" reply.
  const loggedIn = (req: Request, res: Response, business = false): string | undefined => {
    const openid = req.session?.openid
    if (openid) return openid
    ev(res).event = 'unauthorized'
    if (business) res.json({ code: -1, message: 'session expired' })
    else res.status(401).json({ code: 401, message: 'not logged in' })
    return undefined
  }

  // GET /slow?ms=N answers like GET /session, N ms late (the session is loaded after the wait).
  app.get(['/session', '/slow'], (req, res) => {
    req.session.lastSeen = now() // modifies the session, so saveUninitialized=false still saves it
    ev(res).sid = req.sessionID
    res.json({ sessionId: req.sessionID, loggedIn: Boolean(req.session.openid) })
  })

  app.post('/login', (req, res, next) => {
    const code: unknown = req.body?.code
    if (typeof code !== 'string' || !code) {
      res.status(400).json({ errcode: 41008, errmsg: 'missing code' })
      return
    }
    const result = options.code2Session(code)
    if ('errcode' in result && result.errcode !== 0) {
      res.status(400).json({ errcode: result.errcode, errmsg: result.errmsg })
      return
    }
    const { openid } = result as { openid: string }
    // Servers rotate the session id on login (session fixation defence, OWASP Session Management).
    req.session.regenerate((err) => {
      if (err) return next(err)
      req.session.openid = openid
      req.session.lastSeen = now()
      res.json({ sessionId: req.sessionID, openid, bind: bound.has(openid) })
    })
  })

  app.post('/bind', (req, res) => {
    const openid = loggedIn(req, res)
    if (!openid) return
    bound.add(openid)
    res.json({ sid: req.sessionID, openid, bind: true, username: req.body?.username })
  })

  app.post('/logout', (req, res, next) => {
    const sid = req.sessionID
    req.session.destroy((err) => {
      if (err) return next(err)
      res.clearCookie(COOKIE).json({ ok: true, sid })
    })
  })

  app.get('/me', (req, res) => {
    const openid = loggedIn(req, res)
    if (openid) res.json({ sid: req.sessionID, openid, bind: bound.has(openid) })
  })
  app.get('/orders', (req, res) => {
    const openid = loggedIn(req, res)
    if (openid) res.json({ sid: req.sessionID, openid, orders: [{ id: 1 }, { id: 2 }] })
  })
  app.post('/orders', (req, res) => {
    const openid = loggedIn(req, res)
    if (openid)
      res.status(201).json({
        sid: req.sessionID,
        openid,
        created: req.body ?? null,
        idempotencyKey: req.get('Idempotency-Key') ?? null,
      })
  })
  // The "business code" expiry: HTTP 200 with { code: -1 } when not logged in.
  app.get('/biz/orders', (req, res) => {
    const openid = loggedIn(req, res, true)
    if (openid) res.json({ code: 0, sid: req.sessionID, openid, orders: [{ id: 1 }] })
  })
  // The same, as an API that wraps every answer: { code, data, message }.
  app.get('/biz/wrapped', (req, res) => {
    const openid = loggedIn(req, res, true)
    if (openid) res.json({ code: 0, data: { openid, orders: [{ id: 1 }] } })
  })
  app.get('/keepalive', (req, res) => {
    if (req.session.lastSeen === undefined) {
      ev(res).event = 'unauthorized'
      res.status(401).json({ code: 401, message: 'no session' })
      return
    }
    res.json({ sid: req.sessionID, loggedIn: Boolean(req.session.openid) })
  })

  app.get('/cookies/extra', (_req, res) => {
    res.append('Set-Cookie', [
      'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/',
      'api_token=t0k3n; Path=/api',
      'dom=1; Domain=127.0.0.1; Path=/',
      'secure_only=1; Path=/; Secure',
      'prefs=compact; Path=/; HttpOnly; SameSite=Lax',
    ])
    res.json({ ok: true })
  })
  app.get('/cookies/delete', (_req, res) => {
    res.append('Set-Cookie', 'theme=; Max-Age=0; Path=/').json({ ok: true })
  })
  app.get('/api/echo-cookie', (req, res) => {
    res.json({ cookie: req.headers.cookie ?? '' })
  })

  app.post('/upload', multer({ storage: multer.memoryStorage() }).any(), (req, res) => {
    ev(res).event = 'upload'
    if (!loggedIn(req, res)) return
    const files = (req.files as Express.Multer.File[] | undefined) ?? []
    const fields = Object.keys((req.body as Record<string, unknown> | undefined) ?? {})
    res
      .type('text/plain')
      .send(
        `fields=${fields.join(',')} files=${files.map((f) => `${f.fieldname}:${f.size}`).join(',')} sid=${req.sessionID}`,
      )
  })
  app.get('/download', (req, res) => {
    ev(res).event = 'download'
    if (!loggedIn(req, res)) return
    res.attachment('hello.txt').type('text/plain').send(`hello ${req.sessionID}\n`)
  })

  // ---- Hooks, retries and bearer tokens (issue 15): routes only, in this one block. ----
  // ALL /echo: what arrived (method, URL, headers, body, session); `?auth=1` answers 401 unless
  // logged in (the body still says what arrived).
  // GET /search?q=: the README's search-as-you-type sample.
  app.get('/search', (req, res) => {
    res.json({ q: req.query.q, results: [] })
  })
  app.all('/echo', (req, res) => {
    const openid = req.session.openid
    const seen = { method: req.method, url: req.originalUrl, header: req.headers, body: req.body ?? null }
    res.status(req.query.auth && !openid ? 401 : 200).json({ ...seen, sid: req.sessionID, openid })
  })
  // GET|POST /flaky/drop?key=K&n=N: the first N calls with key K have their connection destroyed
  // (no answer at all), later ones answer { attempts }.
  const flaky = new Map<string, number>()
  const attempt = (req: Request): number => {
    const key = `${req.path}:${String(req.query.key)}`
    const n = (flaky.get(key) ?? 0) + 1
    flaky.set(key, n)
    return n
  }
  app.all('/flaky/drop', (req, res) => {
    const n = attempt(req)
    if (n <= Number(req.query.n ?? 1)) req.socket.destroy()
    else res.json({ attempts: n, method: req.method })
  })
  // GET /flaky/busy?key=K&n=N&after=S[&date=1][&status=503]: the first N calls with key K answer
  // 503 with `Retry-After: S` (or the HTTP date S seconds after the server's now()); then 200.
  app.all('/flaky/busy', (req, res) => {
    const n = attempt(req)
    if (n > Number(req.query.n ?? 1)) {
      res.json({ attempts: n, at: now() })
      return
    }
    const seconds = Number(req.query.after ?? 1)
    const after = req.query.date ? new Date(now() + seconds * 1000).toUTCString() : String(seconds)
    if (req.query.after !== 'none') res.setHeader('Retry-After', after)
    res.status(Number(req.query.status ?? 503)).json({ code: 503, attempts: n })
  })
  // Bearer tokens (no cookie session): POST /bearer/login turns a code into a token, answered in
  // `Authorization: Bearer <token>` and the body; GET /bearer/me wants that header, else 401.
  const tokens = new Map<string, string>()
  app.post('/bearer/login', (req, res) => {
    const code: unknown = req.body?.code
    const result = typeof code === 'string' ? options.code2Session(code) : undefined
    if (!result || ('errcode' in result && result.errcode !== 0)) {
      res.status(400).json({ errcode: 40029, errmsg: 'invalid code' })
      return
    }
    const token = createHmac('sha256', SECRET).update(`${code}:${tokens.size}`).digest('hex')
    tokens.set(token, (result as { openid: string }).openid)
    res.setHeader('Authorization', `Bearer ${token}`)
    res.json({ token, openid: tokens.get(token) })
  })
  app.get('/bearer/me', (req, res) => {
    const header = req.headers.authorization ?? ''
    const token = /^Bearer (\S+)$/.exec(header)?.[1] ?? ''
    const openid = tokens.get(token)
    if (!openid) res.status(401).json({ code: 401, message: 'no token', header })
    else res.json({ openid, token })
  })
  // ---- end of issue 15's block ----

  // ---- Redirects (issue 12): routes only, in this one block. ----
  // POST /redirect/login {code}: what /login does (the id rotated, the user bound), answered with
  // a 302 to `?to=` (default /me), as a form login does.
  app.post('/redirect/login', (req, res, next) => {
    const result = options.code2Session(String(req.body?.code ?? ''))
    if ('errcode' in result && result.errcode !== 0) {
      res.status(400).json({ errcode: result.errcode, errmsg: result.errmsg })
      return
    }
    req.session.regenerate((err) => {
      if (err) return next(err)
      req.session.openid = (result as { openid: string }).openid
      req.session.lastSeen = now()
      res.redirect(302, String(req.query.to ?? '/me'))
    })
  })
  // ALL /redirect/…: each `cookie=` query value becomes a Set-Cookie line; then `?loop=1` answers
  // 302 to this very URL, `?location=L&status=S` answers S (302) with Location L verbatim (none
  // without `location`), and
  // anything else echoes what arrived (method, URL, Cookie, headers, body, session).
  app.all('/redirect/*rest', (req, res) => {
    const { cookie, loop, location, status } = req.query
    for (const line of [cookie ?? []].flat()) res.append('Set-Cookie', String(line))
    if (loop) {
      res.status(302).setHeader('Location', req.originalUrl)
      res.end()
    } else if (typeof location === 'string' || status) {
      res.status(Number(status ?? 302))
      if (typeof location === 'string') res.setHeader('Location', location)
      res.end()
    } else {
      const { method, originalUrl: url, headers: header } = req
      res.json({
        method,
        url,
        cookie: header.cookie ?? '',
        header,
        body: req.body ?? null,
        openid: req.session.openid,
      })
    }
  })
  // ---- end of issue 12's redirect block ----

  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ code: 500, message: err.message })
  })

  const routeEvents: Record<string, ServerEvent['event']> = {
    'GET /session': 'warmup',
    'POST /login': 'login',
    'POST /redirect/login': 'login',
    'POST /logout': 'logout',
    'GET /keepalive': 'keepalive',
    'POST /bind': 'bind',
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    let url = req.url ?? '/'
    let sid: string | undefined
    let via: ServerEvent['via']
    // Tomcat's URL rewriting: the id rides in a path parameter before the query.
    const m = /;jsessionid=([^?;/#]*)/i.exec(url)
    if (m) {
      url = url.slice(0, m.index) + url.slice(m.index + m[0].length)
      sid = decodeURIComponent(m[1] ?? '')
      via = 'url'
    }
    const header = req.headers[HEADER]
    if (typeof header === 'string' && header) {
      sid = header
      via = 'header'
    }
    const cookies = (req.headers.cookie ?? '').split(/;\s*/).filter(Boolean)
    const others = cookies.filter((c) => !c.startsWith(`${COOKIE}=`))
    if (sid) req.headers.cookie = [...others, `${COOKIE}=${encodeURIComponent(sign(sid))}`].join('; ')
    else if (others.length < cookies.length) via = 'cookie'
    req.url = url

    const path = url.split('?')[0] ?? '/'
    const method = req.method ?? 'GET'
    const event: ServerEvent = { at: now(), method, path }
    const kind = routeEvents[`${method} ${path}`]
    if (kind) event.event = kind
    if (via) event.via = via
    events.push(event)
    res.on('finish', () => {
      event.status = res.statusCode
    })

    // Expose the new or rotated id for header mode: express-session's own header hook has set
    // the connect.sid cookie by the time this writeHead runs (it wraps this one, later).
    const writeHead = res.writeHead
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const set = res.getHeader('set-cookie')
      const line = (Array.isArray(set) ? set : [String(set ?? '')]).find((c) => c.startsWith(`${COOKIE}=`))
      const id = line && unsign(line.slice(COOKIE.length + 1).split(';')[0] ?? '')
      if (id) res.setHeader('X-Session-Id', id)
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
    } as typeof res.writeHead

    if (faults.apply(kind, req, res)) return
    ;(res as ServerResponse & { locals?: Record<string, unknown> }).locals = { ev: event }
    const slow = event.path === '/slow' ? Number(/[?&]ms=(\d+)/.exec(url)?.[1] ?? 300) : 0
    const held = holds.get(event.path) ?? (slow ? new Promise((r) => setTimeout(r, slow)) : undefined)
    holds.delete(event.path)
    if (held) void held.then(() => app(req as Request, res as Response))
    else app(req as Request, res as Response)
  }

  const server = createServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    events,
    count: (event) => events.filter((e) => e.event === event).length,
    expireAll: () =>
      new Promise<void>((resolve, reject) => {
        store.all((err, all) => {
          if (err) return reject(err as Error)
          for (const sid of Object.keys(all ?? {}))
            events.push({ at: now(), method: '-', path: '(expireAll)', sid, event: 'expired' })
          store.clear((e) => (e ? reject(e as Error) : resolve()))
        })
      }),
    fail: (route, times, how) => {
      faults.set(route, times, how)
    },
    hold: (path) => {
      let release!: () => void
      holds.set(path, new Promise<void>((resolve) => (release = resolve)))
      return release
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
