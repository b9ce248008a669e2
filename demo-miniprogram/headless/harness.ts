// Runs the demo mini-program in Node: miniprogram-simulate renders the pages (under jsdom), the
// `miniprogram-session/testing` runtime is their `wx`, doing real HTTP to the demo server.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { rollup } from 'rollup'
import typescript from '@rollup/plugin-typescript'
import { createRuntime, type Runtime } from '../../src/testing/index.js'

export const DEMO_ROOT = resolve(__dirname, '..')
const REPO_ROOT = resolve(DEMO_ROOT, '..')
const NPM_DIR = join(DEMO_ROOT, 'miniprogram_npm', 'miniprogram-session')

// What a page's setData stored; its shape is the page's business, tests read it loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PageData = Record<string, any>
export type PageName = 'home' | 'bare' | 'login' | 'orders' | 'upload' | 'settings'
export interface Settings {
  mode: 'cookie' | 'header' | 'url'
  baseURL: string
  debug: boolean
}

/**
 * Writes what WeChat DevTools' "Build npm" makes from the package's `main`: the SDK as one CommonJS
 * file in miniprogram_npm/miniprogram-session/. `fromDist` copies the built dist/index.js, as
 * DevTools does (`npm run demo` builds first); otherwise it is bundled from src/ with the settings
 * of dist/index.js, without touching dist/ (the package tests rebuild and read it concurrently).
 */
export async function buildMiniprogramNpm({ fromDist = false } = {}): Promise<string> {
  const file = join(NPM_DIR, 'index.js')
  if (fromDist) {
    mkdirSync(NPM_DIR, { recursive: true })
    for (const name of ['index.js', 'index.js.map'])
      copyFileSync(join(REPO_ROOT, 'dist', name), join(NPM_DIR, name))
    return file
  }
  const bundle = await rollup({
    input: join(REPO_ROOT, 'src/index.ts'),
    plugins: [
      typescript({
        tsconfig: join(REPO_ROOT, 'tsconfig.json'),
        noEmit: false,
        declaration: false,
        noCheck: true,
        include: [join(REPO_ROOT, 'src/**/*.ts')],
        exclude: [join(REPO_ROOT, 'src/testing/**')],
      }),
    ],
  })
  await bundle.write({ file, format: 'cjs', exports: 'named', sourcemap: true })
  await bundle.close()
  return file
}

// WeChat resolves a bare `require('miniprogram-session')` in mini-program code to
// miniprogram_npm/miniprogram-session/index.js; Node is told to do the same for the demo's files.
type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string
const nodeModule = Module as unknown as { _resolveFilename: Resolve }
let resolveHooked = false
function resolveLikeWeChat(): void {
  if (resolveHooked) return
  resolveHooked = true
  const original = nodeModule._resolveFilename
  nodeModule._resolveFilename = function (request, parent, ...rest) {
    if (request === 'miniprogram-session' && parent?.filename?.startsWith(DEMO_ROOT))
      return join(NPM_DIR, 'index.js')
    return original.call(this, request, parent, ...rest)
  }
}

// miniprogram-simulate needs a DOM; vitest's jsdom environment gives one, the demo script makes one.
function ensureDom(): void {
  if (typeof (globalThis as { window?: unknown }).window !== 'undefined') return
  type Jsdom = { JSDOM: new (html: string, options: object) => { window: object } }
  const { JSDOM } = createRequire(__filename)('jsdom') as Jsdom
  const { window } = new JSDOM('<!doctype html><html><body></body></html>', {
    url: 'https://servicewechat.com/',
  })
  // Node has its own Event classes; the DOM's must win, or jsdom refuses the events.
  const domFirst = new Set(['Event', 'EventTarget', 'CustomEvent'])
  for (const key of Object.getOwnPropertyNames(window)) {
    if ((key in globalThis && !domFirst.has(key)) || key.startsWith('_')) continue
    Object.defineProperty(globalThis, key, {
      configurable: true,
      writable: true,
      value: (window as unknown as Record<string, unknown>)[key],
    })
  }
  Object.defineProperty(globalThis, 'window', { configurable: true, writable: true, value: window })
}

// The text of a rendered node, one word group per text node, as a reader would see separate <text>s.
type TextTree = { nodeType: number; textContent: string | null; childNodes: ArrayLike<TextTree> }
const words = (node: TextTree): string[] =>
  node.nodeType === 3 ? [node.textContent ?? ''] : Array.from(node.childNodes).flatMap(words)

/** One rendered page: a miniprogram-simulate component plus helpers that read like a user's actions. */
export interface DemoPage {
  readonly name: PageName
  readonly data: PageData
  /** Text of the first node matching `selector` ('' when absent). */
  text(selector: string): string
  has(selector: string): boolean
  /** Taps, then waits (bounded) until `done` holds on the page data. */
  tap(selector: string, done: (data: PageData) => boolean): Promise<void>
  /** Types into an `<input>` (fires `input` with `detail.value`). */
  type(selector: string, value: string): Promise<void>
  /** Fires `change` with `detail.value` (radio-group, switch). */
  change(selector: string, value: unknown): Promise<void>
}

export interface DemoApp {
  /** The current launch's runtime (a new one after `restart()`). */
  readonly runtime: Runtime
  /** Pages the app asked `wx.navigateTo` for, in order. */
  readonly navigations: string[]
  /** Opens a page as navigation would: render, then onLoad and onShow, awaited. */
  open(name: PageName): Promise<DemoPage>
  /** Cold restart: same device storage, fresh JS (the SDK starts from what it persisted). */
  restart(): Promise<void>
  close(): void
}

/**
 * Launches the demo app (app.js → `init`) on a fresh emulated device of WeChat user `user`. The
 * settings are written to the device's storage first, as the settings page would have.
 */
export async function launchDemo(
  options: Partial<Settings> & { baseURL: string; user?: string },
): Promise<DemoApp> {
  const { user, ...settings } = options
  ensureDom()
  resolveLikeWeChat()
  const require = createRequire(__filename)
  // miniprogram-simulate installs its own dummy `wx` when loaded: load it before the runtime's.
  const simulate = require('miniprogram-simulate') as typeof import('miniprogram-simulate')
  let runtime = createRuntime(user ? { user } : {})
  runtime.install()
  runtime.wx.setStorageSync('demo:settings', { mode: 'cookie', debug: false, ...settings })
  const navigations: string[] = []
  const photos = mkdtempSync(join(tmpdir(), 'demo-photos-'))

  // What ends with the JS context on a phone: the SDK's timers.
  const stop = (): void =>
    (globalThis as { getApp?: () => { session?: { dispose(): void } } | undefined })
      .getApp?.()
      ?.session?.dispose()
  const start = (): void => {
    // The user's pick in wx.chooseMedia, which the emulation leaves to the test: a small PNG.
    const photo = join(photos, 'photo.png')
    writeFileSync(photo, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'))
    Object.assign(runtime.wx, {
      chooseMedia: async () => ({
        tempFiles: [{ tempFilePath: photo, size: 29, fileType: 'image' }],
        type: 'image',
        errMsg: 'chooseMedia:ok',
      }),
      navigateTo: (o: { url: string }) => void navigations.push(o.url),
    })
    // A cold start runs every module again, the SDK included.
    for (const id of Object.keys(require.cache)) if (id.startsWith(DEMO_ROOT)) delete require.cache[id]
    require(join(DEMO_ROOT, 'app.js'))
  }
  mkdirSync(NPM_DIR, { recursive: true })
  start()

  const open = async (name: PageName): Promise<DemoPage> => {
    const id = simulate.load(join(DEMO_ROOT, 'pages', name, 'index'), {
      compiler: 'simulate',
      rootPath: DEMO_ROOT,
    })
    const comp = simulate.render(id)
    const { document } = globalThis as unknown as { document: { createElement(tag: string): never } }
    comp.attach(document.createElement('parent-wrapper'))
    const page = comp.instance as PageData
    await page.onLoad?.({})
    await page.onShow?.()
    const node = (selector: string) => comp.querySelector(selector)
    const until = async (done: (data: PageData) => boolean, what: string) => {
      for (const started = Date.now(); !done(comp.data);) {
        if (Date.now() - started > 10_000)
          throw new Error(`${name} page: ${what} did not settle in 10 s; data: ${JSON.stringify(comp.data)}`)
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    const fire = async (selector: string, event: string, detail?: unknown) => {
      const target = node(selector)
      if (!target) throw new Error(`${name} page: no ${selector} to ${event}`)
      target.dispatchEvent(event, detail === undefined ? {} : { detail })
      await simulate.sleep(0) // j-component dispatches on a microtask
    }
    return {
      name,
      get data() {
        return comp.data as PageData
      },
      text: (selector) => {
        const dom = node(selector)?.dom as TextTree | undefined
        return dom ? words(dom).join(' ').replace(/\s+/g, ' ').trim() : ''
      },
      has: (selector) => node(selector) !== undefined,
      tap: async (selector, done) => {
        await fire(selector, 'tap')
        await until(done, `tap on ${selector}`)
      },
      type: (selector, value) => fire(selector, 'input', { value }),
      change: (selector, value) => fire(selector, 'change', { value }),
    }
  }

  return {
    get runtime() {
      return runtime
    },
    navigations,
    open,
    async restart() {
      stop()
      runtime = runtime.restart()
      start()
    },
    close() {
      stop()
      runtime.destroy()
      runtime.uninstall()
      rmSync(photos, { recursive: true, force: true })
    },
  }
}
