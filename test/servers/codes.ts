import type { Code2Session } from './types.js'

// Stand-in for WeChat's jscode2session: single-use codes (40163 on reuse), 40029 for unknown ones.
export function codes(): { mint(openid: string): string; check: Code2Session } {
  const live = new Map<string, string>()
  const used = new Set<string>()
  let n = 0
  return {
    mint: (openid) => {
      const code = `code${++n}`
      live.set(code, openid)
      return code
    },
    check: (code) => {
      if (used.has(code)) return { errcode: 40163, errmsg: 'code been used' }
      const openid = live.get(code)
      if (!openid) return { errcode: 40029, errmsg: 'invalid code' }
      used.add(code)
      return { openid, session_key: `key-${code}` }
    },
  }
}
