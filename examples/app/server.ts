// Your backend, here express + express-session on 127.0.0.1. The login exchanges the wx.login code
// for an openid (WeChat's jscode2session; in tests the runtime's code2Session).
import express from 'express'
import session from 'express-session'
import type { AddressInfo } from 'node:net'

declare module 'express-session' {
  interface SessionData {
    openid: string
  }
}

/** WeChat's jscode2session answer: an openid, or an errcode for a bad code. */
type Code2Session = (code: string) => { openid?: string; errcode?: number }

export async function startBackend(code2Session: Code2Session) {
  const seen: string[] = [] // 'GET /orders', … in order: what the test checks
  const app = express()
  app.use((req, _res, next) => {
    seen.push(`${req.method} ${req.path}`)
    next()
  })
  app.use(express.json())
  app.use(session({ secret: 'change me', resave: false, saveUninitialized: true }))
  app.get('/session', (req, res) => {
    res.json({ loggedIn: Boolean(req.session.openid) })
  })
  app.post('/login', (req, res) => {
    const { openid } = code2Session(String(req.body.code))
    if (!openid) return void res.status(400).json({ error: 'bad code' })
    // A new session id at login, so an id seen before login never carries the user.
    req.session.regenerate(() => {
      req.session.openid = openid
      res.json({ openid })
    })
  })
  app.get('/orders', (req, res) => {
    if (!req.session.openid) res.status(401).end()
    else
      res.json([
        { id: 1, item: 'tea' },
        { id: 2, item: 'cake' },
      ])
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}
