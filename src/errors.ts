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

export interface SessionErrorDetails {
  cause?: unknown
  method?: string
  url?: string
  statusCode?: number
  data?: unknown
}

export class SessionError extends Error {
  override readonly name = 'SessionError'
  readonly code: SessionErrorCode
  override readonly cause?: unknown
  readonly method?: string
  readonly url?: string
  readonly statusCode?: number
  readonly data?: unknown

  constructor(code: SessionErrorCode, message: string, details: SessionErrorDetails = {}) {
    const where = details.url ? ` (${details.method ?? 'GET'} ${details.url})` : ''
    super(`[miniprogram-session] ${code}: ${message}${where}`)
    this.code = code
    // Assigned by hand: the `cause` option of the Error constructor is ES2022, older base
    // libraries do not have it.
    if ('cause' in details) this.cause = details.cause
    if (details.method !== undefined) this.method = details.method
    if (details.url !== undefined) this.url = details.url
    if (details.statusCode !== undefined) this.statusCode = details.statusCode
    if ('data' in details) this.data = details.data
  }
}

/** True for a `SessionError`, also across bundle copies (checks name and code, not only the prototype). */
export function isSessionError(value: unknown): value is SessionError {
  return (
    value instanceof SessionError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'SessionError' &&
      typeof (value as { code?: unknown }).code === 'string')
  )
}

/** Session ids in logs and messages show their first 4 characters only. */
export function maskId(id: string | undefined | null): string {
  if (!id) return '(none)'
  return id.length <= 4 ? '****' : `${id.slice(0, 4)}…`
}
