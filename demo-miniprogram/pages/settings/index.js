// @ts-check
// Switches the carrier of the session id. The demo server accepts all three, so the same pages
// work in each mode; a real backend usually supports one.
const { readSettings } = require('../../lib/settings')

Component({
  data: {
    mode: 'cookie',
    baseURL: '',
    debug: false,
    saved: false,
    modes: [
      {
        value: 'cookie',
        label: 'Cookie',
        hint: 'Set-Cookie / Cookie, like a browser (Tomcat, PHP, express)',
      },
      { value: 'header', label: 'Header', hint: 'X-Session-Id request and response header' },
      { value: 'url', label: 'URL', hint: ';jsessionid=… in the path (servlet style)' },
    ],
  },
  methods: {
    onLoad() {
      this.setData({ ...readSettings(), saved: false })
    },
    /** @param {WechatMiniprogram.RadioGroupChange} event */
    onMode(event) {
      this.setData({ mode: event.detail.value, saved: false })
    },
    /** @param {WechatMiniprogram.Input} event */
    onBaseURL(event) {
      this.setData({ baseURL: event.detail.value.trim(), saved: false })
    },
    /** @param {WechatMiniprogram.SwitchChange} event */
    onDebug(event) {
      this.setData({ debug: event.detail.value, saved: false })
    },
    onSave() {
      const mode = /** @type {import('../../lib/settings').Settings['mode']} */ (this.data.mode)
      getApp().applySettings({ mode, baseURL: this.data.baseURL, debug: this.data.debug })
      this.setData({ saved: true })
    },
  },
})
