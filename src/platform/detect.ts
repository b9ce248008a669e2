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

const ALIPAY = "Alipay's my needs `alipay(my)` (import { alipay } from 'miniprogram-session')"

const isPlatform = (v: object): v is Platform => typeof (v as Platform).onShow === 'function'

// Alipay's my has getAuthCode and no login; wx-shaped frameworks (Taro, uni) have login even there.
const isMy = (v: object): boolean =>
  typeof (v as { getAuthCode?: unknown }).getAuthCode === 'function' && !(v as WxLike).login
const invalid = (why: string): never => {
  throw new SessionError('INVALID_OPTION', `\`platform\`: ${why}`)
}

/**
 * The platform for a client: `options.platform` (a runtime object such as wx, qq, tt, swan, Taro,
 * uni, or an adapter such as `alipay(my)`), else the runtime's own global.
 */
export function detectPlatform(given?: unknown): Platform {
  const g = globalThis as Record<string, unknown>
  if (typeof given === 'object' && given) {
    if (isPlatform(given)) return given
    if (isMy(given)) invalid(ALIPAY)
    if (isWxLike(given)) {
      // Recognised by identity, so `platform: swan` gets Baidu's quirks too.
      const own = RUNTIMES.find(([name]) => g[name] === given)
      return (own ? own[1] : wechatPlatform)(given)
    }
  }
  if (given !== undefined) invalid('not a mini-program runtime object such as wx')
  for (const [name, adapt] of RUNTIMES) {
    const api = g[name]
    if (isWxLike(api)) return adapt(api)
  }
  return invalid(isMy(Object(g.my)) ? ALIPAY : 'no wx, qq, tt or swan global; pass one')
}
