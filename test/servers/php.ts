// PHP's own session machinery (`php -S` + session_start(), files storage) as a test server.
// router.php does the work; this file starts it on a free loopback port and reads its event log.
import { spawn, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { killGroup, trackGroup } from './processes.js'
import type { Fault, ServerEvent, TestServer } from './types.js'

export type { Fault, ServerEvent, TestServer } from './types.js'

let php: boolean | undefined
export function hasPhp(): boolean {
  php ??= spawnSync('php', ['-v'], { stdio: 'ignore' }).status === 0
  return php
}

const router = fileURLToPath(new URL('./php/router.php', import.meta.url))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

// -d settings: files storage in our tmpdir, strict mode (unknown ids are replaced, not adopted),
// ids accepted from the URL too (?PHPSESSID=), no random GC (expireAll is the GC).
const ini = (sessions: string): string[] =>
  Object.entries({
    'session.save_path': sessions,
    'session.use_strict_mode': '1',
    'session.use_only_cookies': '0',
    'session.use_trans_sid': '0',
    'session.gc_probability': '0',
    display_errors: 'stderr',
  }).flatMap(([k, v]) => ['-d', `${k}=${v}`])

// One `php -S` on a free port, ready to serve; `stop` kills its process group.
async function launch(
  dir: string,
  code2SessionUrl: string,
  idleTimeoutMs = 0,
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort()
  const child = spawn('php', [...ini(join(dir, 'sessions')), '-S', `127.0.0.1:${port}`, router], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Several workers, so a hung request (fault 'hang') or a session lock does not stall the rest.
    env: {
      ...process.env,
      PHP_CLI_SERVER_WORKERS: '4',
      MPS_DIR: dir,
      MPS_WECHAT_API: code2SessionUrl,
      MPS_IDLE_MS: String(idleTimeoutMs),
    },
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('php -S did not start')
  trackGroup(pid) // php -S workers outlive a killed master: the whole group is killed
  let stderr = '' // php -S logs every request here: keep draining the pipe, keep only the start
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString()
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const stop = async (): Promise<void> => {
    killGroup(pid)
    if (child.exitCode === null && child.signalCode === null) await exited
  }
  const url = `http://127.0.0.1:${port}`
  // Bounded readiness polling: 100 × 50 ms.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i === 100) {
      await stop()
      throw new Error(`php -S on port ${port} did not become ready: ${stderr.trim().slice(0, 500)}`)
    }
    const ready = await fetch(`${url}/__ready`, { signal: AbortSignal.timeout(500) }).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) return { url, stop }
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface PhpServerOptions {
  code2SessionUrl: string
  /** A session idle longer than this (on the time `setNow` gives) is dropped. Default: never. */
  idleTimeoutMs?: number
}

export async function startPhpServer(options: PhpServerOptions): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mps-php-'))
  const sessions = join(dir, 'sessions')
  mkdirSync(sessions)
  const log = join(dir, 'events.log')
  writeFileSync(log, '')
  writeFileSync(join(dir, 'faults.json'), '{}')
  let php: Awaited<ReturnType<typeof launch>> | undefined
  // The free port may be taken between our probe and php's bind: try another, at most 3 times.
  for (let attempt = 1; !php; attempt++) {
    try {
      php = await launch(dir, options.code2SessionUrl, options.idleTimeoutMs)
    } catch (err) {
      if (attempt === 3 || !/in use/i.test(String(err))) {
        rmSync(dir, { recursive: true, force: true })
        throw err
      }
    }
  }
  const { url, stop } = php
  const readEvents = (): ServerEvent[] =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ServerEvent)

  return {
    url,
    get events() {
      return readEvents()
    },
    count: (event) => readEvents().filter((e) => e.event === event).length,
    // What session GC does to idle sessions: their files disappear.
    expireAll() {
      for (const f of readdirSync(sessions)) {
        unlinkSync(join(sessions, f))
        const sid = f.replace(/^sess_/, '')
        appendFileSync(
          log,
          `${JSON.stringify({ at: Date.now(), method: '-', path: '(expireAll)', sid, event: 'expired' })}\n`,
        )
      }
    },
    setNow(ms: number) {
      writeFileSync(join(dir, 'now'), String(Math.round(ms)))
    },
    fail(route, times, how: Fault) {
      const file = join(dir, 'faults.json')
      const faults = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      faults[route] = { times, how }
      writeFileSync(file, JSON.stringify(faults))
    },
    close: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
