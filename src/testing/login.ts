// The WeChat side of login (PLATFORM.md section 4, items 32–34): wx.login mints codes, and
// code2Session is what a test server calls instead of api.weixin.qq.com/sns/jscode2session.
import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from './clock.js'

export type Code2SessionResult =
  { openid: string; session_key: string; unionid?: string } | { errcode: number; errmsg: string }

// "用户登录凭证（有效期五分钟）" (miniprogram-api-typings LoginSuccessCallbackResult).
export const CODE_LIFETIME_MS = 5 * 60_000
// 45011: "频率限制，每个用户每分钟100次" (auth.code2Session doc).
const RATE_LIMIT = 100
const RATE_WINDOW_MS = 60_000

const ERRMSG: Record<number, string> = {
  40029: 'invalid code',
  40163: 'code been used', // reported by users (PLATFORM.md 4)
  45011: 'api minute-quota reach limit mustslower retry next minute',
  40226: 'high risk user blocked',
  [-1]: 'system error',
}
const error = (errcode: number): Code2SessionResult => ({
  errcode,
  errmsg: `${ERRMSG[errcode] ?? 'error'}, rid: ${randomBytes(4).toString('hex')}`, // real bodies end with a request id
})

interface Issued {
  openid: string
  sessionKey: string
  issuedAt: number
  used: boolean
}

/** WeChat's servers as seen by one device: shared by a runtime and the runtimes restarted from it. */
export interface Cloud {
  /** Mints a code for `user` and rotates their session_key (typings, checkSession JSDoc). */
  login(appid: string, user: string): string
  code2Session(code: string): Code2SessionResult
  failNext(errcode: number): void
  /** Whether the session_key of the latest login is still valid (wx.checkSession). */
  sessionValid(appid: string, user: string): boolean
  expireSession(appid: string, user: string): void
}

export function openidOf(appid: string, user: string): string {
  // Real openids are 28 characters starting with 'o'; stable per (appid, user).
  return 'o' + createHash('sha256').update(`${appid}\n${user}`).digest('base64url').slice(0, 27)
}

export function createCloud(clock: Clock, unionid = false): Cloud {
  const codes = new Map<string, Issued>()
  const currentKey = new Map<string, string | null>() // openid → valid session_key, null once expired
  const calls = new Map<string, number[]>() // openid → code2Session call times
  const injected: number[] = []

  return {
    login(appid, user) {
      const openid = openidOf(appid, user)
      const sessionKey = randomBytes(16).toString('base64')
      currentKey.set(openid, sessionKey)
      const code = randomBytes(16).toString('hex')
      codes.set(code, { openid, sessionKey, issuedAt: clock.now(), used: false })
      return code
    },
    code2Session(code) {
      const injectedCode = injected.shift()
      if (injectedCode !== undefined) return error(injectedCode)
      const issued = codes.get(code)
      if (!issued || clock.now() - issued.issuedAt > CODE_LIFETIME_MS) return error(40029)
      const now = clock.now()
      const recent = (calls.get(issued.openid) ?? []).filter((t) => now - t < RATE_WINDOW_MS)
      recent.push(now)
      calls.set(issued.openid, recent)
      if (recent.length > RATE_LIMIT) return error(45011)
      // "临时登录凭证 code 只能使用一次" (official login guide); reuse answers 40163 (reported).
      if (issued.used) return error(40163)
      issued.used = true
      // A successful answer carries no errcode at all (reported by users, PLATFORM.md 4).
      const ok: Code2SessionResult = { openid: issued.openid, session_key: issued.sessionKey }
      if (unionid) ok.unionid = 'u' + issued.openid.slice(1)
      return ok
    },
    failNext(errcode) {
      injected.push(errcode)
    },
    sessionValid(appid, user) {
      return !!currentKey.get(openidOf(appid, user))
    },
    expireSession(appid, user) {
      currentKey.set(openidOf(appid, user), null)
    },
  }
}
