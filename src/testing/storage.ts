// Storage per PLATFORM.md section 3 and items 25–29. Values live on the Disk as serialised JSON,
// so every read and write is a deep copy and a restart keeps them.
import { report, type Callbacks, type Deliver } from './callbacks.js'

/** Storage "disk" of a device: one key/value space per (user, appid), surviving restarts. */
export interface Disk {
  /** The space `id` (created empty on first use): storage key → serialised value. */
  space(id: string): Map<string, string>
}

export function createDisk(): Disk {
  const spaces = new Map<string, Map<string, string>>()
  return {
    space(id) {
      let s = spaces.get(id)
      if (!s) spaces.set(id, (s = new Map()))
      return s
    },
  }
}

// "单个 key 允许存储的最大数据长度为 1MB，所有数据存储上限为 10MB" (storage.md, PLATFORM.md 3).
export const KEY_LIMIT = 1024 * 1024
export const TOTAL_LIMIT = 10 * 1024 * 1024
// encrypt:true lowers both limits to 0.7 MB / 7.1 MB (miniprogram-api-typings SetStorageOption.encrypt).
const ENCRYPTED_KEY_LIMIT = 0.7 * 1024 * 1024
const ENCRYPTED_TOTAL_LIMIT = 7.1 * 1024 * 1024

// Dates come back as Dates (PLATFORM.md item 26, a guess); everything else has JSON semantics.
const DATE_TAG = '\u0000date'
const ENCRYPTED_PREFIX = '\u0000enc:'

function serialise(value: unknown): string {
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key]
    return raw instanceof Date ? { [DATE_TAG]: raw.getTime() } : v
  })
  // undefined (and functions) at the top level have no JSON form; stored as '' like a missing key [guess].
  return json === undefined ? '""' : json
}

function deserialise(stored: string): unknown {
  return JSON.parse(stored, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && DATE_TAG in v
      ? new Date((v as Record<string, number>)[DATE_TAG] as number)
      : v,
  )
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

export interface StorageInfo {
  keys: string[]
  /** KB, rounded up. */
  currentSize: number
  /** KB: 10240. */
  limitSize: number
}

/** What the async storage calls return: a promise when called without callbacks. */
export type StorageDone = Promise<{ errMsg: string }> | undefined

export interface StorageApi {
  setStorageSync(key: string, data: unknown): void
  // `any` by default, as in miniprogram-api-typings' own getStorageSync<T = any>.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getStorageSync<T = any>(key: string): T
  removeStorageSync(key: string): void
  clearStorageSync(): void
  getStorageInfoSync(): StorageInfo
  setStorage(option: { key: string; data: unknown; encrypt?: boolean } & Callbacks): StorageDone
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getStorage<T = any>(
    option: { key: string; encrypt?: boolean } & Callbacks<{ data: T; errMsg: string }>,
  ): Promise<{ data: T; errMsg: string }> | undefined
  removeStorage(option: { key: string } & Callbacks): StorageDone
  clearStorage(option?: Callbacks): StorageDone
  getStorageInfo(
    option?: Callbacks<StorageInfo & { errMsg: string }>,
  ): Promise<StorageInfo & { errMsg: string }> | undefined
}

/** Faults a test asks for: `reads` sync reads to come will throw, as the platform's can (PLATFORM.md 3). */
export interface StorageFaults {
  reads: number
}

export function createStorage(
  space: Map<string, string>,
  deliver: Deliver,
  stats: { storageWrites: number },
  faults: StorageFaults = { reads: 0 },
): StorageApi {
  const totalBytes = (): number => {
    let n = 0
    for (const [k, v] of space) n += bytes(k) + bytes(v)
    return n
  }

  // Returns the failure reason, or writes. api is 'setStorageSync' or 'setStorage'.
  const write = (api: string, key: unknown, data: unknown, encrypt = false): string | undefined => {
    if (typeof key !== 'string' || key === '')
      return `${api}:fail parameter error: parameter.key should be String instead of ${typeof key};`
    const stored = (encrypt ? ENCRYPTED_PREFIX : '') + serialise(data)
    const size = bytes(key) + bytes(stored)
    // Per-key message is a guess modelled on ByteDance's "exceed storage item max length" (PLATFORM.md 3).
    if (size > (encrypt ? ENCRYPTED_KEY_LIMIT : KEY_LIMIT))
      return `${api}:fail exceed storage item max length`
    const old = space.get(key)
    const after = totalBytes() - (old === undefined ? 0 : bytes(key) + bytes(old)) + size
    // Reported message: "setStorageSync:fail exceed storage max size 10Mb" (PLATFORM.md 3).
    if (after > (encrypt ? ENCRYPTED_TOTAL_LIMIT : TOTAL_LIMIT))
      return `${api}:fail exceed storage max size 10Mb`
    space.set(key, stored)
    stats.storageWrites++
    return undefined
  }

  const read = (key: string, encrypt: boolean): { found: boolean; value?: unknown } => {
    const stored = space.get(key)
    if (stored === undefined) return { found: false }
    const isEncrypted = stored.startsWith(ENCRYPTED_PREFIX)
    // An encrypted value read without encrypt:true (or the reverse) must not come back as plain [guess].
    if (isEncrypted !== encrypt) return { found: false }
    return { found: true, value: deserialise(isEncrypted ? stored.slice(ENCRYPTED_PREFIX.length) : stored) }
  }

  const remove = (key: string): void => {
    if (space.delete(key)) stats.storageWrites++
  }
  const clear = (): void => {
    space.clear()
    stats.storageWrites++
  }
  const info = (): StorageInfo => ({
    keys: [...space.keys()],
    currentSize: Math.ceil(totalBytes() / 1024),
    limitSize: TOTAL_LIMIT / 1024,
  })

  return {
    setStorageSync(key, data) {
      // Sync APIs throw on failure: "如果执行出错会抛出异常" (framework/app-service/api.html).
      const failure = write('setStorageSync', key, data)
      if (failure) throw new Error(failure)
    },
    getStorageSync(key) {
      // "如果执行出错会抛出异常" (sync APIs throw on failure); the message is a [guess].
      if (faults.reads > 0) {
        faults.reads--
        throw new Error('getStorageSync:fail read error')
      }
      const r = read(key, false)
      // A missing key reads as '' (PLATFORM.md 3, reported; the official sample tests `if (value)`).
      return (r.found ? r.value : '') as never
    },
    removeStorageSync: remove,
    clearStorageSync: clear,
    getStorageInfoSync: info,
    setStorage(o) {
      const failure = write('setStorage', o.key, o.data, o.encrypt === true)
      return report(deliver, o, !failure, { errMsg: failure ?? 'setStorage:ok' })
    },
    getStorage(o) {
      const r = read(o.key, o.encrypt === true)
      // "getStorage:fail data not found" (PLATFORM.md 3, reported).
      return r.found
        ? report(deliver, o, true, { data: r.value, errMsg: 'getStorage:ok' })
        : report(deliver, o, false, { errMsg: 'getStorage:fail data not found' })
    },
    removeStorage(o) {
      remove(o.key)
      return report(deliver, o, true, { errMsg: 'removeStorage:ok' })
    },
    clearStorage(o) {
      clear()
      return report(deliver, o, true, { errMsg: 'clearStorage:ok' })
    },
    getStorageInfo(o) {
      return report(deliver, o, true, { ...info(), errMsg: 'getStorageInfo:ok' })
    },
  }
}
