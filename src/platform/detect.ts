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

const isPlatform = (v: object): v is Platform =>
  typeof (v as Platform).onShow === 'function' && typeof (v as Platform).storage === 'object'

// Alipay's my has getAuthCode and no login; wx-shaped frameworks (Taro, uni) have login even there.
const isMy = (v: object): boolean =>
  typeof (v as { getAuthCode?: unknown }).getAuthCode === 'function' && !(v as WxLike).login

/**
 * The platform for a client: `options.platform` (a runtime object such as wx, qq, tt, swan, Taro,
 * uni, or an adapter such as `alipay(my)`), else the runtime's own global.
 */
export function detectPlatform(given?: unknown): Platform {
  const g = globalThis as Record<string, unknown>
  const api = Object(given ?? g.my)
  if (isPlatform(api)) return api
  for (const [name, adapt] of RUNTIMES) {
    // A given object is recognised by identity, so `platform: swan` gets Baidu's quirks too.
    if (given === undefined ? isWxLike(g[name]) : g[name] === given) return adapt(g[name] as WxLike)
  }
  if (given !== undefined && isWxLike(api) && !isMy(api)) return wechatPlatform(api)
  throw new SessionError(
    'INVALID_OPTION',
    isMy(api)
      ? "Alipay's my needs its adapter: `platform: alipay(my)` (import { alipay } from 'miniprogram-session')"
      : '`platform` must be a mini-program runtime object such as wx (none found)',
  )
}
