// @ts-check
// Pages are built with Component (as WeChat allows) so that miniprogram-simulate can render them.
const { request, logout } = require('miniprogram-session')
const { describeError } = require('../../lib/describe-error')
const { readSettings } = require('../../lib/settings')

/**
 * What the demo server answers about the session.
 * @typedef {{ session: boolean, loggedIn: boolean, bound: boolean, user: { name: string } | null, hits: number, servedBy: string }} SessionState
 */

Component({
  data: {
    loading: true,
    mode: '',
    /** @type {SessionState | null} */
    state: null,
    error: '',
  },
  methods: {
    onShow() {
      return this.refresh()
    },
    async refresh() {
      this.setData({ loading: true, error: '', mode: readSettings().mode })
      try {
        const res = await request({ url: '/session' })
        this.setData({ loading: false, state: /** @type {SessionState} */ (res.data) })
      } catch (error) {
        this.setData({ loading: false, error: describeError(error) })
      }
    },
    async onLogout() {
      try {
        await logout()
      } catch (error) {
        // logout() clears the local session even when the server call fails.
        this.setData({ error: describeError(error) })
      }
      return this.refresh()
    },
  },
})
