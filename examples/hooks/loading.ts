import type { HookContext, Hooks } from 'miniprogram-session'

// One toast while any call is out: shown by the first, hidden by the last. A retry runs
// beforeRequest again with the same context, so each call is counted once.
let loading = 0
const calls = new WeakSet<HookContext>()
const done = (context: HookContext) => {
  if (calls.delete(context) && --loading === 0) wx.hideLoading()
}

export const loadingToast: Hooks = {
  beforeRequest(options, context) {
    if (calls.has(context)) return // a retry: the toast is still up
    calls.add(context)
    if (loading++ === 0) wx.showLoading({ title: 'Loading' })
  },
  afterResponse: (result, context) => done(context),
  onError: (error, context) => done(context),
}
// init({ ...config, hooks: loadingToast })
