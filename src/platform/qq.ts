import type { Platform } from './types.js'
import { wechatPlatform, type WxLike } from './wechat.js'

// QQ: wx's API under `qq`. On Android several Set-Cookie arrive joined by ';' (weapp-cookie #39),
// which setCookieLines splits; nothing else differs for a session.
export const qqPlatform = (qq: WxLike): Platform => wechatPlatform(qq, 'qq')
