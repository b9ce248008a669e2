import type { SessionOptions } from 'miniprogram-session'

/** The backend answers { code, data, message }: code 0 is success, -1 "session expired" (as wafer2 did). */
export const businessCodes: SessionOptions = {
  // The SDK judges first: -1 means the session is gone → renew (log in again), retry once.
  isExpired: (res) => res.statusCode === 401 || res.data?.code === -1,
  hooks: {
    afterResponse(result, { api }) {
      if (api !== 'request' || !('data' in result)) return // a download's result has no data
      const { code, data, message } = result.data || {}
      if (code !== 0) throw new Error(message || `business error ${code}`) // → HOOK_FAILED, cause: this Error
      return { ...result, data }
    },
  },
}
// init({ ...config, login: { url: '/login' }, ...businessCodes })
// const { data } = await request({ url: '/orders' }) → data is already what `data` held
