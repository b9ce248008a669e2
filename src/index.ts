// The whole public API. Internals (Session, Carrier, Persister, the Platform seam) are
// intentionally not exported: they may change without a major version.
import { createClient } from './client.js'
import type { Client } from './client.js'
import { SessionError } from './errors.js'
import type { SessionOptions } from './options.js'

let defaultClient: Client | undefined

/** Creates the default client used by the top-level functions (call once, in App's onLaunch). */
export function init(options?: SessionOptions): Client {
  const next = createClient(options) // first: bad options leave the current client in place
  defaultClient?.dispose()
  defaultClient = next
  return next
}

// Before init() every call rejects (never throws): callers use .catch / try-await either way.
function notInitialized<T>(): T {
  const error = new SessionError('NOT_INITIALIZED', 'call init() (in App onLaunch) before using the session')
  const promise = Promise.reject(error) as Promise<never> & Record<string, unknown>
  promise.abort = () => {}
  promise.onHeadersReceived = promise.onProgressUpdate = () => promise
  return promise as T
}

export const request: Client['request'] = (options) =>
  defaultClient ? defaultClient.request(options) : notInitialized()
export const uploadFile: Client['uploadFile'] = (options) =>
  defaultClient ? defaultClient.uploadFile(options) : notInitialized()
export const downloadFile: Client['downloadFile'] = (options) =>
  defaultClient ? defaultClient.downloadFile(options) : notInitialized()
export const login: Client['login'] = () => (defaultClient ? defaultClient.login() : notInitialized())
export const logout: Client['logout'] = () => (defaultClient ? defaultClient.logout() : notInitialized())

export { createClient }
// Alipay's adapter: `init({ platform: alipay(my) })`. Unused, a bundler drops it (sideEffects: false).
export { alipay } from './platform/alipay.js'
export type { MyLike } from './platform/alipay.js'
export { CookieJar, parseSetCookie, splitSetCookie } from './cookie/index.js'
export { SessionError, isSessionError } from './errors.js'
export type { SessionErrorCode, SessionErrorDetails } from './errors.js'
export type { Cookie, JarChange } from './cookie/index.js'
export type {
  Client,
  CallOptions,
  RequestPromise,
  TransferPromise,
  SessionState,
  RequestOptions,
  UploadFileOptions,
  DownloadFileOptions,
} from './client.js'
export type { SessionOptions, SessionResponse, SessionClock, LoginOptions } from './options.js'
