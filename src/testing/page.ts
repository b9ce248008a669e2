// Page() and getCurrentPages() for page code under the Node runtime: enough to load a page's code
// and drive it (lifecycle hooks, setData, handlers called directly), with no rendering. Rendering
// WXML and tapping nodes is miniprogram-simulate's job (the demo's pages test uses it).
import type { Deliver } from './callbacks.js'
import type { AnyObject } from './platforms.js'

export interface OpenPageOptions {
  /** The page's query: onLoad's argument and `this.options`. Default {}. */
  query?: Record<string, string>
  /** `this.route`. Default 'pages/index/index'. */
  route?: string
}

/** `this` in page code: the definition's data (a copy per page) and methods, setData, route, options. */
export interface PageInstance<Data extends AnyObject = AnyObject> {
  route: string
  options: Record<string, string>
  data: Data
  /** Sets each key (a path like 'list[0].name' or 'user.name') in `data`; the callback runs afterwards. */
  setData(patch: AnyObject, callback?: () => void): void
  [member: string]: unknown
}

type Definition = { by: 'Page' | 'Component'; options: AnyObject }

// A module is evaluated once per Node process, across restarts too: its definition is remembered
// by what the loader returned (the cached module).
const definitions = new WeakMap<object, Definition>()

/** Sets `value` at `path` ('a.b[2].c') in `target`, making the objects and arrays on the way. */
function setPath(target: AnyObject, path: string, value: unknown): void {
  const keys = path.split(/[.[\]]+/).filter((key) => key !== '')
  let node = target
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value
    else {
      if (typeof node[key] !== 'object' || node[key] === null)
        node[key] = /^\d+$/.test(keys[i + 1]!) ? [] : {}
      node = node[key] as AnyObject
    }
  })
}

export function createPages(deliver: Deliver, guarded: (fn: () => void) => void) {
  const stack: PageInstance[] = []
  let defined: Definition | undefined

  const hook = (page: PageInstance, name: string, ...args: unknown[]): void => {
    const fn = page[name]
    if (typeof fn === 'function') guarded(() => void fn.apply(page, args))
  }

  function instantiate({ by, options }: Definition, open: OpenPageOptions): PageInstance {
    // Page({ data, onLoad, onTap }) has its methods at the top; Component({ data, methods: { onLoad } }) in `methods`.
    const members: AnyObject = by === 'Page' ? options : (options.methods ?? {})
    const page = { ...members } as PageInstance
    page.data = structuredClone(options.data ?? {})
    page.route = open.route ?? 'pages/index/index'
    page.options = { ...open.query }
    page.setData = (patch, callback) => {
      for (const [path, value] of Object.entries(patch)) setPath(page.data, path, value)
      if (callback) deliver(() => callback.call(page))
    }
    return page
  }

  return {
    /** The global `Page()`: defines the page whose code is loading. */
    Page(options: AnyObject): void {
      defined = { by: 'Page', options }
    },
    /** The global `Component()` (when miniprogram-simulate did not define one): a page built with Component. */
    Component(options: AnyObject): void {
      defined = { by: 'Component', options }
    },
    getCurrentPages: (): PageInstance[] => stack.slice(),
    async open(load: () => unknown, open: OpenPageOptions = {}): Promise<PageInstance> {
      defined = undefined
      const loaded: unknown = await load()
      const module = typeof loaded === 'object' && loaded !== null ? loaded : undefined
      const definition = defined ?? (module && definitions.get(module))
      defined = undefined
      if (!definition)
        throw new Error(
          'miniprogram-session/testing: openPage(load): the page code called neither Page() nor Component(); ' +
            'pass a loader that returns the module, e.g. () => require("./pages/orders/index"), and load it only through openPage',
        )
      if (module) definitions.set(module, definition)
      const page = instantiate(definition, open)
      stack.push(page)
      if (definition.by === 'Component') {
        const lifetimes = (definition.options.lifetimes ?? definition.options) as AnyObject
        for (const name of ['created', 'attached'])
          if (typeof lifetimes[name] === 'function') guarded(() => void lifetimes[name].call(page))
      }
      hook(page, 'onLoad', page.options)
      hook(page, 'onShow')
      hook(page, 'onReady')
      return page
    },
    /** The app went to the background (`'onHide'`) or came back (`'onShow'`): the current page's hook. */
    notify(name: 'onHide' | 'onShow'): void {
      const current = stack[stack.length - 1]
      if (current) hook(current, name)
    },
    clear: () => void stack.splice(0),
  }
}
