// @ts-check
// What the SDK is for: the same server, called with plain wx.request and no SDK. wx.request keeps
// no cookie, so the server's Set-Cookie is dropped and every call arrives without a session: each
// one makes a new session, and nothing the server stores in it (a login) survives to the next call.
const { describeError } = require('../../lib/describe-error')
const { readSettings } = require('../../lib/settings')

const CALLS = 3

/**
 * One plain wx.request, as a page makes it without the SDK.
 * @param {string} url
 * @returns {Promise<WechatMiniprogram.RequestSuccessCallbackResult>}
 */
function plainRequest(url) {
  return new Promise((resolve, reject) => wx.request({ url, success: resolve, fail: reject }))
}

/** @typedef {{ n: number, id: string, hits: number }} Call */

Component({
  data: {
    loading: true,
    /** @type {Call[]} the session id each call got (masked by the server), and that session's request count */
    calls: [],
    sessions: 0,
    error: '',
  },
  methods: {
    onLoad() {
      return this.run()
    },
    async run() {
      this.setData({ loading: true, calls: [], sessions: 0, error: '' })
      const { baseURL } = readSettings()
      /** @type {Call[]} */
      const calls = []
      try {
        for (let n = 1; n <= CALLS; n++) {
          const res = await plainRequest(`${baseURL}/session`)
          const body = /** @type {{ id: string, hits: number }} */ (res.data)
          calls.push({ n, id: body.id, hits: body.hits })
        }
        this.setData({ loading: false, calls, sessions: new Set(calls.map((c) => c.id)).size })
      } catch (error) {
        this.setData({ loading: false, calls, error: describeError(error) })
      }
    },
  },
})
