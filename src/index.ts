export { SessionError, isSessionError } from './errors.js'
export type { SessionErrorCode, SessionErrorDetails } from './errors.js'
