// One emulated mini-program launch: wx, its lifecycle (PLATFORM.md section 5, items 22–24) and login.
import { createAppClock } from './app-clock.js'
import { report, type Callbacks, type Deliver } from './callbacks.js'
import { createClock, waitWhile, watchNetwork, type Clock } from './clock.js'
import { createCloud, openidOf, type Cloud, type Code2SessionResult } from './login.js'
import {
  createNetwork,
  type DownloadFileOptions,
  type FileTaskLike,
  type RequestOptions,
  type RequestTaskLike,
  type UploadFileOptions,
} from './network.js'
import { createPages, type OpenPageOptions, type PageInstance } from './page.js'
import { baseLibraryAtLeast, defaultProfile, type Profile } from './profile.js'
import { createDisk, createStorage, type Disk, type StorageApi } from './storage.js'

export interface RuntimeOptions {
  /** Default 'wxtestappid'. */
  appid?: string
  /** The WeChat user on this device; storage and openid are per (user, appid). Default 'test-user'. */
  user?: string
  /** Quirks; default = WeChat iOS/Android over HTTP/1.1. See `profiles`. */
  profile?: Partial<Profile>
  /** The device's storage, shared across restarts. Default: a new one. */
  disk?: Disk
  /** Fake time. Default: a new clock starting at Date.now(). */
  clock?: Clock
  /** Network calls in flight at once; the rest queue. Default 10 (documented limit). */
  maxConcurrent?: number
  /** app.json `networkTimeout` (ms), capped at 60000 like the platform. */
  networkTimeout?: { request?: number; uploadFile?: number; downloadFile?: number }
  /** code2Session also returns a unionid (app bound to an Open Platform account). */
  unionid?: boolean
}

export type LifecycleState = 'running' | 'hidden' | 'suspended' | 'destroyed'

/** The App.onLaunch / onShow options, shared with wx.onAppShow listeners (item 22). */
export interface LaunchOptions {
  path: string
  query: Record<string, string>
  scene: number
  referrerInfo: Record<string, unknown>
}

/** wx.login success: a single-use code valid 5 minutes. */
export interface LoginResult {
  code: string
  errMsg: string
}

/** The emulated `wx` object. */
export interface WxLike extends StorageApi {
  request(options: RequestOptions): RequestTaskLike
  uploadFile(options: UploadFileOptions): FileTaskLike
  downloadFile(options: DownloadFileOptions): FileTaskLike
  login(options?: Callbacks<LoginResult> & { timeout?: number }): Promise<LoginResult> | undefined
  checkSession(options?: Callbacks): Promise<{ errMsg: string }> | undefined
  onAppShow(listener: (options: LaunchOptions) => void): void
  offAppShow(listener?: (options: LaunchOptions) => void): void
  onAppHide(listener: () => void): void
  offAppHide(listener?: () => void): void
  /** Only `SDKVersion` (profile.baseLibrary). */
  getSystemInfoSync(): { SDKVersion: string }
  /** Base library 2.20.1+ only; only `SDKVersion`. */
  getAppBaseInfo?(): { SDKVersion: string }
}

export interface Runtime {
  readonly wx: WxLike
  /** The app's timers (frozen while suspended, gone once destroyed); `advance()` moves the shared clock. */
  readonly clock: Clock
  readonly disk: Disk
  readonly state: LifecycleState
  readonly profile: Readonly<Profile>
  readonly appid: string
  /** The openid code2Session answers for this device's user. */
  readonly openid: string
  /**
   * globalThis.wx, getApp, App, Page, getCurrentPages = this runtime's, and Component when there
   * is none yet (miniprogram-simulate defines its own: load it first, then install). Remembers
   * what was there.
   */
  install(): void
  /** Restores the globals install() replaced. */
  uninstall(): void
  /** To the background: onAppHide now; suspended after profile.suspendAfterMs; destroyed after profile.destroyAfterMs more. */
  hide(): void
  /** To the foreground: onAppShow, timers resume (or flush), deferred callbacks run. */
  show(): void
  /** Cold restart: a new Runtime on the same disk, clock, user and profile; this one is destroyed. */
  restart(): Runtime
  /** Ends this launch now: in-memory state and pending callbacks are dropped, storage stays. */
  destroy(): void
  /**
   * Resolves once no wx.request / uploadFile / downloadFile of this launch is in flight and their
   * callbacks have run (real time; rejects after `ms`, default 5000, naming the calls still open).
   */
  settle(ms?: number): Promise<void>
  /**
   * Opens a page as navigation does: `load` runs the page's code (`() => require('./pages/orders/index')`),
   * whose `Page({...})` (or `Component({...})`) call defines it; a new instance then gets onLoad(query),
   * onShow and onReady, and the promise resolves after `settle()`. Opening the same module again
   * reuses its definition (the loader returns the cached module). The page is pushed on getCurrentPages().
   */
  openPage(load: () => unknown, options?: OpenPageOptions): Promise<PageInstance>
  /** What a test server calls in place of api.weixin.qq.com/sns/jscode2session. */
  code2Session(code: string): Code2SessionResult
  /** The next code2Session call answers `errcode` (40029, 45011, 40226, -1…). Calls queue up. */
  failNextCode2Session(errcode: number): void
  /** Invalidates the current session_key: wx.checkSession fails until the next wx.login. */
  expireSessionKey(): void
  /** The next `count` (default 1) wx.getStorageSync calls of this launch throw, as the platform's can. */
  failStorageReads(count?: number): void
  readonly stats: { requests: number; storageWrites: number }
}

/** What `App()` takes: its hooks are called by the lifecycle (TYPINGS lib.wx.app.d.ts). */
export interface AppOptions {
  onLaunch?(options: LaunchOptions): void
  onShow?(options: LaunchOptions): void
  onHide?(): void
  onError?(error: string): void
  [member: string]: unknown
}

const LAUNCH: LaunchOptions = { path: 'pages/index/index', query: {}, scene: 1001, referrerInfo: {} }
const GLOBALS = ['wx', 'getApp', 'App', 'Page', 'getCurrentPages', 'Component'] as const

interface Shared {
  disk: Disk
  clock: Clock
  cloud: Cloud
}

export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const clock = options.clock ?? createClock()
  return launch(options, {
    disk: options.disk ?? createDisk(),
    clock,
    cloud: createCloud(clock, options.unionid === true),
  })
}

function launch(options: RuntimeOptions, shared: Shared): Runtime {
  const appid = options.appid ?? 'wxtestappid'
  const user = options.user ?? 'test-user'
  const profile: Profile = { ...defaultProfile, ...options.profile }
  const base = shared.clock
  const appClock = createAppClock(base)
  const stats = { requests: 0, storageWrites: 0 }
  let state: LifecycleState = 'running'
  let deferred: (() => void)[] = []
  let lifecycleTimer: number | undefined
  let saved: Map<string, PropertyDescriptor | undefined> | undefined
  let app: AppOptions | undefined
  const showListeners: ((o: LaunchOptions) => void)[] = []
  const hideListeners: (() => void)[] = []

  // Callbacks are always asynchronous (item 2); while suspended they wait for show() (operating-mechanism doc).
  const deliver: Deliver = (fn) => {
    if (state === 'destroyed') return
    setImmediate(() => {
      if (state === 'suspended') deferred.push(fn)
      else if (state !== 'destroyed') guarded(fn)
    })
  }
  // An exception in page code goes to App.onError when there is one (TYPINGS App.onError), else surfaces.
  const guarded = (fn: () => void): void => {
    try {
      fn()
    } catch (err) {
      if (typeof app?.onError !== 'function') throw err
      app.onError(err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err))
    }
  }

  const network = createNetwork({
    appid,
    profile,
    clock: appClock,
    deliver,
    stats,
    maxConcurrent: options.maxConcurrent ?? 10,
    networkTimeout: options.networkTimeout ?? {},
    suspended: () => state === 'suspended',
  })
  const storageFaults = { reads: 0 }
  const storage = createStorage(shared.disk.space(`${user}\n${appid}`), deliver, stats, storageFaults)
  const pages = createPages(deliver, guarded)

  // The network calls in flight, until their callbacks have run: what settle() and the clock's
  // advance() wait for. A suspended or destroyed launch has none (suspension interrupts them all).
  const inFlight = new Set<string>()
  let calls = 0
  const busy = (): boolean => inFlight.size > 0 && (state === 'running' || state === 'hidden')
  const unwatch = watchNetwork(base, busy)
  const tracked =
    <O extends Callbacks<never, never> & { url?: unknown }, R>(api: string, call: (o: O) => R) =>
    (o: O): R => {
      if (typeof o !== 'object' || o === null) return call(o)
      const entry = `#${++calls} ${api} ${String(o.url)}`
      inFlight.add(entry)
      const complete = (result: never): void => {
        inFlight.delete(entry)
        o.complete?.(result)
      }
      try {
        return call({ ...o, complete })
      } catch (error) {
        inFlight.delete(entry)
        throw error
      }
    }

  const remove = <T>(list: T[], fn?: T): void => {
    if (fn === undefined) list.length = 0
    else if (list.includes(fn)) list.splice(list.indexOf(fn), 1)
  }

  const wxApi: WxLike = {
    ...storage,
    request: tracked('request', network.request),
    uploadFile: tracked('uploadFile', network.uploadFile),
    downloadFile: tracked('downloadFile', network.downloadFile),
    // Each wx.login mints a new single-use 5-minute code and rotates the session_key (items 32–33).
    login: (o) => report(deliver, o, true, { code: shared.cloud.login(appid, user), errMsg: 'login:ok' }),
    checkSession: (o) =>
      shared.cloud.sessionValid(appid, user)
        ? report(deliver, o, true, { errMsg: 'checkSession:ok' })
        : report(deliver, o, false, { errMsg: 'checkSession:fail session time out' }), // message [guess]
    onAppShow: (fn) => void showListeners.push(fn),
    offAppShow: (fn) => remove(showListeners, fn),
    onAppHide: (fn) => void hideListeners.push(fn),
    offAppHide: (fn) => remove(hideListeners, fn),
    getSystemInfoSync: () => ({ SDKVersion: profile.baseLibrary }),
  }
  // "需要基础库： `2.20.1`" (TYPINGS getAppBaseInfo).
  if (baseLibraryAtLeast(profile, '2.20.1'))
    wxApi.getAppBaseInfo = () => ({ SDKVersion: profile.baseLibrary })
  // A destroyed launch runs no more code: calling into it is a test bug, reported clearly. Except
  // off*: a listener dies with its launch, so removing it is already done (a client made on the
  // old launch disposes quietly after restart()).
  const wx = Object.fromEntries(
    Object.entries(wxApi).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        if (state === 'destroyed' && name.startsWith('off')) return undefined
        if (state === 'destroyed')
          throw new Error(
            `miniprogram-session/testing: wx.${name} called on a destroyed runtime; use the one restart() returned`,
          )
        return (fn as (...a: unknown[]) => unknown)(...args)
      },
    ]),
  ) as unknown as WxLike

  const setLifecycleTimer = (fn: () => void, ms: number): void => {
    if (lifecycleTimer !== undefined) base.clearTimeout(lifecycleTimer)
    lifecycleTimer = base.setTimeout(fn, ms)
  }

  const runtime: Runtime = {
    wx,
    clock: appClock,
    disk: shared.disk,
    profile,
    appid,
    openid: openidOf(appid, user),
    stats,
    get state() {
      return state
    },
    install() {
      if (saved) return
      saved = new Map(GLOBALS.map((g) => [g, Object.getOwnPropertyDescriptor(globalThis, g)]))
      const set = (name: string, value: unknown) =>
        Object.defineProperty(globalThis, name, { value, configurable: true, writable: true })
      set('wx', wx)
      set('getApp', () => app)
      // App(options) registers the app; onLaunch then onShow run with the launch options (TYPINGS lib.wx.app.d.ts).
      set('App', (o: AppOptions) => {
        app = o
        o.onLaunch?.(LAUNCH)
        o.onShow?.(LAUNCH)
      })
      set('Page', pages.Page)
      set('getCurrentPages', pages.getCurrentPages)
      // miniprogram-simulate's Component renders; ours only lets openPage drive a page built with it.
      if (!saved.get('Component')) set('Component', pages.Component)
    },
    uninstall() {
      if (!saved) return
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(globalThis, name, descriptor)
        else delete (globalThis as Record<string, unknown>)[name]
      }
      saved = undefined
    },
    hide() {
      if (state !== 'running') return
      state = 'hidden'
      pages.notify('onHide')
      app?.onHide?.()
      for (const fn of hideListeners.slice()) fn()
      // "小程序进入「后台」状态一段时间后（目前是 5 秒），微信会停止小程序 JS 线程的执行" (operating-mechanism doc).
      setLifecycleTimer(() => {
        state = 'suspended'
        appClock.freeze()
        network.interruptAll()
        // "如果很长时间（目前是 30 分钟）都未再次进入前台，小程序会被销毁" (operating-mechanism doc).
        setLifecycleTimer(() => runtime.destroy(), profile.destroyAfterMs)
      }, profile.suspendAfterMs)
    },
    show() {
      if (state !== 'hidden' && state !== 'suspended') return
      if (lifecycleTimer !== undefined) base.clearTimeout(lifecycleTimer)
      lifecycleTimer = undefined
      const wasSuspended = state === 'suspended'
      state = 'running'
      app?.onShow?.(LAUNCH)
      pages.notify('onShow')
      for (const fn of showListeners.slice()) fn(LAUNCH)
      if (!wasSuspended) return
      appClock.thaw(profile.suspendedTimers)
      // "事件和接口回调会在小程序再次进入「前台」时触发" (operating-mechanism doc).
      const pending = deferred
      deferred = []
      for (const fn of pending) deliver(fn)
    },
    destroy() {
      if (state === 'destroyed') return
      state = 'destroyed'
      if (lifecycleTimer !== undefined) base.clearTimeout(lifecycleTimer)
      deferred = []
      pages.clear()
      appClock.clearAll()
      network.interruptAll()
      network.dispose()
      unwatch()
    },
    async settle(ms = 5000) {
      if (await waitWhile(busy, Date.now() + ms)) return
      throw new Error(
        `miniprogram-session/testing: settle(): still in flight after ${ms} ms: ${[...inFlight].join(', ')}`,
      )
    },
    async openPage(load, open) {
      const page = await pages.open(load, open)
      await runtime.settle()
      return page
    },
    restart() {
      const wasInstalled = saved
      runtime.destroy()
      const next = launch(options, shared)
      if (wasInstalled) {
        // Hand the remembered globals over, so uninstalling the new runtime restores the originals.
        runtime.uninstall()
        next.install()
      }
      return next
    },
    code2Session: (code) => shared.cloud.code2Session(code),
    failNextCode2Session: (errcode) => shared.cloud.failNext(errcode),
    failStorageReads: (count = 1) => {
      storageFaults.reads = count
    },
    expireSessionKey: () => shared.cloud.expireSession(appid, user),
  }
  return runtime
}
