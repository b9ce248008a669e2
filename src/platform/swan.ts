import type { Platform } from './types.js'
import { wechatPlatform, type WxLike } from './wechat.js'

// Baidu: wx's API under `swan`, but `dataType` is only 'json' or 'string' (swan.request doc): any
// other value (wx callers pass 'text' or anything non-json to skip parsing) becomes 'string'.
export const swanPlatform = (swan: WxLike): Platform =>
  wechatPlatform(swan, 'swan', (o) =>
    o.dataType === undefined || o.dataType === 'json' ? o : { ...o, dataType: 'string' },
  )
