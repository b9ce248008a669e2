// The demo's backend: an ordinary express + express-session app, written the way a mini-program
// backend usually is. Nothing here knows about miniprogram-session; the SDK adapts to the server.
import { createHmac } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import type { NextFunction, Request, Response } from 'express'
import session from 'express-session'
import multer from 'multer'
import { RedisStore } from 'connect-redis'
import { createClient } from 'redis'

/** What WeChat's `jscode2session` answers (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html). */
export type Code2SessionResult = { openid: string; session_key: string } | { errcode: number; errmsg: string }
export type Code2Session = (code: string) => Code2SessionResult | Promise<Code2SessionResult>

export interface DemoServerOptions {
  /** Idle timeout of a session. Default: env `SESSION_IDLE_MS`, else 30 minutes (Tomcat's and PHP's usual value). */
  idleMs?: number
  /** Redis for the session store, so several server processes share sessions. Default: env `REDIS_URL`, else memory. */
  redisUrl?: string
  /** Checks a `wx.login` code. Default: WeChat's API with env `WX_APPID` / `WX_SECRET`. */
  code2Session?: Code2Session
  /** Default: 0, a free port. */
  port?: number
  /** Default: '127.0.0.1'; '0.0.0.0' to reach it from a phone on the same network. */
  host?: string
  /** Name shown in answers (`servedBy`), to see which process served a request. */
  name?: string
  /** openid → bound account: your user table. Pass one Map to several servers to share it. Default: a new Map. */
  accounts?: Map<string, { name: string }>
  secret?: string
  log?: (line: string) => void
}

export interface DemoServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  close(): Promise<void>
}

declare module 'express-session' {
  interface SessionData {
    createdAt: number
    hits: number
    openid: string
    user: { name: string }
  }
}

export const COOKIE_NAME = 'sid'
export const SESSION_HEADER = 'x-session-id'

const envIdle = Number(process.env.SESSION_IDLE_MS)
const DEFAULT_IDLE_MS = envIdle > 0 ? envIdle : 30 * 60_000

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS
  const secret = options.secret ?? process.env.SESSION_SECRET ?? 'demo-secret, change me'
  const name = options.name ?? 'demo'
  const log = options.log ?? (() => {})
  const code2Session = options.code2Session ?? wechatCode2Session
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL
  const accounts = options.accounts ?? new Map<string, { name: string }>()

  const redis = redisUrl ? createClient({ url: redisUrl }) : undefined
  if (redis) {
    // Without a listener node-redis throws connection errors as uncaught exceptions.
    redis.on('error', (error: Error) => log(`${name}: redis: ${error.message}`))
    await redis.connect()
  }

  const app = express()
  app.use(sessionFromHeaderOrUrl(secret))
  app.use(
    session({
      name: COOKIE_NAME,
      secret,
      resave: false,
      // No session until a route stores something: a bare request must not create one.
      saveUninitialized: false,
      // Idle timeout: each answer pushes the expiry `idleMs` further, in the store and in the cookie.
      cookie: { maxAge: idleMs, httpOnly: true, sameSite: 'lax' },
      rolling: true,
      ...(redis ? { store: new RedisStore({ client: redis, prefix: 'demo:' }) } : {}),
    }),
  )
  app.use(express.json())

  // One log line per request: which session it came with (and how), and what it ended with.
  app.use((req, res, next) => {
    const known = req.session.createdAt !== undefined
    const sentWith = req.sessionID
    if (known) req.session.hits = (req.session.hits ?? 0) + 1
    res.on('finish', () => {
      const current = req.session?.createdAt !== undefined ? req.sessionID : undefined
      const via = (req as { sessionVia?: string }).sessionVia
      let sid = 'no session'
      if (current)
        sid =
          !known || current !== sentWith
            ? `new session ${mask(current)}`
            : `session ${mask(current)} (${via})`
      log(
        `${name}: ${req.method} ${req.path} → ${res.statusCode}, ${sid}${res.locals.note ? `, ${res.locals.note}` : ''}`,
      )
    })
    next()
  })

  const state = (req: Request) => ({
    session: req.session.createdAt !== undefined,
    /** The session id, masked: enough to tell sessions apart. */
    id: req.session.createdAt !== undefined ? mask(req.sessionID) : null,
    loggedIn: req.session.openid !== undefined,
    bound: req.session.user !== undefined,
    user: req.session.user ?? null,
    hits: req.session.hits ?? 0,
    servedBy: name,
  })

  // Warm-up: the blank call that creates the session before anything else happens.
  app.get('/session', (req, res) => {
    if (req.session.createdAt === undefined) {
      req.session.createdAt = Date.now()
      req.session.hits = 1
    }
    res.json(state(req))
  })

  app.post('/login', async (req, res, next) => {
    const code = (req.body as { code?: unknown } | undefined)?.code
    if (typeof code !== 'string' || !code) return void res.status(400).json({ errmsg: 'code is required' })
    const answer = await code2Session(code)
    if ('errcode' in answer && answer.errcode !== 0) {
      res.locals.note = `code2Session errcode ${answer.errcode}`
      return void res.status(400).json({ errcode: answer.errcode, errmsg: answer.errmsg })
    }
    const { openid } = answer as { openid: string }
    // A new id on login, against session fixation (OWASP); the SDK picks the new one up.
    req.session.regenerate((err) => {
      if (err) return next(err)
      const user = accounts.get(openid)
      req.session.createdAt = Date.now()
      req.session.hits = 1
      req.session.openid = openid
      if (user) req.session.user = user
      res.locals.note = `openid ${openid.slice(0, 6)}…, ${user ? `bound to "${user.name}"` : 'not bound'}`
      res.json(state(req))
    })
  })

  const needLogin = (req: Request, res: Response, next: NextFunction) => {
    if (req.session.openid === undefined) {
      return void res.status(401).json({ errmsg: 'login required' })
    }
    next()
  }
  const needAccount = (req: Request, res: Response, next: NextFunction) => {
    if (req.session.user === undefined) return void res.status(403).json({ errmsg: 'bind an account first' })
    next()
  }

  app.post('/bind', needLogin, (req, res) => {
    const { name: account, password } = (req.body ?? {}) as { name?: unknown; password?: unknown }
    if (typeof account !== 'string' || !account.trim() || typeof password !== 'string' || !password) {
      return void res.status(400).json({ errmsg: 'account name and password are required' })
    }
    const user = { name: account.trim() }
    accounts.set(req.session.openid!, user)
    req.session.user = user
    res.locals.note = `bound to "${user.name}"`
    res.json(state(req))
  })

  app.get('/orders', needLogin, needAccount, (req, res) => {
    const user = req.session.user!
    res.json({
      ...state(req),
      orders: [
        { id: 'A-1001', title: 'Green tea, 250 g', amount: 4200 },
        { id: 'A-1002', title: `Gift card for ${user.name}`, amount: 10000 },
      ],
    })
  })

  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 1 << 20 } })
  app.post('/upload', needLogin, upload.single('file'), (req, res) => {
    if (!req.file) return void res.status(400).json({ errmsg: 'no file' })
    res.json({ ...state(req), file: { name: req.file.originalname, size: req.file.size } })
  })

  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err)
      res.locals.note = 'logged out'
      res.clearCookie(COOKIE_NAME).json({ ok: true })
    })
  })

  const server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1')
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject))
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      (closing ??= (async () => {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        if (redis) await redis.quit()
      })()),
  }
}

/**
 * Header and URL carriers for express-session, which reads only its cookie: an id sent as
 * `X-Session-Id: <id>`, `;jsessionid=<id>` (servlet style) or `?sid=<id>` becomes that cookie,
 * and a new id is announced in an `X-Session-Id` response header.
 */
function sessionFromHeaderOrUrl(secret: string) {
  // express-session's cookie value is `s:` + id + `.` + HMAC-SHA256(id), base64 without padding.
  // Signing a client-sent id grants nothing: ids are unguessable, and an unknown one finds no session.
  const signed = (id: string) =>
    `s:${id}.${createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '')}`
  return (
    req: IncomingMessage & { sessionID?: string; sessionVia?: string | undefined },
    res: ServerResponse,
    next: () => void,
  ) => {
    let id = header(req.headers[SESSION_HEADER])
    req.sessionVia = id ? 'header' : /(^|;\s*)sid=/.test(req.headers.cookie ?? '') ? 'cookie' : undefined
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const pathParam = /;jsessionid=([^/?#]*)/i.exec(url.pathname)
    const queryParam = url.searchParams.get(COOKIE_NAME)
    if (pathParam || queryParam !== null) req.sessionVia = 'url'
    if (pathParam) {
      id = decodeURIComponent(pathParam[1]!)
      url.pathname = url.pathname.replace(pathParam[0], '')
    }
    if (queryParam !== null) {
      id = queryParam
      url.searchParams.delete(COOKIE_NAME)
    }
    // The routes must not see the id in the path or query.
    if (pathParam || queryParam !== null) req.url = url.pathname + url.search
    if (id) {
      // First, so it wins over a cookie of the same name (the cookie parser keeps the first).
      const cookie = `${COOKIE_NAME}=${encodeURIComponent(signed(id))}`
      req.headers.cookie = req.headers.cookie ? `${cookie}; ${req.headers.cookie}` : cookie
    }
    // Runs after express-session's own header hook, so its Set-Cookie is visible here.
    const writeHead = res.writeHead
    res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
      const setCookie = [res.getHeader('set-cookie') ?? []].flat().map(String)
      if (req.sessionID && setCookie.some((c) => c.startsWith(`${COOKIE_NAME}=s`)))
        res.setHeader('X-Session-Id', req.sessionID)
      return writeHead.apply(this, args)
    } as typeof writeHead
    next()
  }
}

const header = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value) || undefined

const mask = (id: string) => `${id.slice(0, 4)}…`

/** WeChat's code2Session over HTTP (WX_API_BASE points it elsewhere, e.g. at a test double). */
async function wechatCode2Session(code: string): Promise<Code2SessionResult> {
  const appid = process.env.WX_APPID
  const secret = process.env.WX_SECRET
  if (!appid || !secret)
    return { errcode: -1, errmsg: 'set WX_APPID and WX_SECRET to check codes with WeChat' }
  const query = new URLSearchParams({ appid, secret, js_code: code, grant_type: 'authorization_code' })
  const base = process.env.WX_API_BASE ?? 'https://api.weixin.qq.com'
  const res = await fetch(`${base}/sns/jscode2session?${query}`)
  return (await res.json()) as Code2SessionResult
}
