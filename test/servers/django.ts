// Django's own session and CSRF middleware (Debian's python3-django, imported from /usr/bin/python3)
// as a test server: django/app.py does the work; this file starts it on a port the OS picks, reads
// its event log, and stops it by its PID. Gate: requires('django', hasDjango(), DJANGO_INSTALL).
import { spawn, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { killGroup, trackGroup } from './processes.js'
import type { CsrfServer, CsrfServerEvent } from './csrf-express.js'
import type { Fault } from './types.js'

/** Debian's interpreter, whatever `python3` on PATH is (pyenv, venvs): python3-django installs for it. */
export const DJANGO_PYTHON = '/usr/bin/python3'
export const DJANGO_INSTALL = 'apt-get install python3-django'

let django: boolean | undefined
export function hasDjango(): boolean {
  django ??= spawnSync(DJANGO_PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0
  return django
}

const app = fileURLToPath(new URL('./django/app.py', import.meta.url))
const SESSION_COOKIE = 'sessionid'

export async function startDjangoServer(options: { code2SessionUrl: string }): Promise<CsrfServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mps-django-'))
  const sessions = join(dir, 'sessions')
  const log = join(dir, 'events.log')
  writeFileSync(log, '')
  writeFileSync(join(dir, 'faults.json'), '{}')
  const child = spawn(DJANGO_PYTHON, [app], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MPS_DIR: dir, MPS_WECHAT_API: options.code2SessionUrl, PYTHONUNBUFFERED: '1' },
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('python3 did not start')
  trackGroup(pid)
  let stderr = '' // keep draining the pipe, keep only the start
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4000) stderr += d.toString()
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const stop = async (): Promise<void> => {
    killGroup(pid)
    if (child.exitCode === null && child.signalCode === null) await exited
  }

  // The app prints "listening <port>" once its socket accepts connections. Bounded: 15 s.
  let port: number
  try {
    port = await new Promise<number>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error('no "listening" line within 15 s')), 15_000)
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /listening (\d+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve(Number(m[1]))
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`exited with ${code}`))
      })
    })
  } catch (err) {
    await stop()
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`Django test server did not start: ${String(err)}: ${stderr.trim().slice(0, 1500)}`)
  }

  const readEvents = (): CsrfServerEvent[] =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as CsrfServerEvent)

  return {
    url: `http://127.0.0.1:${port}`,
    get events() {
      return readEvents()
    },
    sessionCookie: SESSION_COOKIE,
    tokenCookie: 'csrftoken',
    tokenHeader: 'x-csrftoken',
    count: (event) => readEvents().filter((e) => e.event === event).length,
    // What session cleanup does to expired sessions: their files disappear.
    expireAll() {
      for (const f of readdirSync(sessions)) {
        if (!f.startsWith(SESSION_COOKIE)) continue
        unlinkSync(join(sessions, f))
        const event = {
          at: Date.now(),
          method: '-',
          path: '(expireAll)',
          sid: f.slice(SESSION_COOKIE.length),
          event: 'expired',
          tokenHeaders: {},
        }
        appendFileSync(log, `${JSON.stringify(event)}\n`)
      }
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
