import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import multer from 'multer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime, profiles } from '../../src/testing/index.js'
import { outcome, startServer, type TestServer } from './helpers.js'

let server: TestServer
let dir: string
const PAYLOAD = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runtime-files-'))
  const app = express()
  // multer parses the multipart body the emulated uploadFile sends, as a real backend would.
  app.post('/upload', multer({ storage: multer.memoryStorage() }).single('file'), (req, res) => {
    res.append('Set-Cookie', ['up=1; Path=/', 'up2=2; Path=/'])
    res.type('application/json').send(
      JSON.stringify({
        fields: req.body,
        name: req.file?.originalname,
        size: req.file?.size,
        same: req.file?.buffer.equals(PAYLOAD),
        referer: req.headers.referer,
        auth: req.headers['x-auth'],
      }),
    )
  })
  app.get('/download/:name', (_req, res) => {
    res.append('Set-Cookie', ['dl=1; Path=/', 'dl2=2; Path=/'])
    res.type('application/octet-stream').send(PAYLOAD)
  })
  app.get('/missing', (_req, res) => void res.status(404).send('nope'))
  app.get('/moved', (_req, res) => res.redirect(302, '/download/moved.bin'))
  server = await startServer(app)
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('wx.uploadFile', () => {
  it('sends a multipart POST with formData and the file; data stays a string; no header by default', async () => {
    const rt = createRuntime({ appid: 'wxup' })
    const filePath = join(dir, 'photo.jpg')
    writeFileSync(filePath, PAYLOAD)
    const progress: number[] = []
    const { task, done } = outcome(rt.wx.uploadFile, {
      url: `${server.url}/upload`,
      filePath,
      name: 'file',
      formData: { user: 'u1', n: 2 },
      header: { 'X-Auth': 't' },
    })
    ;(task as ReturnType<typeof rt.wx.uploadFile>).onProgressUpdate((p) => progress.push(p['progress']!))
    const out = await done
    expect(out.result.errMsg).toBe('uploadFile:ok')
    expect(out.result.statusCode).toBe(200)
    expect(typeof out.result.data).toBe('string')
    expect(JSON.parse(out.result.data)).toEqual({
      fields: { user: 'u1', n: '2' },
      name: 'photo.jpg',
      size: PAYLOAD.length,
      same: true,
      referer: 'https://servicewechat.com/wxup/0/page-frame.html',
      auth: 't',
    })
    expect('header' in out.result).toBe(false)
    expect('cookies' in out.result).toBe(false)
    expect(progress).toEqual([100])
  })

  it('iOS adds an undocumented header with Set-Cookie as an array', async () => {
    const filePath = join(dir, 'a.txt')
    writeFileSync(filePath, 'x')
    const out = await outcome(createRuntime({ profile: profiles.ios }).wx.uploadFile, {
      url: `${server.url}/upload`,
      filePath,
      name: 'file',
    }).done
    expect(out.result.header['Set-Cookie']).toEqual(['up=1; Path=/', 'up2=2; Path=/'])
  })

  it('fails for a missing local file', async () => {
    const out = await outcome(createRuntime().wx.uploadFile, {
      url: `${server.url}/upload`,
      filePath: join(dir, 'nope'),
      name: 'file',
    }).done
    expect(out.order).toEqual(['fail', 'complete'])
    expect(out.result.errMsg).toMatch(/^uploadFile:fail /)
  })
})

describe('wx.downloadFile', () => {
  it('writes the body to a temp file, reports progress and headers; a restart wipes temp files', async () => {
    const rt = createRuntime()
    const headers: unknown[] = []
    const progress: number[] = []
    const { task, done } = outcome(rt.wx.downloadFile, { url: `${server.url}/download/file.bin` })
    const t = task as ReturnType<typeof rt.wx.downloadFile>
    t.onHeadersReceived((h) => headers.push(h))
    t.onProgressUpdate((p) => progress.push(p['progress']!))
    const out = await done
    expect(out.result.errMsg).toBe('downloadFile:ok')
    expect(out.result.statusCode).toBe(200)
    expect(out.result.tempFilePath).toMatch(/\.bin$/)
    expect(readFileSync(out.result.tempFilePath).equals(PAYLOAD)).toBe(true)
    expect('header' in out.result).toBe(false)
    expect(Object.keys(headers[0] as object)).toEqual(['header'])
    expect(progress.at(-1)).toBe(100)
    rt.restart()
    expect(existsSync(out.result.tempFilePath)).toBe(false)
  })

  it('writes to filePath when given, goes to success for a 404, follows redirects', async () => {
    const rt = createRuntime()
    const filePath = join(dir, 'saved.bin')
    const saved = await outcome(rt.wx.downloadFile, { url: `${server.url}/download/x`, filePath }).done
    expect(saved.result).toMatchObject({ filePath, statusCode: 200, errMsg: 'downloadFile:ok' })
    expect('tempFilePath' in saved.result).toBe(false)
    expect(readFileSync(filePath).length).toBe(PAYLOAD.length)
    const missing = await outcome(rt.wx.downloadFile, { url: `${server.url}/missing` }).done
    expect(missing.ok).toBe(true)
    expect(missing.result.statusCode).toBe(404)
    expect(readFileSync(missing.result.tempFilePath, 'utf8')).toBe('nope')
    const moved = await outcome(rt.wx.downloadFile, { url: `${server.url}/moved` }).done
    expect(readFileSync(moved.result.tempFilePath).equals(PAYLOAD)).toBe(true)
  })

  it('iOS success carries header with Set-Cookie as an array', async () => {
    const out = await outcome(createRuntime({ profile: profiles.ios }).wx.downloadFile, {
      url: `${server.url}/download/a`,
    }).done
    expect(out.result.header['Set-Cookie']).toEqual(['dl=1; Path=/', 'dl2=2; Path=/'])
  })
})

describe('wx.request enableChunked', () => {
  it('delivers chunks to onChunkReceived', async () => {
    const rt = createRuntime()
    const chunks: ArrayBuffer[] = []
    const { task, done } = outcome(rt.wx.request, {
      url: `${server.url}/download/c`,
      enableChunked: true,
      responseType: 'arraybuffer',
    })
    ;(task as ReturnType<typeof rt.wx.request>).onChunkReceived((c) => chunks.push(c.data))
    await done
    expect(chunks.length).toBeGreaterThan(0)
    expect(Buffer.concat(chunks.map((c) => Buffer.from(c))).equals(PAYLOAD)).toBe(true)
  })
})
