// `miniprogram-session/testing`: a Node emulation of the mini-program runtime doing real HTTP, with
// the platforms' documented and reported quirks (../shared/PLATFORM.md, "What a faithful Node
// emulation of wx must do"). Node only; never imported by the main bundle.
export { createRuntime } from './runtime.js'
export type {
  Runtime,
  RuntimeOptions,
  WxLike,
  LifecycleState,
  LaunchOptions,
  AppOptions,
  LoginResult,
} from './runtime.js'
export { createClock } from './clock.js'
export type { Clock, ClockOptions } from './clock.js'
export type { OpenPageOptions, PageInstance } from './page.js'
export { createDisk } from './storage.js'
export type { Disk, StorageApi, StorageDone, StorageInfo } from './storage.js'
export { defaultProfile, profiles } from './profile.js'
export type { Profile } from './profile.js'
export type { Code2SessionResult } from './login.js'
export type {
  RequestOptions,
  UploadFileOptions,
  DownloadFileOptions,
  RequestTaskLike,
  FileTaskLike,
  RequestSuccess,
  UploadSuccess,
  DownloadSuccess,
  HeadersReceived,
  Header,
  TaskListener,
} from './network.js'
export type { Callbacks, FailResult } from './callbacks.js'
export { asFramework, asPlatform, platformProfiles, ALIPAY_KEY_LIMIT } from './platforms.js'
export type { AnyObject, PlatformApiOptions, PlatformName } from './platforms.js'
