// The whole public API. Internals (Session, Carrier, Persister, the Platform seam) are
// intentionally not exported: they may change without a major version.
import { createClient } from './client.js'
import type { Client } from './client.js'
import { SessionError } from './errors.js'
import type { SessionOptions } from './options.js'

let defaultClient: Client | undefined

/** Creates the default client used by the top-level functions (call once, in App's onLaunch). */
export function init(options?: SessionOptions): Client {
  defaultClient?.dispose()
  defaultClient = createClient(options)
  return defaultClient
}

function client(): Client {
  if (!defaultClient) throw new SessionError('NOT_INITIALIZED', 'call init() (in App onLaunch) before using the session')
  return defaultClient
}

export const request: Client['request'] = (options) => client().request(options)
export const uploadFile: Client['uploadFile'] = (options) => client().uploadFile(options)
export const downloadFile: Client['downloadFile'] = (options) => client().downloadFile(options)
export const login: Client['login'] = () => client().login()
export const logout: Client['logout'] = () => client().logout()

export { createClient }
export { CookieJar, parseSetCookie, splitSetCookie } from './cookie/index.js'
export { SessionError, isSessionError } from './errors.js'
export type { SessionErrorCode, SessionErrorDetails } from './errors.js'
export type { Cookie, JarChange } from './cookie/index.js'
export type { Client, CallOptions, RequestPromise, TransferPromise, SessionState, RequestOptions, UploadFileOptions, DownloadFileOptions } from './client.js'
export type { SessionOptions, SessionResponse, SessionClock, LoginOptions } from './options.js'
