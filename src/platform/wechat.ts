import { setCookieLines } from '../cookie/index.js'
import type { Platform, PlatformCall, PlatformCallOptions, PlatformFailure, PlatformResponse, PlatformTask } from './types.js'

// The callback-style API shared by wx and its look-alikes (qq, tt, swan). Typed structurally so
// the adapter needs nothing from the runtime's own typings.
type Callbacks = { success(result: unknown): void; fail(error: unknown): void }
type Api = (options: Record<string, unknown> & Callbacks) => unknown
interface WxLike {
  request: Api
  uploadFile: Api
  downloadFile: Api
  login(options: Callbacks): unknown
  getStorageSync(key: string): unknown
  setStorageSync(key: string, value: unknown): void
  removeStorageSync(key: string): void
  onAppShow?(listener: () => void): void
  offAppShow?(listener: () => void): void
  onAppHide?(listener: () => void): void
  offAppHide?(listener: () => void): void
}

function errMsgOf(error: unknown): string {
  const msg = (error as { errMsg?: unknown } | null)?.errMsg
  return typeof msg === 'string' ? msg : String(error)
}

// errMsg is the only reliable signal: "request:fail timeout", "request:fail abort",
// "request:fail interrupted", "…:fail <native message>" (PLATFORM.md 1.4).
function toFailure(error: unknown): PlatformFailure {
  const message = errMsgOf(error)
  const kind = /\btimeout\b|timed out/i.test(message) ? 'timeout' : /\babort/i.test(message) ? 'abort' : 'network'
  return { kind, message, raw: error }
}

function toResponse(result: unknown): PlatformResponse {
  const r = (result ?? {}) as { statusCode?: unknown; header?: unknown; cookies?: unknown; data?: unknown }
  const header = typeof r.header === 'object' && r.header !== null ? (r.header as Record<string, unknown>) : {}
  return {
    statusCode: typeof r.statusCode === 'number' ? r.statusCode : 0,
    header,
    // uploadFile/downloadFile document no header at all, yet iOS sends one with Set-Cookie as an
    // array (weapp-cookie #54, PR #68): setCookieLines takes every shape.
    setCookies: setCookieLines(header, r.cookies),
    data: r.data,
    raw: result,
  }
}

/** Adapts a wx-shaped runtime object (wx, or a test runtime's) to the Platform interface. */
export function wechatPlatform(wx: WxLike, name = 'wechat'): Platform {
  const call = (api: Api, options: PlatformCallOptions): PlatformCall => {
    let task: PlatformTask | undefined
    const result = new Promise<PlatformResponse>((resolve, reject) => {
      task = api.call(wx, {
        ...options,
        success: (r) => resolve(toResponse(r)),
        fail: (e) => reject(toFailure(e)),
      }) as PlatformTask
    })
    return { task: task ?? { abort() {} }, result }
  }
  const subscribe = (on?: (l: () => void) => void, off?: (l: () => void) => void) => (listener: () => void) => {
    on?.call(wx, listener)
    return () => off?.call(wx, listener)
  }
  return {
    name,
    request: (o) => call(wx.request, o),
    uploadFile: (o) => call(wx.uploadFile, o),
    downloadFile: (o) => call(wx.downloadFile, o),
    storage: {
      get(key) {
        try {
          // A missing key reads as '' (PLATFORM.md 3).
          const value = wx.getStorageSync(key)
          return value === '' ? undefined : value
        } catch {
          return undefined
        }
      },
      set: (key, value) => wx.setStorageSync(key, value),
      remove(key) {
        try {
          wx.removeStorageSync(key)
        } catch {
          // Nothing to do: the value stays unreadable to us either way.
        }
      },
    },
    login: () =>
      new Promise<string>((resolve, reject) => {
        wx.login({
          success: (r) => {
            const code = (r as { code?: unknown } | null)?.code
            if (typeof code === 'string' && code) resolve(code)
            else reject(toFailure({ errMsg: `login:fail no code (${errMsgOf(r)})` }))
          },
          fail: (e) => reject(toFailure(e)),
        })
      }),
    onShow: subscribe(wx.onAppShow, wx.offAppShow),
    onHide: subscribe(wx.onAppHide, wx.offAppHide),
  }
}

export function isWxLike(value: unknown): value is WxLike {
  const v = value as Partial<WxLike> | null
  return typeof v === 'object' && v !== null && typeof v.request === 'function' && typeof v.getStorageSync === 'function'
}
