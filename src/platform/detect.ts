import { SessionError } from '../errors.js'
import type { Platform } from './types.js'
import { isWxLike, wechatPlatform } from './wechat.js'

/**
 * The platform for a client: the runtime object passed in (`options.platform`), else the
 * runtime's global. Only WeChat-shaped runtimes for now; my/tt/swan/qq adapters slot in here.
 */
export function detectPlatform(given?: unknown): Platform {
  if (given !== undefined) {
    if (isWxLike(given)) return wechatPlatform(given)
    throw new SessionError('INVALID_OPTION', '`platform` must be a mini-program runtime object such as wx')
  }
  const wx = (globalThis as any).wx
  if (isWxLike(wx)) return wechatPlatform(wx)
  throw new SessionError('INVALID_OPTION', 'no mini-program runtime found (global wx); pass `platform`')
}
