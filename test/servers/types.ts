// The real session servers the test suite runs against, on 127.0.0.1 and free ports:
//   const server = await startExpressServer({ code2Session: runtime.code2Session, now: clock.now })
//   const api = await startWeChatApi(runtime.code2Session)       // PHP calls it over HTTP
//   const php = await startPhpServer({ code2SessionUrl: api.url }) // gate: requires('php', hasPhp(), …)
//   …; afterAll(() => Promise.all([server.close(), php.close(), api.close()]))
// Both serve /session (warm-up), /login {code}, /bind, /logout, /me, /orders, /biz/orders,
// /keepalive; express adds /upload, /download, /cookies/extra, /cookies/delete, /api/echo-cookie.
/** One request as a test server saw it, in arrival order. */
export interface ServerEvent {
  at: number
  method: string
  path: string
  /** The session id the server resolved for this request, if any. */
  sid?: string
  event?:
    'warmup' | 'login' | 'logout' | 'keepalive' | 'expired' | 'unauthorized' | 'bind' | 'upload' | 'download'
  /** Where the session id came from: the cookie, the session header, or the URL (`;jsessionid=` / `?PHPSESSID=`). */
  via?: 'cookie' | 'header' | 'url'
  status?: number
}

export type Code2Session = (
  code: string,
) => { openid: string; session_key: string } | { errcode: number; errmsg: string }

export type Fault = { status: number } | 'hang' | 'reset'

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  events: ServerEvent[]
  count(event: ServerEvent['event']): number
  /** Server-side idle expiry of every session, as the server's GC would do. */
  expireAll(): Promise<void> | void
  /** Out-of-process servers (PHP): the time their idle timeout goes by, from the test's clock. */
  setNow?(ms: number): void
  /** The next `times` calls to the route fail with `how`. */
  fail(route: 'warmup' | 'login', times: number, how: Fault): void
  /** Express only: the next request to `path` is received (and recorded) but not routed until `release()`. */
  hold?(path: string): () => void
  close(): Promise<void>
}
