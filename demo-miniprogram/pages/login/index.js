// @ts-check
// The classic openid-binding flow: wx.login → the server says whether this WeChat user has an
// account → if not, a form binds one.
const { login, request } = require('miniprogram-session')
const { describeError } = require('../../lib/describe-error')

/** @typedef {{ bound: boolean, user: { name: string } | null }} LoginAnswer */

Component({
  data: {
    /** @type {'start' | 'working' | 'bind' | 'done' | 'failed'} */
    step: 'start',
    userName: '',
    name: '',
    password: '',
    error: '',
  },
  methods: {
    async onLogin() {
      this.setData({ step: 'working', error: '' })
      try {
        // wx.login, then POST /login { code }; resolves with the server's answer.
        const answer = /** @type {LoginAnswer} */ (await login())
        if (answer.bound && answer.user) this.setData({ step: 'done', userName: answer.user.name })
        else this.setData({ step: 'bind' })
      } catch (error) {
        this.setData({ step: 'failed', error: describeError(error) })
      }
    },
    /** @param {WechatMiniprogram.Input} event */
    onName(event) {
      this.setData({ name: event.detail.value })
    },
    /** @param {WechatMiniprogram.Input} event */
    onPassword(event) {
      this.setData({ password: event.detail.value })
    },
    async onBind() {
      this.setData({ error: '' })
      try {
        const res = await request({
          url: '/bind',
          method: 'POST',
          data: { name: this.data.name, password: this.data.password },
        })
        const body = /** @type {LoginAnswer & { errmsg?: string }} */ (res.data)
        if (res.statusCode === 200 && body.user) this.setData({ step: 'done', userName: body.user.name })
        else this.setData({ error: body.errmsg || `HTTP ${res.statusCode}` })
      } catch (error) {
        this.setData({ error: describeError(error) })
      }
    },
  },
})
