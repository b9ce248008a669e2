/**
 * The one error class of the SDK. Every rejection the SDK produces is a `SessionError` with a
 * stable `code`; a raw platform object (`{ errMsg }`) is never thrown, it travels in `cause`.
 */
export type SessionErrorCode =
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'HTTP'
  | 'SESSION_EXPIRED'
  | 'LOGIN_FAILED'
  | 'WARMUP_FAILED'
  | 'NOT_INITIALIZED'
  | 'STORAGE'
  | 'INVALID_OPTION'
  /** A hook (`hooks` option or a call's) threw; its error is the `cause`. */
  | 'HOOK_FAILED'
  /** A call's redirects went on for more than 20 hops (a loop): the SDK stopped following. */
  | 'TOO_MANY_REDIRECTS'

export interface SessionErrorDetails {
  cause?: unknown
  method?: string
  url?: string
  statusCode?: number
  data?: unknown
}

export class SessionError extends Error {
  declare readonly name: 'SessionError'
  declare readonly code: SessionErrorCode
  declare readonly cause?: unknown
  declare readonly method?: string
  declare readonly url?: string
  declare readonly statusCode?: number
  declare readonly data?: unknown

  constructor(code: SessionErrorCode, message: string, details: SessionErrorDetails = {}) {
    super(
      `[miniprogram-session] ${code}: ${message}${details.url ? ` (${details.method || 'GET'} ${details.url})` : ''}`,
    )
    // Copied by hand: the `cause` option of the Error constructor is ES2022.
    Object.assign(this, details, { name: 'SessionError', code })
  }
}

/** True for a `SessionError`, also across bundle copies (checks name and code, not only the prototype). */
export const isSessionError = (value: unknown): value is SessionError =>
  value instanceof SessionError ||
  (Object(value).name === 'SessionError' && typeof (value as SessionError).code === 'string')

/** Session ids in logs and messages show their first 4 characters only. */
export const maskId = (id: string | undefined): string => {
  // express-session's signed ids all start with `s:` (`s%3A` in a cookie): show what follows.
  const s = (id || '').replace(/^s(:|%3A)/i, '')
  return !id ? '(none)' : s.length > 4 ? `${s.slice(0, 4)}…` : '****'
}
