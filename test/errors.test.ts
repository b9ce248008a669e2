import { describe, expect, it } from 'vitest'
import { SessionError, isSessionError, maskId } from '../src/errors.js'
import { downloadFile, getSession, login, logout, request, uploadFile } from '../src/index.js'

describe('SessionError', () => {
  it('carries code, where, and cause', () => {
    const cause = { errMsg: 'request:fail timeout' }
    const e = new SessionError('TIMEOUT', 'no answer in 60000 ms', {
      method: 'POST',
      url: 'https://a.example/x',
      cause,
    })
    expect(e).toBeInstanceOf(Error)
    expect(e.code).toBe('TIMEOUT')
    expect(e.message).toBe('[miniprogram-session] TIMEOUT: no answer in 60000 ms (POST https://a.example/x)')
    expect(e.cause).toBe(cause)
    expect(isSessionError(e)).toBe(true)
  })

  it('is recognised across bundle copies by name and code, and not for look-alikes', () => {
    expect(isSessionError({ name: 'SessionError', code: 'NETWORK' })).toBe(true)
    expect(isSessionError({ name: 'SessionError' })).toBe(false)
    expect(isSessionError(new Error('x'))).toBe(false)
    expect(isSessionError(null)).toBe(false)
  })

  it('masks session ids to their first 4 characters', () => {
    expect(maskId('s%3AabcdefXYZ')).toBe('abcd…') // express-session's signed-id prefix is skipped
    expect(maskId('s:abcdefXYZ')).toBe('abcd…')
    expect(maskId('8E1F3A9C2B7D')).toBe('8E1F…')
    expect(maskId('abc')).toBe('****')
    expect(maskId(undefined)).toBe('(none)')
  })
})

describe('before init()', () => {
  it('every call rejects NOT_INITIALIZED; the task methods stay callable', async () => {
    const calls = [
      request({ url: '/x' }),
      uploadFile({ url: '/x', filePath: 'a', name: 'f' }),
      downloadFile({ url: '/x' }),
      login(),
      logout(),
    ]
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'NOT_INITIALIZED' })
    const task = request({ url: '/x' })
    expect(task.onHeadersReceived(() => {})).toBe(task)
    task.abort()
    await expect(task).rejects.toThrow(
      '[miniprogram-session] NOT_INITIALIZED: call init() in App onLaunch first',
    )
  })

  it('getSession() throws NOT_INITIALIZED (an empty state would hide the missing init)', () => {
    expect(() => getSession()).toThrow(
      expect.objectContaining({ name: 'SessionError', code: 'NOT_INITIALIZED' }),
    )
  })
})
