// Two demo servers behind one API, sessions in Redis (connect-redis): one mini-program session is
// served by both. The control run without Redis shows that the store is what shares it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createClient as createRedisClient } from 'redis'
import { createClient, type Client } from '../../src/index.js'
import { createRuntime, type Runtime } from '../../src/testing/index.js'
import { startDemoServer, type DemoServer } from '../../demo-miniprogram/server/server.js'
import { requires } from '../helpers/requires.js'

const hasRedis = spawnSync('redis-server', ['--version']).status === 0

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

async function startRedis(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${out}`)), 10_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited (${code}):\n${out}`))
    })
  })
  return { url: `redis://127.0.0.1:${port}`, process: child }
}

describe.runIf(requires('redis-server', hasRedis, 'apt-get install redis-server'))(
  'two demo servers, one session (connect-redis)',
  () => {
    let redis: { url: string; process: ChildProcess }
    let rt: Runtime
    let client: Client
    const servers: DemoServer[] = []
    const log: string[] = []

    const twoServers = async (redisUrl: string | undefined): Promise<[DemoServer, DemoServer]> => {
      const accounts = new Map<string, { name: string }>() // one user table behind both
      for (const name of ['A', 'B']) {
        servers.push(
          await startDemoServer({
            name,
            accounts,
            idleMs: 30 * 60_000,
            code2Session: (code) => rt.code2Session(code),
            log: (line) => log.push(line),
            ...(redisUrl ? { redisUrl } : {}),
          }),
        )
      }
      return servers.slice(-2) as [DemoServer, DemoServer]
    }
    const connect = (baseURL: string): Client => {
      client = createClient({
        platform: rt.wx,
        clock: rt.clock,
        baseURL,
        warmup: '/session',
        login: { url: '/login' },
      })
      return client
    }

    beforeAll(async () => {
      redis = await startRedis()
    }, 20_000)
    afterEach(async () => {
      client?.dispose()
      rt?.destroy()
      for (const server of servers.splice(0)) await server.close()
    })
    afterAll(async () => {
      if (!redis) return
      const exited = new Promise((resolve) => redis.process.once('exit', resolve))
      process.kill(redis.process.pid!, 'SIGTERM')
      await exited
    })

    it('a session created and logged in on A is served by B, and survives A going away', async () => {
      rt = createRuntime({ user: 'redis-user' })
      const [a, b] = await twoServers(redis.url)
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

      await a.close()
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
      const [a, b] = await twoServers(undefined)
      const session = connect(a.url)
      await session.login()
      const onA = await session.request({ url: '/session' })
      expect(onA.data).toMatchObject({ loggedIn: true, servedBy: 'A' })
      // B answers 401; the SDK renews once (on A, its backend) and B still says 401.
      await expect(session.request({ url: `${b.url}/orders` })).rejects.toMatchObject({
        code: 'SESSION_EXPIRED',
        statusCode: 401,
      })
    })
  },
)
