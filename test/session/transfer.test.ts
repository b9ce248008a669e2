import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { profiles } from '../../src/testing/index.js'
import { expressEnv } from './env.js'
import type { Env } from './env.js'

describe('uploadFile and downloadFile carry and capture the session', () => {
  let env: Env | undefined
  let dir: string
  let file: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mps-transfer-'))
    file = join(dir, 'photo.jpg')
    writeFileSync(file, Buffer.alloc(2048, 1))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  afterEach(async () => {
    await env?.close()
    env = undefined
  })

  const options = { warmup: '/session', login: { url: '/login' } } as const

  it('upload and download go out with the session, and renew on 401 like request', async () => {
    env = await expressEnv()
    const c = env.client(options)
    const who = (await c.login()) as { sessionId: string }
    const progress: number[] = []
    const up = await c
      .uploadFile({ url: '/upload', filePath: file, name: 'photo', formData: { album: 'a' } })
      .onProgressUpdate((p) => progress.push(p.progress))
    expect(up.statusCode).toBe(200)
    expect(up.data).toBe(`fields=album files=photo:2048 sid=${who.sessionId}`)
    expect(progress.at(-1)).toBe(100)
    const down = await c.downloadFile({ url: '/download' })
    expect(down.statusCode).toBe(200)
    expect(readFileSync(down.tempFilePath, 'utf8')).toBe(`hello ${who.sessionId}\n`)

    await env.server.expireAll()
    const again = await c.uploadFile({ url: '/upload', filePath: file, name: 'photo' })
    expect(again.statusCode).toBe(200)
    expect(env.server.events.filter((e) => e.path === '/upload').map((e) => e.status)).toEqual([
      200, 401, 200,
    ])
    expect(env.server.count('login')).toBe(2)
  })

  // iOS gives uploadFile/downloadFile results an undocumented header with Set-Cookie as an array
  // (weapp-cookie #54, PR #68); elsewhere there is no header at all, so nothing can be captured.
  it.each([
    ['iOS (array header)', profiles.ios, true],
    ['Android (no header)', {}, false],
  ])('a download that creates the session: %s', async (_name, profile, captured) => {
    env = await expressEnv({}, profile)
    const c = env.client()
    const down = await c.downloadFile({ url: '/session' })
    const created = JSON.parse(readFileSync(down.tempFilePath, 'utf8')) as { sessionId: string }
    const next = await c.request<{ sessionId: string }>({ url: '/session' })
    expect(next.data.sessionId === created.sessionId).toBe(captured)
  })

  it('an upload answer with an array Set-Cookie (iOS, rolling cookie) moves the stored expiry', async () => {
    env = await expressEnv({ rolling: true }, profiles.ios)
    vi.useFakeTimers({ toFake: ['Date'], now: env.clock.now() })
    try {
      const c = env.client(options)
      await c.login()
      await env.clock.advance(60_000)
      vi.setSystemTime(env.clock.now())
      const up = await c.uploadFile({ url: '/upload', filePath: file, name: 'photo' })
      expect(Array.isArray((up as unknown as { header: Record<string, unknown> }).header['Set-Cookie'])).toBe(
        true,
      )
      env.rt.hide()
      const stored = env.rt.wx.getStorageSync(env.key) as {
        cookies: { name: string; expires?: number }[]
      }
      const expected = Math.floor((env.clock.now() + 30 * 60_000) / 1000) * 1000
      expect(stored.cookies.find((k) => k.name === 'connect.sid')?.expires).toBe(expected)
    } finally {
      vi.useRealTimers()
    }
  })
})
