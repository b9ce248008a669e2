// Two demo server processes behind one API, sessions in Redis (connect-redis): one mini-program
// session is served by both, and survives one of them going away. The control run without Redis
// shows that the store is what shares it. The processes check wx.login codes over HTTP, as with
// WeChat (WX_API_BASE points them at the emulation's jscode2session).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createClient as createRedisClient } from 'redis'
import { createClient, type Client } from '../../src/index.js'
import { createRuntime, type Runtime } from '../../src/testing/index.js'
import { startWeChatApi } from '../servers/wechat-api.js'
import { requires } from '../helpers/requires.js'

const hasRedis = spawnSync('redis-server', ['--version']).status === 0
const MAIN = join(__dirname, '../../demo-miniprogram/server/main.ts')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

/** Spawns `command`, resolves once its stdout matches `ready` (bounded), with the match. */
function spawnUntil(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      stop(child)
      reject(new Error(`${command} not ready in 15 s:\n${out}`))
    }, 15_000)
    const read = (chunk: Buffer) => {
      out += chunk
      const match = ready.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve({ child, match })
      }
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${command} exited (${code}):\n${out}`))
    })
  })
}

/** Ends a process this test started, by its PID, and waits for it. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(child.pid!, 'SIGTERM')
  await exited
}

describe.runIf(requires('redis-server', hasRedis, 'apt-get install redis-server'))(
  'two demo server processes, one session (connect-redis)',
  () => {
    let redis: { url: string; child: ChildProcess }
    let wechat: { url: string; close(): Promise<void> }
    let rt: Runtime
    let client: Client | undefined
    const servers: ChildProcess[] = []

    const startServer = async (
      name: string,
      redisUrl: string,
    ): Promise<{ url: string; child: ChildProcess }> => {
      const env = {
        PORT: '0',
        SERVER_NAME: name,
        REDIS_URL: redisUrl,
        SESSION_IDLE_MS: String(30 * 60_000),
        WX_API_BASE: wechat.url,
        WX_APPID: rt.appid,
        WX_SECRET: 'test-secret',
      }
      const { child, match } = await spawnUntil(
        process.execPath,
        ['--import', 'tsx', MAIN],
        env,
        /demo server on (http:\S+)/,
      )
      servers.push(child)
      return { url: match[1]!, child }
    }
    const connect = (baseURL: string): Client =>
      (client = createClient({
        platform: rt.wx,
        clock: rt.clock,
        baseURL,
        warmup: '/session',
        login: { url: '/login' },
      }))

    beforeAll(async () => {
      const port = await freePort()
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
      const { child } = await spawnUntil('redis-server', args, {}, /Ready to accept connections/)
      redis = { url: `redis://127.0.0.1:${port}`, child }
      wechat = await startWeChatApi((code) => rt.code2Session(code))
    }, 30_000)
    afterEach(async () => {
      client?.dispose()
      rt?.destroy()
      await Promise.all(servers.splice(0).map(stop))
    })
    afterAll(async () => {
      await wechat?.close()
      if (redis) await stop(redis.child)
    })

    it('a session created and logged in on A is served by B, and survives A going away', async () => {
      rt = createRuntime({ user: 'redis-user' })
      const [a, b] = await Promise.all([startServer('A', redis.url), startServer('B', redis.url)])
      const session = connect(a.url)

      const answer = await session.login<{ bound: boolean; servedBy: string }>()
      expect(answer).toMatchObject({ bound: false, servedBy: 'A' })
      const id = session.getSession().id
      expect(id).toBeTruthy()

      // Cookies are not scoped by port (RFC 6265 section 8.5): the jar sends A's cookie to B.
      const bound = await session.request<{ servedBy: string; user: { name: string } }>({
        url: `${b.url}/bind`,
        method: 'POST',
        data: { name: 'rita', password: 'pw' },
      })
      expect(bound.statusCode).toBe(200)
      expect(bound.data).toMatchObject({ servedBy: 'B', user: { name: 'rita' } })

      type Orders = { servedBy: string; hits: number; orders: unknown[] }
      const onA = await session.request<Orders>({ url: '/orders' })
      const onB = await session.request<Orders>({ url: `${b.url}/orders` })
      expect([onA.statusCode, onA.data.servedBy, onB.statusCode, onB.data.servedBy]).toEqual([
        200,
        'A',
        200,
        'B',
      ])
      // One session state: B counts on from where A left it.
      expect(onB.data.hits).toBe(onA.data.hits + 1)
      expect(onB.data.orders).toHaveLength(2)

      await stop(a.child)
      const afterA = await session.request<Orders>({ url: `${b.url}/orders` })
      expect([afterA.statusCode, afterA.data.hits]).toEqual([200, onB.data.hits + 1])
      expect(session.getSession().id).toBe(id)

      // The session lives in Redis, with the idle timeout as its TTL.
      const peek = createRedisClient({ url: redis.url })
      await peek.connect()
      try {
        const keys = await peek.keys('demo:*')
        expect(keys).toHaveLength(1)
        const ttl = await peek.ttl(keys[0]!)
        expect(ttl).toBeGreaterThan(29 * 60)
        expect(ttl).toBeLessThanOrEqual(30 * 60)
      } finally {
        await peek.quit()
      }
    })

    it('control: with memory stores, B does not know the session A created', async () => {
      rt = createRuntime({ user: 'memory-user' })
      const [a, b] = await Promise.all([startServer('A', ''), startServer('B', '')])
      const session = connect(a.url)
      await session.login()
      const onA = await session.request({ url: '/session' })
      expect(onA.data).toMatchObject({ loggedIn: true, servedBy: 'A' })
      // B answers 401. B is not the backend (another origin): its answer comes back as it is,
      // with no renew of A's session.
      const onB = await session.request({ url: `${b.url}/orders` })
      expect(onB.statusCode).toBe(401)
      expect(session.getSession().loggedIn).toBe(true)
    })
  },
)
