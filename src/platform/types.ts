// The one seam between the SDK and a mini-program runtime. Everything above src/platform talks to
// this interface only; adapters (wechat.ts for wx/qq/tt/swan/Taro/uni, alipay.ts for my) fill it from the runtime object.

/** The success/fail pair of a callback-style platform call. */
export interface PlatformCallbacks {
  success(result: unknown): void
  fail(error: unknown): void
}

/** A callback-style platform call: `wx.request` and its look-alikes (`my.request`, `Taro.request`…). */
export type PlatformApi = (options: Record<string, unknown> & PlatformCallbacks) => unknown

/** Options handed to request/uploadFile/downloadFile: the platform's own, minus callbacks. */
export interface PlatformCallOptions {
  url: string
  header: Record<string, string>
  [option: string]: unknown
}

/** A received HTTP answer, whatever its status (every status arrives in `success`, PLATFORM.md 1.3). */
export interface PlatformResponse {
  statusCode: number
  /** Response headers as the platform gave them (any casing). */
  header: Record<string, unknown>
  /** Every Set-Cookie line, from the joined header, an array or the `cookies` field. */
  setCookies: string[]
  data: unknown
  /** The platform's own result object, handed back to the caller untouched. */
  raw: unknown
}

/** How a call failed without an HTTP answer. `result` rejects with this, never with a raw object. */
export interface PlatformFailure {
  code: 'TIMEOUT' | 'ABORTED' | 'NETWORK'
  message: string
  raw: unknown
}

/** The platform's task object (RequestTask / UploadTask / DownloadTask). */
export interface PlatformTask {
  abort(): void
  onHeadersReceived?(listener: (result: never) => void): void
  onProgressUpdate?(listener: (result: never) => void): void
}

export interface PlatformCall {
  task: PlatformTask
  result: Promise<PlatformResponse>
}

export interface PlatformStorage {
  /** The stored value, or undefined when missing. Throws when the platform cannot read it. */
  get(key: string): unknown
  /** May throw (quota). */
  set(key: string, value: unknown): void
}

/** What `alipay(my)` returns: pass it as `platform`. Its methods are internal. */
export interface PlatformAdapter {
  readonly name: string
}

export interface Platform extends PlatformAdapter {
  request(options: PlatformCallOptions): PlatformCall
  /** `request` takes `redirect: 'manual'` (WeChat base library 3.2.2+): the SDK follows 3xx itself. */
  manualRedirect?: boolean
  uploadFile(options: PlatformCallOptions): PlatformCall
  downloadFile(options: PlatformCallOptions): PlatformCall
  storage: PlatformStorage
  /** A fresh login code (wx.login). Rejects with a PlatformFailure. */
  login(): Promise<string>
  /** Both return an unsubscribe function. */
  onShow(listener: () => void): () => void
  onHide(listener: () => void): () => void
}
