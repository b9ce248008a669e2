import { describe, expect, it } from 'vitest'
import { createDisk, createRuntime } from '../../src/testing/index.js'

const MB = 1024 * 1024

describe('storage', () => {
  it('stores deep copies with JSON semantics; Dates come back as Dates', () => {
    const { wx } = createRuntime()
    const value = { a: [1, { b: 'x' }], f: () => 1, u: undefined, when: new Date(1_700_000_000_000) }
    wx.setStorageSync('k', value)
    value.a.push(2)
    const read = wx.getStorageSync('k')
    expect(read).toEqual({ a: [1, { b: 'x' }], when: new Date(1_700_000_000_000) })
    expect(read.when).toBeInstanceOf(Date)
    read.a.push(3)
    expect(wx.getStorageSync('k').a).toHaveLength(2)
  })

  it("returns '' for a missing key; async getStorage fails with data not found", async () => {
    const { wx } = createRuntime()
    expect(wx.getStorageSync('missing')).toBe('')
    await expect(wx.getStorage({ key: 'missing' })).rejects.toEqual({
      errMsg: 'getStorage:fail data not found',
    })
    const out = await new Promise<unknown>((resolve) => wx.getStorage({ key: 'missing', fail: resolve }))
    expect(out).toEqual({ errMsg: 'getStorage:fail data not found' })
  })

  it('async variants call back asynchronously or return a Promise', async () => {
    const { wx } = createRuntime()
    let called = false
    const p = new Promise<void>((resolve) =>
      wx.setStorage({
        key: 'k',
        data: 1,
        success: () => (called = true),
        complete: () => resolve(),
      }),
    )
    expect(called).toBe(false)
    await p
    expect(called).toBe(true)
    await expect(wx.getStorage({ key: 'k' })).resolves.toEqual({ data: 1, errMsg: 'getStorage:ok' })
    await wx.removeStorage({ key: 'k' })
    expect(wx.getStorageSync('k')).toBe('')
  })

  it('throws setStorageSync:fail over 1 MB per key and over 10 MB total, keeping the old value', () => {
    const rt = createRuntime()
    const { wx } = rt
    wx.setStorageSync('big', 'old')
    expect(() => wx.setStorageSync('big', 'x'.repeat(MB))).toThrow(
      /^setStorageSync:fail exceed storage item max length$/,
    )
    expect(wx.getStorageSync('big')).toBe('old')
    for (let i = 0; i < 10; i++) wx.setStorageSync(`k${i}`, 'y'.repeat(MB - 100))
    expect(() => wx.setStorageSync('one-more', 'z'.repeat(100_000))).toThrow(
      'setStorageSync:fail exceed storage max size 10Mb',
    )
    expect(wx.getStorageSync('one-more')).toBe('')
    const info = wx.getStorageInfoSync()
    expect(info.limitSize).toBe(10240)
    expect(info.keys).toContain('k9')
    expect(info.currentSize).toBeGreaterThan(9 * 1024)
    expect(info.currentSize).toBeLessThanOrEqual(10240)
  })

  it('async setStorage over quota calls fail instead of throwing', async () => {
    const { wx } = createRuntime()
    await expect(wx.setStorage({ key: 'k', data: 'x'.repeat(MB) })).rejects.toEqual({
      errMsg: 'setStorage:fail exceed storage item max length',
    })
  })

  it('encrypted values need encrypt:true to read and have lower limits', async () => {
    const { wx } = createRuntime()
    await wx.setStorage({ key: 's', data: { secret: 1 }, encrypt: true })
    expect(wx.getStorageSync('s')).toBe('')
    await expect(wx.getStorage({ key: 's', encrypt: true })).resolves.toMatchObject({ data: { secret: 1 } })
    await expect(
      wx.setStorage({ key: 'b', data: 'x'.repeat(0.8 * MB), encrypt: true }),
    ).rejects.toMatchObject({ errMsg: /^setStorage:fail/ })
  })

  it('counts writes in stats.storageWrites', () => {
    const rt = createRuntime()
    rt.wx.setStorageSync('a', 1)
    rt.wx.setStorageSync('a', 2)
    rt.wx.getStorageSync('a')
    rt.wx.removeStorageSync('a')
    expect(rt.stats.storageWrites).toBe(3)
  })

  it('keeps storage per (user, appid) on one disk', () => {
    const disk = createDisk()
    createRuntime({ disk, appid: 'wxa' }).wx.setStorageSync('k', 'a')
    expect(createRuntime({ disk, appid: 'wxb' }).wx.getStorageSync('k')).toBe('')
    expect(createRuntime({ disk, appid: 'wxa', user: 'other' }).wx.getStorageSync('k')).toBe('')
    expect(createRuntime({ disk, appid: 'wxa' }).wx.getStorageSync('k')).toBe('a')
  })
})
