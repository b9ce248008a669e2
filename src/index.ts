// The whole public API. Internals (Session, Carrier, Persister, the Platform seam) are
// intentionally not exported: they may change without a major version.
import { createClient } from './client.js'
import type { Client, SessionState } from './client.js'
import { SessionError } from './errors.js'
import { resolveOptions } from './options.js'
import type { SessionOptions } from './options.js'

// The default client lives in one global slot, not in this module: two copies of the SDK (ESM and
// CommonJS in Node tests, two bundles in one app) then share it, and init() in one is the client
// of login() in the other. Without globalThis (a very old runtime) each copy keeps its own.
const SLOT = Symbol.for('miniprogram-session.defaultClient')
const slot = (typeof globalThis === 'object' ? globalThis : {}) as Record<symbol, Client | undefined>

/** Creates the default client used by the top-level functions (call once, in App's onLaunch). */
export function init(options?: SessionOptions): Client {
  resolveOptions(options) // first: bad options leave the current client in place
  // The old client stops (and flushes) before the new one reads storage: nothing it still has in
  // flight can be captured or saved over the new client's session.
  const current = slot[SLOT]
  if (current) current.dispose()
  return (slot[SLOT] = createClient(options))
}

const notInitialized = () => new SessionError('NOT_INITIALIZED', 'call init() in App onLaunch first')

// Before init() every call rejects (never throws): callers use .catch / try-await either way.
// The task methods stay callable on that promise.
const call =
  <K extends 'request' | 'uploadFile' | 'downloadFile' | 'login' | 'logout'>(name: K) =>
  (options?: unknown) => {
    const client = slot[SLOT]
    if (client) return (client[name] as (o?: unknown) => unknown)(options)
    const promise = Promise.reject(notInitialized()) as Promise<never> & Record<string, unknown>
    promise.abort = promise.onHeadersReceived = promise.onProgressUpdate = () => promise
    return promise
  }

/**
 * The default client's session now. Before init() it throws NOT_INITIALIZED (it answers at once, so
 * it cannot reject): an empty state would read as "no session yet" and hide the missing init().
 */
export function getSession(): SessionState {
  const client = slot[SLOT]
  if (!client) throw notInitialized()
  return client.getSession()
}

export const request = call('request') as Client['request']
export const uploadFile = call('uploadFile') as Client['uploadFile']
export const downloadFile = call('downloadFile') as Client['downloadFile']
export const login = call('login') as Client['login']
export const logout = call('logout') as Client['logout']

export { createClient }
// Alipay's adapter: `init({ platform: alipay(my) })`. Unused, a bundler drops it (sideEffects: false).
export { alipay } from './platform/alipay.js'
export type { MyLike } from './platform/alipay.js'
export type { PlatformAdapter, PlatformApi, PlatformCallbacks } from './platform/types.js'
export { CookieJar, parseSetCookie, splitSetCookie } from './cookie/index.js'
export { SessionError, isSessionError } from './errors.js'
export type { SessionErrorCode, SessionErrorDetails } from './errors.js'
export type { Cookie, CookieJarOptions, JarChange, ParsedSetCookie } from './cookie/index.js'
export type {
  Client,
  CallOptions,
  RequestPromise,
  TransferPromise,
  SessionState,
  RequestOptions,
  RequestData,
  UploadFileOptions,
  DownloadFileOptions,
  AbortSignalLike,
  Hooks,
  HookContext,
  HookOptions,
  HookResult,
  RetryOptions,
} from './client.js'
export type { AnswerBody, SessionOptions, SessionResponse, SessionClock, LoginOptions } from './options.js'
export { defaultCsrfEcho, isCsrfFailure } from './session/csrf.js'
export type { CsrfOptions } from './session/csrf.js'
