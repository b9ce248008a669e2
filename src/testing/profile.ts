// Platform quirks, switchable per test. The default is WeChat on iOS/Android over HTTP/1.1.

/** Which documented or reported behaviour the emulated platform shows. */
export interface Profile {
  /**
   * How several Set-Cookie lines appear in `request` success `header`: one string joined by ','
   * (WeChat, Taro #1061, weapp-cookie #28), by ';' (QQ Android, weapp-cookie #39), or an array.
   */
  setCookieJoin: ',' | ';' | 'array'
  /** 'keep' = the server's casing (HTTP/1.1); 'lower' = HTTP/2 / Android high-performance mode (Taro PR #14644). */
  headerCase: 'keep' | 'lower'
  /** `res.cookies` exists (base library >= 2.10.0). */
  cookiesArray: boolean
  /** iOS: uploadFile/downloadFile success carries an undocumented `header`, Set-Cookie as an array (weapp-cookie #54, PR #68). */
  fileHeaderArray: boolean
  /** `{version}` in the Referer: 'devtools', '0' (dev/trial/review) or a release number. */
  refererVersion: string
  /** false = DevTools, whose onHeadersReceived has no statusCode (RequestTask.onHeadersReceived doc). */
  headersListenerStatusCode: boolean
  /** Background time before suspension: 5 s ("目前是 5 秒", operating-mechanism doc). */
  suspendAfterMs: number
  /** Suspended time before destruction: 30 min ("目前是 30 分钟"); about 10 min on iOS (reported). */
  destroyAfterMs: number
  /**
   * Timers that came due while suspended: 'resume' keeps their remaining delay (the JS thread was
   * stopped); 'flush' fires them all at once on show (reported on some Android phones, community doc 0002e276e78e485ed68979f095b800).
   */
  suspendedTimers: 'resume' | 'flush'
  /**
   * The base library (`SDKVersion` of getAppBaseInfo / getSystemInfoSync). Below 3.2.2 `request`
   * ignores `redirect: 'manual'` and follows 3xx itself (TYPINGS: redirect needs 3.2.2; that an
   * unknown option is ignored is a [guess]); below 2.20.1 there is no getAppBaseInfo.
   */
  baseLibrary: string
}

/** The profile's base library is `version` or later (dotted numbers). */
export function baseLibraryAtLeast(profile: Pick<Profile, 'baseLibrary'>, version: string): boolean {
  const have = profile.baseLibrary.split('.').map(Number)
  const want = version.split('.').map(Number)
  for (let i = 0; i < want.length; i++) {
    const difference = (have[i] ?? 0) - (want[i] ?? 0)
    if (difference) return difference > 0
  }
  return true
}

export const defaultProfile: Readonly<Profile> = Object.freeze({
  setCookieJoin: ',',
  headerCase: 'keep',
  cookiesArray: true,
  fileHeaderArray: false,
  refererVersion: '0',
  headersListenerStatusCode: true,
  suspendAfterMs: 5_000,
  destroyAfterMs: 30 * 60_000,
  suspendedTimers: 'resume',
  // What miniprogram-api-typings 5.2.3 describes ("API definitions updated to base library 3.17.0").
  baseLibrary: '3.17.0',
})

/** Ready-made quirk sets to spread into `profile`. */
export const profiles = Object.freeze({
  ios: { fileHeaderArray: true, destroyAfterMs: 10 * 60_000 } as Partial<Profile>,
  android: { suspendedTimers: 'flush' } as Partial<Profile>,
  /** Android high-performance mode (default since base library 3.5.0) / HTTP/2: lower-case names. */
  androidHighPerformance: { headerCase: 'lower', suspendedTimers: 'flush' } as Partial<Profile>,
  devtools: { refererVersion: 'devtools', headersListenerStatusCode: false } as Partial<Profile>,
  qqAndroid: { setCookieJoin: ';' } as Partial<Profile>,
  /** Base library < 2.10.0: no `res.cookies` (nor `redirect: 'manual'`). */
  legacy: { cookiesArray: false, baseLibrary: '2.9.4' } as Partial<Profile>,
  /** Base library 3.2.1, the last without `redirect: 'manual'`: 3xx are followed by the platform. */
  beforeManualRedirect: { baseLibrary: '3.2.1' } as Partial<Profile>,
})
