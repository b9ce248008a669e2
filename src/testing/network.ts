// wx.request / wx.uploadFile / wx.downloadFile over real HTTP (PLATFORM.md sections 1–2, items 4–21).
// No cookie handling of its own: on devices wx.request neither stores nor sends cookies (item 8).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, extname, join } from 'node:path'
import { reportTo, type Callbacks, type Deliver } from './callbacks.js'
import type { Clock } from './clock.js'
import { baseLibraryAtLeast, type Profile } from './profile.js'
import { send, type Exchange, type NativeCookies } from './transport.js'

/**
 * The option key under which a platform wrapper (Alipay's `my`, Douyin's `tt` with enableStore)
 * hands its native cookie jar to the emulated network, which applies it at every redirect hop.
 */
export const NATIVE_COOKIES: unique symbol = Symbol('native cookie jar')
const nativeCookies = (o: object): { cookies?: NativeCookies } => {
  const jar = (o as { [NATIVE_COOKIES]?: NativeCookies })[NATIVE_COOKIES]
  return jar ? { cookies: jar } : {}
}

type Api = 'request' | 'uploadFile' | 'downloadFile'
export type Header = Record<string, string | string[]>
/** A task event listener (onHeadersReceived, onProgressUpdate…). */
export type TaskListener<T> = (result: T) => void

export interface NetworkContext {
  appid: string
  profile: Profile
  /** The app's clock: frozen while suspended. */
  clock: Clock
  deliver: Deliver
  stats: { requests: number }
  maxConcurrent: number
  networkTimeout: Partial<Record<Api, number>>
  suspended(): boolean
}

/** `wx.request` success result (TYPINGS RequestSuccessCallbackResult). */
export interface RequestSuccess {
  data: unknown
  statusCode: number
  header: Header
  /** Absent before base library 2.10.0 (profile.cookiesArray). */
  cookies?: string[]
  profile: Record<string, unknown>
  errMsg: string
}
export interface HeadersReceived {
  header: Header
  /** Absent in DevTools (profile.headersListenerStatusCode). */
  statusCode?: number
  cookies?: string[]
}
/** uploadFile success: `data` is never parsed; `header` only on iOS (profile.fileHeaderArray). */
export interface UploadSuccess {
  data: string
  statusCode: number
  header?: Header
  profile: Record<string, unknown>
  errMsg: string
}
/** downloadFile success: `tempFilePath`, or `filePath` when one was given. */
export interface DownloadSuccess {
  tempFilePath?: string
  filePath?: string
  statusCode: number
  header?: Header
  profile: Record<string, unknown>
  errMsg: string
}

export interface RequestOptions extends Callbacks<RequestSuccess> {
  url: string
  data?: string | object | ArrayBuffer
  header?: Record<string, unknown>
  method?: string
  timeout?: number
  dataType?: string
  responseType?: 'text' | 'arraybuffer'
  enableChunked?: boolean
  redirect?: 'follow' | 'manual'
  [option: string]: unknown
}
export interface UploadFileOptions extends Callbacks<UploadSuccess> {
  url: string
  filePath: string
  name: string
  header?: Record<string, unknown>
  formData?: Record<string, unknown>
  timeout?: number
}
export interface DownloadFileOptions extends Callbacks<DownloadSuccess> {
  url: string
  header?: Record<string, unknown>
  filePath?: string
  timeout?: number
}

/** What `wx.request` returns, synchronously (TYPINGS RequestTask). */
export interface RequestTaskLike {
  abort(): void
  onHeadersReceived(listener: TaskListener<HeadersReceived>): void
  /** Without a listener, removes them all. */
  offHeadersReceived(listener?: TaskListener<HeadersReceived>): void
  onChunkReceived(listener: TaskListener<{ data: ArrayBuffer }>): void
  offChunkReceived(listener?: TaskListener<{ data: ArrayBuffer }>): void
}
/** What `wx.uploadFile` / `wx.downloadFile` return. */
export interface FileTaskLike {
  abort(): void
  onHeadersReceived(listener: TaskListener<{ header: Header }>): void
  offHeadersReceived(listener?: TaskListener<{ header: Header }>): void
  onProgressUpdate(listener: TaskListener<Record<string, number>>): void
  offProgressUpdate(listener?: TaskListener<Record<string, number>>): void
}

// "默认超时时间和最大超时时间都是 60s" (framework/ability/network.html); larger values do nothing on iOS (reported).
const MAX_TIMEOUT = 60_000
// Errno table (framework/usability/PublicErrno): 5 timeout (luch-request #153), 600001 network error, 600003 interrupted.
const ERRNO_TIMEOUT = 5
const ERRNO_NETWORK = 600001
const ERRNO_INTERRUPTED = 600003
const TASK_EVENT: Record<Api, string> = {
  request: 'createRequestTask',
  uploadFile: 'createUploadTask',
  downloadFile: 'createDownloadTask',
}

function listeners<T>() {
  let list: TaskListener<T>[] = []
  return {
    on: (fn: TaskListener<T>) => void list.push(fn),
    // off() without a listener removes them all (TYPINGS offHeadersReceived).
    off: (fn?: TaskListener<T>) => void (list = fn ? list.filter((l) => l !== fn) : []),
    emit: (value: T) => list.slice().forEach((l) => l(value)),
  }
}

const queryString = (data: object): string =>
  Object.entries(data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')

const isBinary = (d: unknown): d is ArrayBuffer | ArrayBufferView =>
  d instanceof ArrayBuffer || ArrayBuffer.isView(d)
const toBuffer = (d: ArrayBuffer | ArrayBufferView): Buffer =>
  d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength)

/** Builds a `header` object from raw header lines the way the platform shows it (items 11–12). */
export function headerObject(
  raw: string[],
  setCookieJoin: Profile['setCookieJoin'],
  headerCase: Profile['headerCase'],
): Header {
  const out: Header = {}
  const names = new Map<string, string>() // lower-case name → name as first sent
  const setCookies: string[] = []
  let setCookieName: string | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase()
    const value = raw[i + 1]!
    const name = headerCase === 'lower' ? lower : (names.get(lower) ?? raw[i]!)
    names.set(lower, name)
    if (lower === 'set-cookie') {
      setCookieName ??= name
      setCookies.push(value)
      out[name] = ''
    } else {
      // Other duplicates are joined with ', ' [guess, PLATFORM.md item 12].
      out[name] = name in out ? `${out[name] as string}, ${value}` : value
    }
  }
  // Several Set-Cookie lines become ONE string joined by a bare ',' (Taro #1061, weapp-cookie #28;
  // yunser-weapp cookie.js shows no space), ';' on QQ Android (weapp-cookie #39), or an array (iOS files).
  if (setCookieName !== undefined)
    out[setCookieName] = setCookieJoin === 'array' ? setCookies : setCookies.join(setCookieJoin)
  return out
}

const setCookieLines = (raw: string[]): string[] =>
  raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'set-cookie')

function parseData(body: Buffer, dataType: unknown, responseType: unknown): unknown {
  if (responseType === 'arraybuffer') return body.buffer.slice(body.byteOffset, body.byteOffset + body.length)
  let text = body.toString('utf8')
  // "会对 BOM 进行去除" (network usage notes): one leading BOM is stripped.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (dataType !== 'json') return text
  // dataType json parses whatever the Content-Type (2017 dump, PLATFORM.md 1.3); invalid JSON stays a string [guess].
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export function createNetwork(ctx: NetworkContext) {
  const queue: Job[] = []
  const active = new Set<Job>()
  let tempDir: string | undefined

  interface Job {
    run(): void
    interrupt(): void
  }

  const pump = (): void => {
    // "wx.request、wx.uploadFile、wx.downloadFile 的最大并发限制是 10 个"; the rest queue (RequestProfile.queueStart).
    while (active.size < ctx.maxConcurrent && queue.length > 0) {
      const job = queue.shift()!
      active.add(job)
      job.run()
    }
  }
  const release = (job: Job): void => {
    const i = queue.indexOf(job)
    if (i >= 0) queue.splice(i, 1)
    if (active.delete(job)) pump()
  }

  // Referer cannot be set: "header 中不能设置 Referer"; it is fixed to servicewechat.com/{appid}/{version}/page-frame.html.
  const outgoing = (header: Record<string, unknown> | undefined): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(header ?? {})) {
      if (value === undefined || value === null || name.toLowerCase() === 'referer') continue
      out[name] = String(value) // a caller Cookie header passes through unchanged (PLATFORM.md 1.7)
    }
    out['Referer'] = `https://servicewechat.com/${ctx.appid}/${ctx.profile.refererVersion}/page-frame.html`
    return out
  }

  const timeoutFor = (api: Api, requested: unknown): number => {
    const t =
      typeof requested === 'number' && requested > 0 ? requested : (ctx.networkTimeout[api] ?? MAX_TIMEOUT)
    return Math.min(t, MAX_TIMEOUT)
  }

  interface Hooks {
    headers?(statusCode: number, raw: string[]): void
    chunk?(data: Buffer): void
    result(statusCode: number, raw: string[], body: Buffer): object | Promise<object>
  }

  /** Queues one network call; returns its abort function. `exchange` is a failure reason when invalid. */
  const launch = (
    api: Api,
    options: Callbacks,
    timeout: number,
    exchange: Exchange | string,
    hooks: Hooks,
  ): (() => void) => {
    let settled = false
    let stop: (() => void) | undefined
    let timer: number | undefined
    const settle = (ok: boolean, result: object): void => {
      if (settled) return
      settled = true
      if (timer !== undefined) ctx.clock.clearTimeout(timer)
      stop?.()
      release(job)
      reportTo(ctx.deliver, options, ok, result)
    }
    const fail = (reason: string, errno?: number): void =>
      settle(
        false,
        errno === undefined
          ? { errMsg: `${api}:fail ${reason}` }
          : { errMsg: `${api}:fail ${reason}`, errno },
      )
    const job: Job = {
      run() {
        if (typeof exchange === 'string') return
        let statusCode = 0
        let raw: string[] = []
        stop = send(exchange, {
          headers(status, rawHeaders) {
            statusCode = status
            raw = rawHeaders
            hooks.headers?.(status, rawHeaders)
          },
          chunk: (data) => hooks.chunk?.(data),
          end(body) {
            Promise.resolve()
              .then(() => hooks.result(statusCode, raw, body))
              .then(
                (result) => settle(true, result),
                (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
              )
          },
          // "request:fail " + the native reason (fly #210, PLATFORM.md 1.4).
          error: (reason) => fail(reason, ERRNO_NETWORK),
        })
      },
      // "5s 内网络请求没有结束，会回调错误信息 fail interrupted" (network usage notes).
      interrupt: () => fail('interrupted', ERRNO_INTERRUPTED),
    }

    ctx.stats.requests++
    if (ctx.suspended()) {
      // Reported verbatim (community answer oCJUsw-h2sKFrOXl0sc8xBjqOCUw, PLATFORM.md 1.4).
      fail(
        `${TASK_EVENT[api]}:fail: jsapi has no permission, event=${TASK_EVENT[api]}, runningState=suspend, permissionMsg=permission ok, detail=network api interrupted in suspend state`,
      )
    } else if (typeof exchange === 'string') {
      fail(exchange)
    } else {
      // "request:fail timeout" with errno 5 (luch-request #153); the timer runs on the app's clock.
      timer = ctx.clock.setTimeout(() => fail('timeout', ERRNO_TIMEOUT), timeout)
      queue.push(job)
      pump()
    }
    // Abort after completion is a no-op; the server may still process the request (Alipay FAQ, PLATFORM.md 1.5).
    return () => fail('abort')
  }

  const target = (url: unknown): URL | string => {
    try {
      const u = new URL(String(url))
      if (u.protocol === 'http:' || u.protocol === 'https:') return u
    } catch {
      /* reported below */
    }
    return `invalid url "${String(url)}"`
  }

  const request = (o: RequestOptions): RequestTaskLike => {
    const headersListeners = listeners<HeadersReceived>()
    const chunkListeners = listeners<{ data: ArrayBuffer }>()
    const method = String(o.method ?? 'GET').toUpperCase() // "需大写" (old docs); upper-cased here [guess]
    const dataType = o.dataType ?? 'json'
    const responseType = o.responseType ?? 'text'
    const headers = outgoing(o.header)
    // Default content-type: application/json, unless the caller set one in any casing (TYPINGS RequestOption.header).
    const contentTypeName = Object.keys(headers).find((n) => n.toLowerCase() === 'content-type')
    if (!contentTypeName) headers['content-type'] = 'application/json'
    const contentType = headers[contentTypeName ?? 'content-type']!

    const url = target(o.url)
    let exchange: Exchange | string
    if (typeof url === 'string') {
      exchange = url
    } else {
      let body: Buffer | undefined
      const data = o.data
      if (data !== undefined && data !== null) {
        if (method === 'GET') {
          // GET data becomes a query string (TYPINGS request JSDoc); a string is appended as is [guess].
          const q = typeof data === 'string' ? data : isBinary(data) ? '' : queryString(data)
          if (q) url.search = url.search ? `${url.search}&${q}` : `?${q}`
        } else if (typeof data === 'string') {
          body = Buffer.from(data)
        } else if (isBinary(data)) {
          body = toBuffer(data)
        } else {
          // Objects: JSON for application/json, a query string for x-www-form-urlencoded (TYPINGS).
          body = Buffer.from(
            /application\/x-www-form-urlencoded/i.test(contentType)
              ? queryString(data)
              : JSON.stringify(data),
          )
        }
      }
      exchange = {
        method,
        url,
        headers,
        // "需要基础库： `3.2.2`" (TYPINGS RequestOption.redirect); an older one follows [guess: ignored].
        redirect: o.redirect === 'manual' && baseLibraryAtLeast(ctx.profile, '3.2.2') ? 'manual' : 'follow',
        ...nativeCookies(o),
        ...(body ? { body } : {}),
      }
    }

    const { profile } = ctx
    const abort = launch('request', o, timeoutFor('request', o.timeout), exchange, {
      headers(statusCode, raw) {
        const result: HeadersReceived = {
          header: headerObject(raw, profile.setCookieJoin, profile.headerCase),
        }
        // "目前开发者工具上不会返回 statusCode 字段" (RequestTask.onHeadersReceived doc).
        if (profile.headersListenerStatusCode) result.statusCode = statusCode
        if (profile.cookiesArray) result.cookies = setCookieLines(raw)
        ctx.deliver(() => headersListeners.emit(result))
      },
      chunk(data) {
        if (o.enableChunked)
          ctx.deliver(() =>
            chunkListeners.emit({
              data: data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer,
            }),
          )
      },
      result(statusCode, raw, body) {
        // Every received response goes to success, whatever its statusCode (framework/ability/network.html).
        const res: Record<string, unknown> = {
          data: parseData(body, dataType, responseType),
          statusCode,
          header: headerObject(raw, profile.setCookieJoin, profile.headerCase),
        }
        // res.cookies: "格式为字符串数组" since base library 2.10.0; one raw line per Set-Cookie [guess on format].
        if (profile.cookiesArray) res['cookies'] = setCookieLines(raw)
        res['profile'] = { protocol: 'http/1.1', fetchStart: ctx.clock.now(), responseEnd: ctx.clock.now() }
        res['errMsg'] = 'request:ok'
        return res
      },
    })
    return {
      abort,
      onHeadersReceived: headersListeners.on,
      offHeadersReceived: headersListeners.off,
      onChunkReceived: chunkListeners.on,
      offChunkReceived: chunkListeners.off,
    }
  }

  // uploadFile/downloadFile results document no header; iOS adds one with Set-Cookie as an array (weapp-cookie #54, PR #68).
  const fileHeader = (raw: string[], res: Record<string, unknown>): Record<string, unknown> => {
    if (ctx.profile.fileHeaderArray) res['header'] = headerObject(raw, 'array', ctx.profile.headerCase)
    return res
  }

  const fileTask = (
    api: 'uploadFile' | 'downloadFile',
    o: Callbacks & { timeout?: number },
    exchange: Exchange | string,
    result: Hooks['result'],
  ): FileTaskLike => {
    const headersListeners = listeners<{ header: Header }>()
    const progressListeners = listeners<Record<string, number>>()
    let expected = 0
    let received = 0
    const abort = launch(api, o, timeoutFor(api, o.timeout), exchange, {
      headers(_status, raw) {
        // The task's headers listener gets only {header} (TYPINGS DownloadTaskOnHeadersReceivedListenerResult).
        const header = headerObject(raw, ctx.profile.setCookieJoin, ctx.profile.headerCase)
        ctx.deliver(() => headersListeners.emit({ header }))
        if (api === 'uploadFile' && typeof exchange !== 'string') {
          const sent = exchange.body?.length ?? 0
          ctx.deliver(() =>
            progressListeners.emit({ progress: 100, totalBytesSent: sent, totalBytesExpectedToSend: sent }),
          )
        }
        const length = Number(
          raw[raw.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'content-length') + 1],
        )
        expected = Number.isFinite(length) ? length : 0
      },
      chunk(data) {
        if (api !== 'downloadFile') return
        received += data.length
        const progress = expected ? Math.floor((received / expected) * 100) : 0
        const update = { progress, totalBytesWritten: received, totalBytesExpectedToWrite: expected }
        ctx.deliver(() => progressListeners.emit(update))
      },
      result,
    })
    return {
      abort,
      onHeadersReceived: headersListeners.on,
      offHeadersReceived: headersListeners.off,
      onProgressUpdate: progressListeners.on,
      offProgressUpdate: progressListeners.off,
    }
  }

  const uploadFile = (o: UploadFileOptions): FileTaskLike => {
    const url = target(o.url)
    let exchange: Exchange | string = typeof url === 'string' ? url : ''
    if (typeof url !== 'string') {
      let file: Buffer | undefined
      try {
        file = readFileSync(o.filePath)
      } catch {
        exchange = `file not found: ${String(o.filePath)}` // exact message unknown [guess]
      }
      if (file) {
        // A multipart/form-data POST: formData fields, then the file under `name` (TYPINGS UploadFileOption).
        const boundary = `----MiniProgramFormBoundary${randomBytes(8).toString('hex')}`
        const parts: Buffer[] = []
        for (const [k, v] of Object.entries(o.formData ?? {})) {
          parts.push(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`,
            ),
          )
        }
        parts.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${o.name}"; filename="${basename(o.filePath)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
          ),
          file,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        )
        const headers = outgoing(o.header)
        for (const n of Object.keys(headers)) if (n.toLowerCase() === 'content-type') delete headers[n]
        headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`
        exchange = {
          method: 'POST',
          url,
          headers,
          body: Buffer.concat(parts),
          redirect: 'follow',
          ...nativeCookies(o),
        }
      }
    }
    // data is always a string, never JSON-parsed (TYPINGS UploadFileSuccessCallbackResult).
    return fileTask('uploadFile', o, exchange, (statusCode, raw, body) =>
      fileHeader(raw, { data: body.toString('utf8'), statusCode, profile: {}, errMsg: 'uploadFile:ok' }),
    )
  }

  const downloadFile = (o: DownloadFileOptions): FileTaskLike => {
    const url = target(o.url)
    const exchange: Exchange | string =
      typeof url === 'string'
        ? url
        : { method: 'GET', url, headers: outgoing(o.header), redirect: 'follow', ...nativeCookies(o) }
    // "只要服务器有响应数据，就会把响应内容写入文件并进入 success 回调" (TYPINGS downloadFile): any status.
    return fileTask('downloadFile', o, exchange, async (statusCode, raw, body) => {
      const path =
        o.filePath ??
        join(
          (tempDir ??= mkdtempSync(join(tmpdir(), 'mp-session-tmp-'))),
          `tmp_${randomBytes(8).toString('hex')}${typeof url === 'string' ? '' : extname(url.pathname)}`,
        )
      await writeFile(path, body)
      const res: Record<string, unknown> = o.filePath ? { filePath: path } : { tempFilePath: path }
      return fileHeader(raw, Object.assign(res, { statusCode, profile: {}, errMsg: 'downloadFile:ok' }))
    })
  }

  return {
    request,
    uploadFile,
    downloadFile,
    /** Fails every queued and in-flight call with `interrupted` (suspension). */
    interruptAll(): void {
      // Empty the queue first, so failing an active call does not start a queued one.
      const waiting = queue.splice(0)
      for (const job of [...active, ...waiting]) job.interrupt()
    },
    /** Temp files live for one launch only; a restart wipes them. */
    dispose(): void {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true })
    },
  }
}
