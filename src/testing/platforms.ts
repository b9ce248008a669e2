// The other mini-program runtimes (PLATFORM.md section 6, emulation items 35–38) and the Taro /
// uni-app APIs, as faithful objects over the same emulation as wx: real HTTP, the same storage
// disk, login cloud, clock and lifecycle, with each platform's call shapes and quirks on top.
//   const rt = createRuntime({ profile: platformProfiles.my }); const my = asPlatform(rt, 'my')
import { CookieJar } from '../cookie/index.js'
import { NATIVE_COOKIES } from './network.js'
import type { Profile } from './profile.js'
import type { Runtime } from './runtime.js'
import type { NativeCookies } from './transport.js'

export type PlatformName = 'wx' | 'qq' | 'tt' | 'swan' | 'my'

// Platform objects are loosely shaped on purpose: each wrapper reshapes another platform's calls.
/** A runtime object or options bag as the platform APIs pass them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyObject = Record<string, any>
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (options: AnyObject) => any

// `redirect: 'manual'` is documented for WeChat only: the others follow every 3xx [guess: the
// option is ignored], which a base library below 3.2.2 gives (their SDKVersion is their own).
const NO_MANUAL_REDIRECT = '1.0.0'

/** The profile each platform's runtime is created with (spread into `createRuntime({ profile })`). */
export const platformProfiles: Readonly<Record<PlatformName, Partial<Profile>>> = Object.freeze({
  wx: {},
  // Item 37: on Android several Set-Cookie are joined by ';' (weapp-cookie #39); no res.cookies
  // [guess: its docs list none], so the joined header is all a client gets.
  qq: { setCookieJoin: ';', cookiesArray: false, baseLibrary: NO_MANUAL_REDIRECT },
  // Item 36: `set-cookie` lower-cased and joined (tt.request doc); res.cookies stays internal, the
  // wrapper needs the lines for the native jar and removes them.
  tt: { baseLibrary: NO_MANUAL_REDIRECT },
  // Item 38: joined with ',' (reported); the result is {data, statusCode, header} (swan.request doc).
  swan: { cookiesArray: false, baseLibrary: NO_MANUAL_REDIRECT },
  // Item 35: lower-case response header names; res.cookies stays internal (the native jar's).
  my: { headerCase: 'lower', baseLibrary: NO_MANUAL_REDIRECT },
})

export interface PlatformApiOptions {
  /**
   * tt only: app.json `{"cookie":{"enableStore":true}}` (base library 2.45.0): an RFC 6265 native
   * jar, with "an explicit Cookie header wins on conflict" (tt network/cookie doc). Default false.
   */
  nativeCookies?: boolean
}

/** Splits success/fail/complete off `o`; `done(ok, result)` calls them the platform's way. */
function callbacks(o: AnyObject): { rest: AnyObject; done: (ok: boolean, result: object) => void } {
  const { success, fail, complete, ...rest } = o
  return {
    rest,
    done(ok, result) {
      try {
        if (ok) success?.(result)
        else fail?.(result)
      } finally {
        complete?.(result)
      }
    },
  }
}

/** Cookie header of a native jar plus an explicit one, the explicit pairs winning by name. */
function mergeCookies(native: string, explicit: unknown): string {
  const own = typeof explicit === 'string' ? explicit.trim() : ''
  const names = new Set(own.split(';').map((p) => p.split('=')[0]!.trim()))
  const kept = native ? native.split('; ').filter((p) => !names.has(p.split('=')[0]!)) : []
  return [...kept, ...(own ? [own] : [])].join('; ')
}

/**
 * A native jar as the emulated network applies it at every redirect hop: its cookies for the
 * hop's URL with the explicit Cookie header (as `honoured` lets it through), and each hop's
 * Set-Cookie for that hop's URL, so a third party's never lands on the backend.
 */
function nativeJar(jar: CookieJar, honoured: (explicit: unknown) => unknown): NativeCookies {
  return {
    header: (url, explicit) => mergeCookies(jar.getCookieHeader(url), honoured(explicit)),
    store: (url, lines) => void jar.setCookies(lines, url),
  }
}

const suspendedToBackground = (api: string, e: AnyObject): AnyObject =>
  // Douyin: "网络请求接口调用都会无法调用，并回调错误信息 app in background" (tt network doc).
  /suspend|interrupted/.test(String(e['errMsg'])) ? { ...e, errMsg: `${api}:fail app in background` } : e

function douyin(rt: Runtime, nativeCookies: boolean): AnyObject {
  const wx = rt.wx as unknown as AnyObject
  const jar = nativeCookies ? new CookieJar({ now: () => rt.clock.now() }) : undefined
  const wrap =
    (api: 'request' | 'uploadFile' | 'downloadFile'): Fn =>
    (o) => {
      const { rest, done } = callbacks(o)
      return wx[api]({
        ...rest,
        // The native jar at every hop, an explicit Cookie header winning name by name.
        ...(jar ? { [NATIVE_COOKIES]: nativeJar(jar, (explicit) => explicit) } : {}),
        success: (r: AnyObject) => {
          const { cookies: _internal, header: h, ...result } = r
          if (h) {
            // "set-cookie" lower-cased, still one joined string (tt.request doc).
            const out: AnyObject = {}
            for (const [k, v] of Object.entries(h as AnyObject))
              out[k.toLowerCase() === 'set-cookie' ? 'set-cookie' : k] = v
            result['header'] = out
          }
          done(true, result)
        },
        fail: (e: AnyObject) => done(false, suspendedToBackground(api, e)),
      })
    }
  return {
    ...wx,
    request: wrap('request'),
    uploadFile: wrap('uploadFile'),
    downloadFile: wrap('downloadFile'),
  }
}

function baidu(rt: Runtime): AnyObject {
  const wx = rt.wx as unknown as AnyObject
  return {
    ...wx,
    request(o: AnyObject) {
      const dataType = o['dataType'] ?? 'json'
      if (dataType !== 'json' && dataType !== 'string') {
        // "dataType: string / json" only (swan.request doc); the failure text is a [guess].
        const { done } = callbacks(o)
        setImmediate(() =>
          done(false, { errMsg: `request:fail parameter error: dataType ${String(dataType)}`, errCode: 202 }),
        )
        return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
      }
      return wx['request']({ ...o, dataType: dataType === 'string' ? 'text' : 'json' })
    },
  }
}

// my.request error codes (my.request doc): 9 abort, 12 network, 13 timeout, 14 JSON decode, 19 HTTP error.
function alipayError(e: AnyObject): AnyObject {
  const msg = String(e['errMsg'] ?? '')
  if (/timeout/.test(msg)) return { error: 13, errorMessage: 'request:fail timeout' }
  if (/abort/.test(msg)) return { error: 9, errorMessage: 'request:fail abort' }
  return { error: 12, errorMessage: msg }
}

// "单个 key 允许存储的最大数据长度为 200KB，所有数据存储上限为 10MB" (my.setStorage doc).
export const ALIPAY_KEY_LIMIT = 200 * 1024

function alipay(rt: Runtime): AnyObject {
  const wx = rt.wx as unknown as AnyObject
  // The hidden native jar: "服务端回设的 cookie … 会设置到小程序进程中，下次…自动将已有的 cookie 带入"
  // (my.request FAQ). It lives in the process, so a cold restart empties it [guess].
  const jar = new CookieJar({ now: () => rt.clock.now() })
  // A Cookie header set by JS is honoured only with enableCookie (10.2.33+): "开启后可在headers中编辑cookie";
  // dropped otherwise, and merged over the native cookies when honoured [guess, item 35].
  const native = (enableCookie: unknown) =>
    nativeJar(jar, (explicit) => (enableCookie === true ? explicit : undefined))
  const file =
    (api: 'uploadFile' | 'downloadFile'): Fn =>
    (o) =>
      // uploadFile/downloadFile take `header` (singular) and answer statusCode/header (my.uploadFile doc).
      wx[api]({ ...o, [NATIVE_COOKIES]: native(false) })

  return {
    request(o: AnyObject) {
      const { rest, done } = callbacks(o)
      const { headers, enableCookie, dataType = 'json', timeout = 30_000, ...others } = rest
      const json = String(dataType).toLowerCase() === 'json'
      const task = wx['request']({
        ...others,
        // "timeout 默认 30000" (my.request doc).
        timeout,
        header: headers,
        [NATIVE_COOKIES]: native(enableCookie),
        dataType: 'text',
        responseType: dataType === 'arraybuffer' ? 'arraybuffer' : 'text',
        success(r: AnyObject) {
          // JS never sees the cookies: "前端获取不到 cookie" (my.request FAQ).
          const { 'set-cookie': _hidden, ...visible } = r['header'] as AnyObject
          let data = r['data']
          if (json && typeof data === 'string' && data !== '') {
            try {
              data = JSON.parse(data)
            } catch {
              return done(false, { error: 14, errorMessage: 'JSON parse data error' })
            }
          }
          const result = { data, status: r['statusCode'], headers: visible }
          const status = r['statusCode'] as number
          // Non-2xx goes to fail with error 19 and still carries status/headers/data (Taro http plugin comment).
          if (status >= 200 && status < 300) done(true, result)
          else done(false, { error: 19, errorMessage: 'http status error', ...result })
        },
        fail: (e: AnyObject) => done(false, alipayError(e)),
      })
      return { abort: () => task.abort() }
    },
    uploadFile: file('uploadFile'),
    downloadFile: file('downloadFile'),
    // {key, data} objects; getStorageSync answers {data} (my.getStorageSync doc).
    setStorageSync({ key, data }: AnyObject) {
      if (Buffer.byteLength(JSON.stringify(data) ?? '') > ALIPAY_KEY_LIMIT) {
        return { error: 12, errorMessage: 'storage item exceeds 200KB' } // code and return-not-throw are a [guess]
      }
      try {
        wx['setStorageSync'](key, data)
        return { success: true }
      } catch (e) {
        return { error: 12, errorMessage: (e as Error).message } // "12: storage full" (my.setStorage doc)
      }
    },
    getStorageSync({ key }: AnyObject) {
      const value = wx['getStorageSync'](key)
      return { data: value === '' ? null : value } // a missing key's data is null [guess]
    },
    removeStorageSync({ key }: AnyObject) {
      wx['removeStorageSync'](key)
      return { success: true }
    },
    // my.getAuthCode in place of wx.login; the code is the same cloud's (my.getAuthCode doc).
    getAuthCode(o: AnyObject) {
      const { done } = callbacks(o)
      wx['login']({
        success: (r: AnyObject) => done(true, { authCode: r['code'] }),
        fail: (e: AnyObject) => done(false, { error: 11, errorMessage: e['errMsg'] }),
      })
    },
    onAppShow: wx['onAppShow'],
    offAppShow: wx['offAppShow'],
    onAppHide: wx['onAppHide'],
    offAppHide: wx['offAppHide'],
  }
}

/**
 * The platform's API object over a runtime created with `platformProfiles[name]`: `wx` and `qq`
 * are the runtime's `wx` itself, the others a faithful wrapper.
 */
export function asPlatform(rt: Runtime, name: PlatformName, options: PlatformApiOptions = {}): AnyObject {
  if (name === 'tt') return douyin(rt, options.nativeCookies === true)
  if (name === 'swan') return baidu(rt)
  if (name === 'my') return alipay(rt)
  return rt.wx as unknown as AnyObject
}

/**
 * Taro's (`@tarojs/taro`) or uni-app's (`uni`) API over a platform object: every call also returns
 * a Promise (Taro's RequestTask extends Promise), callbacks still called. Over Alipay's `my` it
 * does what their Alipay adapters do (PLATFORM.md 6): `header` → lower-cased `headers` (default
 * content-type json), `status`/`headers` → `statusCode`/`header` on success, storage
 * `(key, data)` → `{key, data}`, `login` → `getAuthCode({scopes:'auth_base'})` with `authCode` → `code`.
 */
export function asFramework(api: AnyObject, framework: 'taro' | 'uni'): AnyObject {
  const alipay = typeof api['getAuthCode'] === 'function' && typeof api['login'] !== 'function'
  const call = (
    method: string,
    o: AnyObject,
    mapOk: (r: AnyObject) => AnyObject = (r) => r,
    mapFail: (e: AnyObject) => AnyObject = (e) => e,
  ) => {
    const { rest, done } = callbacks(o)
    let task: AnyObject | undefined
    const promise = new Promise<AnyObject>((resolve, reject) => {
      task = api[method]({
        ...rest,
        success: (r: AnyObject) => {
          const out = mapOk(r)
          done(true, out)
          resolve(out)
        },
        fail: (e: AnyObject) => {
          const out = mapFail(e)
          done(false, out)
          reject(out)
        },
      })
    }) as Promise<AnyObject> & AnyObject
    promise['abort'] = () => task?.['abort']?.()
    return promise
  }
  // uni builds errMsg as `${method}:fail ${errorMessage||error}` on Alipay (uni-mp-alipay protocols).
  const failOf = (method: string) => (e: AnyObject) =>
    framework === 'uni' && alipay && e['errMsg'] === undefined
      ? { ...e, errMsg: `${method}:fail ${String(e['errorMessage'] || e['error'])}` }
      : e
  const requestOk = ({ status, headers, ...r }: AnyObject) => ({
    ...r,
    statusCode: status,
    header: headers,
    errMsg: 'request:ok',
  })

  const out: AnyObject = { ...api }
  out['request'] = (o: AnyObject) => {
    if (!alipay) return call('request', o, (r) => r, failOf('request'))
    const { header, ...rest } = o
    const headers: AnyObject = { 'content-type': 'application/json' }
    for (const [k, v] of Object.entries((header ?? {}) as AnyObject)) headers[k.toLowerCase()] = v
    return call('request', { ...rest, headers }, requestOk, failOf('request'))
  }
  for (const m of ['uploadFile', 'downloadFile']) out[m] = (o: AnyObject) => call(m, o, (r) => r, failOf(m))
  out['login'] = (o: AnyObject = {}) =>
    alipay
      ? call(
          'getAuthCode',
          { ...o, scopes: 'auth_base' },
          (r) => ({ code: r['authCode'], errMsg: 'login:ok' }),
          failOf('login'),
        )
      : call('login', o)
  if (alipay) {
    out['setStorageSync'] = (key: string, data: unknown) => {
      const r = api['setStorageSync']({ key, data })
      // Taro and uni surface a failed sync call as a throw, like wx [guess].
      if (r?.error !== undefined) throw new Error(`setStorageSync:fail ${String(r.errorMessage)}`)
    }
    out['getStorageSync'] = (key: string) => {
      const data = api['getStorageSync']({ key })?.data
      return data === null || data === undefined ? '' : data
    }
    out['removeStorageSync'] = (key: string) => void api['removeStorageSync']({ key })
  }
  return out
}
