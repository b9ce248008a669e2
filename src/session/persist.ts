import { CookieJar } from '../cookie/index.js'
import type { Cookie } from '../cookie/index.js'
import { SessionError } from '../errors.js'
import type { PlatformStorage } from '../platform/types.js'

/** What we keep beside the cookies. */
export interface StoredSession {
  /** Header/url mode session id. */
  id?: string
  loggedIn?: boolean
}

interface Record1 {
  v: 1
  cookies: Cookie[]
  session: StoredSession
}

function isRecord(value: unknown): value is Record1 {
  const r = value as Partial<Record1> | null
  return typeof r === 'object' && r !== null && r.v === 1 && Array.isArray(r.cookies) && typeof r.session === 'object' && r.session !== null
}

/**
 * One storage key holding `{ v: 1, cookies, session }`. Read once at start (sync storage reads
 * slow down launch, PLATFORM.md 3); written synchronously when the session changes; writes that
 * only move an expiry are coalesced until `flush()` (app hide, dispose).
 */
export class Persister {
  private dirty = false
  private failing = false

  constructor(
    private readonly storage: PlatformStorage,
    readonly key: string,
    private readonly keepSessionCookies: boolean,
    private readonly report: (error: SessionError) => void,
  ) {}

  /** The stored jar and session; corrupt or foreign data → a clean start, reported once. */
  load(jarOptions: { now: () => number }): { jar: CookieJar; session: StoredSession } {
    const value = this.storage.get(this.key)
    if (value !== undefined && value !== null && !isRecord(value)) {
      this.report(new SessionError('STORAGE', `storage key "${this.key}" holds data this version cannot read; starting with no session`))
    }
    if (!isRecord(value)) return { jar: new CookieJar(jarOptions), session: {} }
    const s = value.session
    const session: StoredSession = {}
    if (typeof s.id === 'string' && s.id) session.id = s.id
    if (s.loggedIn === true) session.loggedIn = true
    return { jar: CookieJar.fromJSON({ v: 1, cookies: value.cookies }, jarOptions), session }
  }

  /** Writes now. A quota error keeps the app working from memory and is reported (once per streak). */
  save(jar: CookieJar | undefined, session: StoredSession): void {
    let cookies = jar ? jar.toJSON().cookies : []
    if (!this.keepSessionCookies) cookies = cookies.filter((c) => c.expires !== undefined)
    const record: Record1 = { v: 1, cookies, session }
    try {
      this.storage.set(this.key, record)
      this.dirty = false
      this.failing = false
    } catch (cause) {
      this.dirty = true
      if (!this.failing) {
        this.failing = true
        this.report(new SessionError('STORAGE', `could not save the session to storage key "${this.key}"; keeping it in memory`, { cause }))
      }
    }
  }

  markDirty(): void {
    this.dirty = true
  }

  flush(jar: CookieJar | undefined, session: StoredSession): void {
    if (this.dirty) this.save(jar, session)
  }
}
