// @ts-check
// The demo's own settings (not the SDK's): which carrier to use and where the server is.

/**
 * @typedef {object} Settings
 * @property {'cookie' | 'header' | 'url'} mode
 * @property {string} baseURL
 * @property {boolean} debug
 */

const SETTINGS_KEY = 'demo:settings'

/** @type {Settings} */
const DEFAULTS = { mode: 'cookie', baseURL: 'http://127.0.0.1:3000', debug: false }

/** @returns {Settings} */
function readSettings() {
  const saved = wx.getStorageSync(SETTINGS_KEY)
  return { ...DEFAULTS, ...(saved && typeof saved === 'object' ? saved : {}) }
}

module.exports = { SETTINGS_KEY, DEFAULTS, readSettings }
