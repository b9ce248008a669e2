// Page(), Component() and getCurrentPages() of the Node runtime: page code loads, its hooks run in
// navigation order, setData works on paths, and hide/show reach the current page.
import { afterEach, describe, expect, it } from 'vitest'
import { createRuntime, type Runtime } from '../../src/testing/index.js'
import type { Loose } from './helpers.js'

const g = globalThis as Record<string, Loose>
let rt: Runtime | undefined
afterEach(() => {
  rt?.destroy()
  rt?.uninstall()
  rt = undefined
})

/** A page module: its code calls `define` once, as a file required twice is evaluated once. */
function pageModule(define: () => void): () => object {
  const exported = {}
  let evaluated = false
  return () => {
    if (!evaluated) define()
    evaluated = true
    return exported
  }
}

describe('Page() under the runtime', () => {
  it('install() defines Page and getCurrentPages; uninstall() removes them', () => {
    rt = createRuntime()
    rt.install()
    expect(typeof g['Page']).toBe('function')
    expect(g['getCurrentPages']()).toEqual([])
    rt.uninstall()
    expect('Page' in g).toBe(false)
    expect('getCurrentPages' in g).toBe(false)
  })

  it('openPage: onLoad(query), onShow, onReady in that order; this.route, this.options, a data copy per page', async () => {
    rt = createRuntime()
    rt.install()
    const calls: string[] = []
    const load = pageModule(() =>
      g['Page']({
        data: { list: [{ name: 'a' }], user: { name: 'x' } },
        onLoad(this: Loose, query: Record<string, string>) {
          calls.push(`load ${query.id} ${this.options.id} ${this.route}`)
        },
        onShow: () => calls.push('show'),
        onReady: () => calls.push('ready'),
        rename(this: Loose, name: string) {
          this.setData({ 'list[0].name': name, 'user.name': name, 'tags[1]': 't' })
        },
      }),
    )
    const page = await rt.openPage(load, { query: { id: '7' }, route: 'pages/orders/index' })
    expect(calls).toEqual(['load 7 7 pages/orders/index', 'show', 'ready'])
    ;(page['rename'] as (n: string) => void)('b')
    expect(page.data).toEqual({ list: [{ name: 'b' }], user: { name: 'b' }, tags: [undefined, 't'] })
    const again = await rt.openPage(load)
    expect(again.data.list).toEqual([{ name: 'a' }]) // the definition's data, not the first page's
    expect(again.route).toBe('pages/index/index')
    expect(g['getCurrentPages']()).toEqual([page, again])
  })

  it('setData runs its callback afterwards, with the page as this', async () => {
    rt = createRuntime()
    rt.install()
    const page = await rt.openPage(pageModule(() => g['Page']({ data: { n: 0 } })))
    const seen = await new Promise((resolve) =>
      page.setData({ n: 1 }, function (this: Loose) {
        resolve([this === page, this.data.n])
      }),
    )
    expect(seen).toEqual([true, 1])
  })

  it('hide() and show() reach the current page, before App.onHide and after App.onShow', async () => {
    rt = createRuntime()
    rt.install()
    const calls: string[] = []
    g['App']({ onHide: () => calls.push('app hide'), onShow: () => calls.push('app show') })
    calls.length = 0
    await rt.openPage(
      pageModule(() =>
        g['Page']({ onShow: () => calls.push('page show'), onHide: () => calls.push('page hide') }),
      ),
    )
    calls.length = 0
    rt.hide()
    rt.show()
    expect(calls).toEqual(['page hide', 'app hide', 'app show', 'page show'])
  })

  it('a page built with Component(): methods, lifetimes, then the page hooks', async () => {
    rt = createRuntime()
    rt.install()
    const calls: string[] = []
    const page = await rt.openPage(
      pageModule(() =>
        g['Component']({
          data: { step: 'start' },
          lifetimes: { attached: () => calls.push('attached') },
          methods: {
            onLoad(this: Loose) {
              calls.push('load')
              this.setData({ step: 'loaded' })
            },
          },
        }),
      ),
    )
    expect(calls).toEqual(['attached', 'load'])
    expect(page.data.step).toBe('loaded')
  })

  it('keeps a Component that was there (miniprogram-simulate renders with its own)', () => {
    const simulateComponent = () => {}
    g['Component'] = simulateComponent
    rt = createRuntime()
    rt.install()
    expect(g['Component']).toBe(simulateComponent)
    rt.uninstall()
    expect(g['Component']).toBe(simulateComponent)
    delete g['Component']
  })

  it('a loader that defines no page is refused, saying how to write it', async () => {
    rt = createRuntime()
    rt.install()
    await expect(rt.openPage(() => undefined)).rejects.toThrow(
      /openPage\(load\): the page code called neither Page\(\) nor Component\(\); pass a loader that returns the module/,
    )
  })

  it('an exception in onLoad goes to App.onError when there is one, else openPage rejects', async () => {
    rt = createRuntime()
    rt.install()
    const failing = () => {
      throw new Error('page bug')
    }
    await expect(rt.openPage(pageModule(() => g['Page']({ onLoad: failing })))).rejects.toThrow('page bug')
    const errors: string[] = []
    g['App']({ onError: (e: string) => errors.push(e) })
    await rt.openPage(pageModule(() => g['Page']({ onLoad: failing })))
    expect(errors[0]).toMatch(/^page bug\n/)
  })

  it('after restart() the same module opens on the new launch (its code is not evaluated again)', async () => {
    rt = createRuntime()
    rt.install()
    let evaluations = 0
    const load = pageModule(() => {
      evaluations++
      g['Page']({ data: { v: 1 } })
    })
    await rt.openPage(load)
    rt = rt.restart()
    expect(g['getCurrentPages']()).toEqual([]) // a cold start has no pages
    const page = await rt.openPage(load)
    expect(page.data.v).toBe(1)
    expect(evaluations).toBe(1)
  })
})

describe('a destroyed launch', () => {
  it('off* is a no-op (the listeners went with the launch); any other call is a test bug', () => {
    rt = createRuntime()
    const listener = () => {}
    rt.wx.onAppHide(listener)
    rt.destroy()
    expect(() => rt!.wx.offAppHide(listener)).not.toThrow()
    expect(() => rt!.wx.offAppShow()).not.toThrow()
    expect(() => rt!.wx.onAppShow(listener)).toThrow(
      'miniprogram-session/testing: wx.onAppShow called on a destroyed runtime; use the one restart() returned',
    )
    expect(() => rt!.wx.request({ url: 'http://127.0.0.1:9/' })).toThrow(
      /wx\.request called on a destroyed runtime/,
    )
  })
})
