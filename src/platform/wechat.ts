import { setCookieLines } from '../cookie/index.js'
import type {
  Platform,
  PlatformCall,
  PlatformCallOptions,
  PlatformFailure,
  PlatformResponse,
  PlatformTask,
  PlatformApi,
  PlatformCallbacks,
} from './types.js'

// The callback-style API shared by wx and its look-alikes (qq, tt, swan, Taro, uni). Typed
// structurally so the adapter needs nothing from the runtime's own typings.
export interface WxLike {
  request: PlatformApi
  uploadFile: PlatformApi
  downloadFile: PlatformApi
  login(options: PlatformCallbacks): unknown
  getStorageSync(key: string): unknown
  setStorageSync(key: string, value: unknown): void
  onAppShow?(listener: () => void): void
  offAppShow?(listener: () => void): void
  onAppHide?(listener: () => void): void
  offAppHide?(listener: () => void): void
  getAppBaseInfo?(): unknown
  getSystemInfoSync?(): unknown
}

/**
 * The base library is 3.2.2 or later, where `wx.request` takes `redirect: 'manual'` (TYPINGS
 * RequestOption.redirect). Read from getAppBaseInfo (2.20.1+) or getSystemInfoSync, not
 * wx.canIUse: it is reported to answer false for what exists (community threads). Taro and uni on
 * H5 give no SDKVersion: their fetch would turn `manual` into an opaque answer.
 */
function takesManualRedirect(wx: WxLike): boolean {
  try {
    const info = Object((wx.getAppBaseInfo || wx.getSystemInfoSync)?.call(wx)) as { SDKVersion?: unknown }
    const [major = 0, minor = 0, patch = 0] = String(info.SDKVersion).split('.').map(Number)
    return major * 1e6 + minor * 1e3 + patch >= 3002002
  } catch {
    return false
  }
}

// errMsg is the only reliable signal: "request:fail timeout", "request:fail abort",
// "request:fail interrupted", "…:fail <native message>" (PLATFORM.md 1.4).
export function toFailure(error: unknown): PlatformFailure {
  const { errMsg } = Object(error) as { errMsg?: unknown }
  const message = typeof errMsg === 'string' ? errMsg : String(error)
  const code = /\btimeout\b|timed out/i.test(message)
    ? 'TIMEOUT'
    : /\babort/i.test(message)
      ? 'ABORTED'
      : 'NETWORK'
  return { code, message, raw: error }
}

const objectOr = (v: unknown): Record<string, unknown> => Object(v) as Record<string, unknown>

// Alipay names them status/headers; Taro and uni rename them on success only, so a framework's
// fail on Alipay still says status/headers (PLATFORM.md 6, Taro http plugin comment).
const statusOf = (r: Record<string, unknown>): unknown => ('statusCode' in r ? r.statusCode : r.status)

function toResponse(result: unknown): PlatformResponse {
  const r = objectOr(result)
  const header = objectOr(r.header || r.headers)
  const status = statusOf(r)
  return {
    statusCode: typeof status === 'number' ? status : 0,
    header,
    // uploadFile/downloadFile document no header at all, yet iOS sends one with Set-Cookie as an
    // array (weapp-cookie #54, PR #68): setCookieLines takes every shape.
    setCookies: setCookieLines(header, r.cookies),
    data: r.data,
    raw: result,
  }
}

const hasLocation = (res: PlatformResponse): boolean =>
  Object.keys(res.header).some((k) => /^location$/i.test(k))

// Alipay's error 19 is "HTTP error": the answer is there. Other codes (14: JSON parse) are not answers.
const isAnswer = (e: Record<string, unknown>): boolean =>
  typeof statusOf(e) === 'number' && (e.error === undefined || e.error === 19)

// Taro's tasks (and its login) are promises that also reject on fail; the callbacks already handle
// it, so an unhandled rejection must not reach the app.
const quiet = (value: unknown): void => {
  if (value instanceof Promise) value.catch(() => {})
}

/**
 * Runs one callback-style call. A `fail` that still carries an HTTP status is an answer, not a
 * failure: Alipay sends every non-2xx there (error 19), and so do Taro/uni on Alipay.
 */
export function callApi(
  self: unknown,
  api: PlatformApi,
  options: Record<string, unknown>,
  failure: (error: unknown) => PlatformFailure = toFailure,
): PlatformCall {
  let task: PlatformTask | undefined
  // Under `redirect: 'manual'` a 3xx is documented to fire onHeadersReceived and end the request
  // (TYPINGS RequestOption.redirect); what success or fail gets then is a guess (PLATFORM.md 14):
  // the 3xx as heard stands in for a result without its Location, or for a fail.
  let heard: PlatformResponse | undefined
  const redirect = (): PlatformResponse | undefined =>
    heard && heard.statusCode > 299 && heard.statusCode < 400 && hasLocation(heard) ? heard : undefined
  const result = new Promise<PlatformResponse>((resolve, reject) => {
    task = api.call(self, {
      ...options,
      success: (r) => {
        const res = toResponse(r)
        resolve((!hasLocation(res) && redirect()) || res)
      },
      fail: (e) => {
        const answer = isAnswer(objectOr(e)) ? toResponse(e) : redirect()
        if (answer) resolve(answer)
        else reject(failure(e))
      },
    }) as PlatformTask
  })
  quiet(task)
  if (options.redirect === 'manual' && task && task.onHeadersReceived)
    task.onHeadersReceived((event: never) => (heard = toResponse(event)))
  // Promise-returning frameworks (Taro) give a task that is also a thenable: only abort is ours.
  return { task: task && typeof task.abort === 'function' ? task : { abort() {} }, result }
}

/** Returns on/off listener registration as one subscribe function giving an unsubscribe. */
export const subscriber =
  (self: unknown, on?: (l: () => void) => void, off?: (l: () => void) => void) => (listener: () => void) => {
    if (on) on.call(self, listener)
    return () => {
      if (off) off.call(self, listener)
    }
  }

/** Adapts a wx-shaped runtime object (wx, qq, tt, swan, Taro, uni, or a test runtime's) to the Platform interface. */
export function wechatPlatform(
  wx: WxLike,
  name = 'wechat',
  requestOptions: (o: PlatformCallOptions) => Record<string, unknown> = (o) => o,
): Platform {
  return {
    name,
    request: (o) => callApi(wx, wx.request, requestOptions(o)),
    // WeChat's own base library versions only: qq, tt and swan number theirs differently.
    manualRedirect: name === 'wechat' && takesManualRedirect(wx),
    uploadFile: (o) => callApi(wx, wx.uploadFile, o),
    downloadFile: (o) => callApi(wx, wx.downloadFile, o),
    storage: {
      get(key) {
        // A missing key reads as '' (PLATFORM.md 3). A throw is the caller's to report.
        const value = wx.getStorageSync(key)
        return value === '' ? undefined : value
      },
      set: (key, value) => wx.setStorageSync(key, value),
    },
    login: () =>
      new Promise<string>((resolve, reject) => {
        quiet(
          wx.login({
            success: (r) => {
              const { code } = objectOr(r)
              if (typeof code === 'string' && code) resolve(code)
              else reject(toFailure({ errMsg: 'login:fail no code' }))
            },
            fail: (e) => reject(toFailure(e)),
          }),
        )
      }),
    onShow: subscriber(wx, wx.onAppShow, wx.offAppShow),
    onHide: subscriber(wx, wx.onAppHide, wx.offAppHide),
  }
}

export function isWxLike(value: unknown): value is WxLike {
  const v = Object(value) as Partial<WxLike>
  return typeof v.request === 'function' && typeof v.getStorageSync === 'function'
}
