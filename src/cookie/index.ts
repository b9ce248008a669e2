// The cookie layer: pure RFC 6265bis, no platform or I/O, usable on its own.
export { CookieJar } from './jar.js'
export type { Cookie, CookieJarOptions, JarChange } from './jar.js'
export { parseCookieDate, parseSetCookie, setCookieLines, splitSetCookie } from './parse.js'
export type { ParsedSetCookie } from './parse.js'
export { isLoopback, parseUrl } from './url.js'
export type { ParsedUrl } from './url.js'
