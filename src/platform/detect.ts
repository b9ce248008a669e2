import { SessionError } from '../errors.js'
import { qqPlatform } from './qq.js'
import { swanPlatform } from './swan.js'
import { ttPlatform } from './tt.js'
import type { Platform } from './types.js'
import { isWxLike, wechatPlatform, type WxLike } from './wechat.js'

// Own global first: a runtime may also alias `wx` for compatibility. Alipay's `my` is not here so
// that its adapter stays out of the other builds: pass `platform: alipay(my)`.
const RUNTIMES: Array<[string, (api: WxLike) => Platform]> = [
  ['qq', qqPlatform],
  ['tt', ttPlatform],
  ['swan', swanPlatform],
  ['wx', wechatPlatform],
]

// Alipay's my has getAuthCode and no login; wx-shaped frameworks (Taro, uni) have login even there.
const isMy = (v: Partial<WxLike> & { getAuthCode?: unknown }): boolean => !!v.getAuthCode && !v.login

/**
 * The platform for a client: `options.platform` (a runtime object such as wx, qq, tt, swan, Taro,
 * uni, or an adapter such as `alipay(my)`), else the runtime's own global.
 */
export function detectPlatform(given?: unknown): Platform {
  const g = globalThis as Record<string, unknown>
  const api = Object(given === undefined ? g.my : given)
  if (api.onShow && api.storage) return api as Platform
  for (const [name, adapt] of RUNTIMES)
    // A given object is recognised by identity, so `platform: swan` gets Baidu's quirks too.
    if (given === undefined ? isWxLike(g[name]) : g[name] === given) return adapt(g[name] as WxLike)
  if (given !== undefined && isWxLike(api) && !isMy(api)) return wechatPlatform(api)
  throw new SessionError('INVALID_OPTION', '`platform` must be wx or the like (Alipay: `alipay(my)`)')
}
