/** One request as a test server saw it, in arrival order. */
export interface ServerEvent {
  at: number
  method: string
  path: string
  /** The session id the server resolved for this request, if any. */
  sid?: string
  event?: 'warmup' | 'login' | 'logout' | 'keepalive' | 'expired' | 'unauthorized' | 'bind' | 'upload' | 'download'
  /** Where the session id came from: the cookie, the session header, or the URL (`;jsessionid=` / `?PHPSESSID=`). */
  via?: 'cookie' | 'header' | 'url'
  status?: number
}

export type Code2Session = (code: string) => { openid: string; session_key: string } | { errcode: number; errmsg: string }

export type Fault = { status: number } | 'hang' | 'reset'

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  events: ServerEvent[]
  count(event: ServerEvent['event']): number
  /** Server-side idle expiry of every session, as the server's GC would do. */
  expireAll(): Promise<void> | void
  /** The next `times` calls to the route fail with `how`. */
  fail(route: 'warmup' | 'login', times: number, how: Fault): void
  close(): Promise<void>
}
