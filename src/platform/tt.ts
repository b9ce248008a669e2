import type { Platform } from './types.js'
import { wechatPlatform, type WxLike } from './wechat.js'

// Douyin: wx's API under `tt`, `set-cookie` lower-cased and joined (tt.request doc); setCookieLines
// reads any casing. With app.json `cookie.enableStore` its native jar also sends cookies, but "an
// explicit Cookie header wins on conflict" (network/cookie doc): our jar's header overrides it name
// by name, so no cookie goes out twice and the jar stays the one source of truth.
export const ttPlatform = (tt: WxLike): Platform => wechatPlatform(tt, 'tt')
