// express 5 + express-session behind a CSRF check, in-process on 127.0.0.1, for the CSRF tests:
//   protection 'double-submit': the csrf-csrf package (v4): the token is the value of the HttpOnly
//     cookie `__Host-psifi.x-csrf-token`, an HMAC bound to the session id, echoed in `x-csrf-token`;
//   protection 'synchronizer': a token kept in the session (csrf-sync's model, written out here:
//     that package is not installed), handed out only by GET /csrf in the body `{ csrfToken }`
//     or the `X-CSRF-Token` response header; `oneTime` deletes it on every check, as ThinkPHP does.
// Routes: GET /session (warm-up), GET /csrf, POST /login {code} (checked through the code2Session
// HTTP endpoint), GET /me, POST /orders, POST /logout. Every unsafe route is CSRF-checked (also
// /login, as Django does against login CSRF); /me and /orders answer 401 without a logged-in session.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createFaults } from './faults.js'
import type { AddressInfo } from 'node:net'
import cookieParser from 'cookie-parser'
import { doubleCsrf } from 'csrf-csrf'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import type { ServerEvent, TestServer } from './types.js'

declare module 'express-session' {
  interface SessionData {
    openid: string
    lastSeen: number
    csrfToken: string
  }
}

/** One request as a CSRF test server saw it. */
export interface CsrfServerEvent extends ServerEvent {
  /** The request's headers whose name mentions csrf or xsrf (lower-case name → value). */
  tokenHeaders: Record<string, string>
  /** Unsafe methods only: what the CSRF check decided. */
  csrf?: 'passed' | 'rejected'
}

/** A session server with a CSRF check (express + csrf-csrf, express + synchronizer token, Django). */
export interface CsrfServer extends TestServer {
  events: CsrfServerEvent[]
  /** The session cookie's name. */
  sessionCookie: string
  /** The cookie the token lives in, when it lives in one. */
  tokenCookie?: string
  /** The request header the server reads the token from. */
  tokenHeader: string
}

export interface CsrfExpressOptions {
  /** `http://127.0.0.1:<port>` of a code2Session endpoint (test/servers/wechat-api.ts). */
  code2SessionUrl: string
  protection: 'double-submit' | 'synchronizer'
  /** Synchronizer: where GET /csrf puts the token. Default 'body'. */
  tokenIn?: 'body' | 'header'
  /** Synchronizer: the token is deleted by every check, passed or not (ThinkPHP). Default false. */
  oneTime?: boolean
}

const SECRET = 'miniprogram-session csrf test secret'
const SESSION_COOKIE = 'connect.sid'
const CSRF_COOKIE = '__Host-psifi.x-csrf-token'
const CSRF_HEADER = 'x-csrf-token'
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

async function code2Session(base: string, code: string): Promise<{ openid?: string; errcode?: number }> {
  const url = `${base}/sns/jscode2session?appid=wxtestappid&secret=s&js_code=${encodeURIComponent(code)}&grant_type=authorization_code`
  return (await (await fetch(url)).json()) as { openid?: string; errcode?: number }
}

export async function startCsrfExpressServer(options: CsrfExpressOptions): Promise<CsrfServer> {
  const { protection } = options
  const events: CsrfServerEvent[] = []
  const faults = createFaults()
  const store = new session.MemoryStore()
  const ev = (res: Response): CsrfServerEvent => res.locals.ev as CsrfServerEvent

  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => SECRET,
    // csrf-csrf's README: bind the token to the session, so a token of another session is refused.
    getSessionIdentifier: (req) => req.sessionID,
  })

  // csrf-sync's check: the header must equal the token stored in the session.
  const synchronizer = (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE.has(req.method)) return next()
    const sent = req.headers[CSRF_HEADER]
    const kept = req.session.csrfToken
    if (options.oneTime) delete req.session.csrfToken
    if (typeof sent === 'string' && sent !== '' && sent === kept) return next()
    next(Object.assign(new Error('invalid csrf token'), { code: 'EBADCSRFTOKEN' }))
  }
  const tokenOf = (req: Request): string => (req.session.csrfToken ??= randomBytes(32).toString('hex'))

  const app = express()
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: SECRET,
      store,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true },
    }),
  )
  app.use((req, res, next) => {
    if (req.session.lastSeen !== undefined) {
      ev(res).sid = req.sessionID
      req.session.lastSeen = Date.now()
    }
    next()
  })
  app.use(cookieParser(), express.json())
  // Mark what the CSRF check decided: it passed if the request got past it.
  app.use((req, res, next) => {
    if (!SAFE.has(req.method)) ev(res).csrf = 'rejected'
    next()
  })
  app.use(protection === 'double-submit' ? doubleCsrfProtection : synchronizer)
  app.use((req, res, next) => {
    if (!SAFE.has(req.method)) ev(res).csrf = 'passed'
    next()
  })

  const loggedIn = (req: Request, res: Response): string | undefined => {
    const openid = req.session.openid
    if (openid) return openid
    ev(res).event = 'unauthorized'
    res.status(401).json({ code: 401, message: 'not logged in' })
    return undefined
  }
  // A fresh double-submit token for this session (csrf-csrf keeps a still-valid cookie's token).
  const doubleSubmit = (req: Request, res: Response, overwrite = false): string | undefined =>
    protection === 'double-submit' ? generateCsrfToken(req, res, { overwrite }) : undefined

  app.get('/session', (req, res) => {
    req.session.lastSeen = Date.now()
    ev(res).sid ??= req.sessionID
    doubleSubmit(req, res)
    res.json({ sessionId: req.sessionID, loggedIn: Boolean(req.session.openid) })
  })

  app.get('/csrf', (req, res) => {
    req.session.lastSeen = Date.now()
    ev(res).sid ??= req.sessionID
    const token = doubleSubmit(req, res) ?? tokenOf(req)
    if (options.tokenIn === 'header') res.setHeader('X-CSRF-Token', token).json({ ok: true })
    else res.json({ csrfToken: token })
  })

  app.post('/login', async (req, res, next) => {
    const code: unknown = req.body?.code
    if (typeof code !== 'string' || !code) {
      res.status(400).json({ errcode: 41008, errmsg: 'missing code' })
      return
    }
    const result = await code2Session(options.code2SessionUrl, code).catch(next)
    if (!result) return
    if (!result.openid) {
      res.status(400).json(result)
      return
    }
    // A new session id on login (fixation defence); its token too: csrf-csrf's is bound to the
    // id, the synchronizer's lived in the old session.
    req.session.regenerate((err) => {
      if (err) return next(err)
      req.session.openid = result.openid!
      req.session.lastSeen = Date.now()
      doubleSubmit(req, res, true)
      res.json({ sessionId: req.sessionID, openid: result.openid })
    })
  })

  app.post('/logout', (req, res, next) => {
    const sid = req.sessionID
    req.session.destroy((err) => {
      if (err) return next(err)
      res.clearCookie(SESSION_COOKIE).json({ ok: true, sid })
    })
  })

  app.get('/me', (req, res) => {
    const openid = loggedIn(req, res)
    if (openid) res.json({ sid: req.sessionID, openid })
  })
  app.post('/orders', (req, res) => {
    const openid = loggedIn(req, res)
    if (openid) res.status(201).json({ sid: req.sessionID, openid, created: req.body ?? null })
  })

  app.use((err: Error & { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    // Both packages answer a bad token with 403 "invalid csrf token", code EBADCSRFTOKEN.
    if (err.code === 'EBADCSRFTOKEN') res.status(403).json({ code: err.code, message: err.message })
    else res.status(500).json({ code: 500, message: err.message })
  })

  const routeEvents: Record<string, ServerEvent['event']> = {
    'GET /session': 'warmup',
    'POST /login': 'login',
    'POST /logout': 'logout',
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const method = req.method ?? 'GET'
    const tokenHeaders: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers))
      if (/csrf|xsrf/i.test(name)) tokenHeaders[name] = String(value)
    const event: CsrfServerEvent = { at: Date.now(), method, path, tokenHeaders }
    const kind = routeEvents[`${method} ${path}`]
    if (kind) event.event = kind
    if (/(^|;\s*)connect\.sid=/.test(req.headers.cookie ?? '')) event.via = 'cookie'
    events.push(event)
    res.on('finish', () => {
      event.status = res.statusCode
    })
    if (faults.apply(kind, req, res)) return
    ;(res as ServerResponse & { locals?: Record<string, unknown> }).locals = { ev: event }
    app(req as Request, res as Response)
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
    sessionCookie: SESSION_COOKIE,
    ...(protection === 'double-submit' ? { tokenCookie: CSRF_COOKIE } : {}),
    tokenHeader: CSRF_HEADER,
    count: (event) => events.filter((e) => e.event === event).length,
    expireAll: () =>
      new Promise<void>((resolve, reject) => {
        store.all((err, all) => {
          if (err) return reject(err as Error)
          for (const sid of Object.keys(all ?? {}))
            events.push({
              at: Date.now(),
              method: '-',
              path: '(expireAll)',
              sid,
              event: 'expired',
              tokenHeaders: {},
            })
          store.clear((e) => (e ? reject(e as Error) : resolve()))
        })
      }),
    fail: (route, times, how) => {
      faults.set(route, times, how)
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
