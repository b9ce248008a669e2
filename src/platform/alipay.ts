import { SessionError } from '../errors.js'
import type {
  Platform,
  PlatformAdapter,
  PlatformApi,
  PlatformCallbacks,
  PlatformCallOptions,
  PlatformFailure,
} from './types.js'
import { callApi, subscriber, toFailure } from './wechat.js'

type Result = { data?: unknown; error?: unknown; errorMessage?: unknown } | undefined

/** Alipay's `my`, typed structurally (PLATFORM.md 6). */
export interface MyLike {
  request: PlatformApi
  uploadFile: PlatformApi
  downloadFile: PlatformApi
  getAuthCode(options: { scopes: string } & PlatformCallbacks): unknown
  getStorageSync(options: { key: string }): unknown
  setStorageSync(options: { key: string; data: unknown }): unknown
  onAppShow?(listener: () => void): void
  offAppShow?(listener: () => void): void
  onAppHide?(listener: () => void): void
  offAppHide?(listener: () => void): void
}

// my.request fails with {error, errorMessage}: 13 timeout, 9 abort ("request:fail abort"),
// 14 JSON decode, 12 network (my.request doc). Anything else is read like a wx errMsg.
function failure(e: unknown): PlatformFailure {
  const { error, errorMessage } = (e ?? {}) as Exclude<Result, undefined>
  if (typeof error !== 'number') return toFailure(e)
  return {
    code: error === 13 ? 'TIMEOUT' : error === 9 ? 'ABORTED' : 'NETWORK',
    message: `my.request:fail ${error} ${String(errorMessage ?? '')}`,
    raw: e,
  }
}

function requestOptions({
  header,
  dataType,
  responseType,
  ...rest
}: PlatformCallOptions): Record<string, unknown> {
  // `headers`, keys and values strings (my.request doc). enableCookie (client 10.2.33+) makes the
  // native layer honour a Cookie header we set; without it ours would be dropped (PLATFORM.md 6).
  const headers: Record<string, string> = {}
  for (const k in header) headers[k] = String(header[k])
  const type =
    responseType === 'arraybuffer'
      ? 'arraybuffer'
      : dataType === undefined || dataType === 'json'
        ? 'json'
        : 'text'
  return { ...rest, headers, enableCookie: true, dataType: type }
}

/**
 * The Alipay adapter: `init({ platform: alipay(my) })`. Cookie mode on Alipay: the native jar
 * keeps and replays the server's cookies, which JS never sees; ours only adds what the app set.
 * Header mode works as everywhere.
 */
export function alipay(my: MyLike = (globalThis as { my?: MyLike }).my as MyLike): PlatformAdapter {
  if (!isMyLike(my)) throw new SessionError('INVALID_OPTION', "`alipay(my)` needs Alipay's `my`")
  const platform: Platform = {
    name: 'alipay',
    request(o) {
      const call = callApi(my, my.request, requestOptions(o), failure)
      // The caller gets the wx shape the SDK's types promise (as Taro and uni do), Alipay's fields kept.
      const result = call.result.then((res) => ({
        ...res,
        raw: { ...(res.raw as object), statusCode: res.statusCode, header: res.header },
      }))
      return { task: call.task, result }
    },
    // my.uploadFile / my.downloadFile take `header` (singular) and answer statusCode/header.
    uploadFile: (o) => callApi(my, my.uploadFile, o, failure),
    downloadFile: (o) => callApi(my, my.downloadFile, o, failure),
    storage: {
      get(key) {
        // getStorageSync({key}) → {data}; a missing key gives no data (my.getStorageSync doc). A
        // throw is the caller's to report.
        const data = (my.getStorageSync({ key }) as Result)?.data
        return data === '' || data === null ? undefined : data
      },
      set(key, data) {
        // 200 KB per key, 10 MB in all, error 12 when full (my.setStorage doc): surface it as a throw.
        const r = my.setStorageSync({ key, data }) as Result
        if (r?.error !== undefined)
          throw new Error(`setStorageSync:fail ${String(r.error)} ${String(r.errorMessage ?? '')}`)
      },
    },
    // my.getAuthCode in place of wx.login; auth_base is the silent scope (my.getAuthCode doc).
    login: () =>
      new Promise<string>((resolve, reject) => {
        my.getAuthCode({
          scopes: 'auth_base',
          success: (r) => {
            const code = (r as { authCode?: unknown } | null)?.authCode
            if (typeof code === 'string' && code) resolve(code)
            else reject(toFailure({ errMsg: 'getAuthCode:fail no authCode' }))
          },
          fail: (e) => reject(failure(e)),
        })
      }),
    onShow: subscriber(my, my.onAppShow, my.offAppShow),
    onHide: subscriber(my, my.onAppHide, my.offAppHide),
  }
  return platform
}

export function isMyLike(value: unknown): value is MyLike {
  const v = value as Partial<MyLike> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.request === 'function' &&
    typeof v.getAuthCode === 'function'
  )
}
