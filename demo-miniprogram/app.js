// @ts-check
// The whole SDK setup: one `init` in onLaunch. Pages then call request/login/logout directly.
const { init } = require('miniprogram-session')
const { readSettings, SETTINGS_KEY } = require('./lib/settings')

/** @param {import('./lib/settings').Settings} settings */
function start(settings) {
  return init({
    baseURL: settings.baseURL,
    mode: settings.mode,
    // Header and URL modes: the id travels only the way the mode says, not in a cookie as well.
    jar: settings.mode === 'cookie',
    // The blank call that creates the session before the first real request.
    warmup: '/session',
    login: { url: '/login' },
    // This demo logs in when the user taps "Log in" (its login page binds an account). Most apps
    // leave autoLogin on: then every backend request is sent logged in, silently.
    autoLogin: false,
    logout: '/logout',
    debug: settings.debug,
    // Expired again right after a renew: only the user can fix that.
    onSessionExpired: () => wx.navigateTo({ url: '/pages/login/index' }),
  })
}

App({
  /** The client `init` made (also reachable through the top-level functions). @type {import('miniprogram-session').Client | null} */
  session: null,
  onLaunch() {
    this.session = start(readSettings())
  },
  /** Called by the settings page. @param {import('./lib/settings').Settings} settings */
  applySettings(settings) {
    wx.setStorageSync(SETTINGS_KEY, settings)
    this.session = start(settings)
  },
})
