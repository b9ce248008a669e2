import { isSessionError, request } from 'miniprogram-session'
import type { AbortSignalLike } from 'miniprogram-session'

// Mini-programs have no AbortController: `signal` takes any object with `aborted` and
// addEventListener('abort', fn) (an AbortController's signal where there is one).
function createAbort() {
  const listeners: (() => void)[] = []
  const signal: AbortSignalLike & { aborted: boolean } = {
    aborted: false,
    addEventListener: (type, listener) => listeners.push(listener),
  }
  const abort = () => {
    signal.aborted = true
    listeners.forEach((listener) => listener())
  }
  return { signal, abort }
}

let previous: ReturnType<typeof createAbort> | undefined

/** Search as the user types: each keystroke cancels the search before it. */
export async function search(q: string) {
  previous?.abort()
  const { signal } = (previous = createAbort())
  try {
    return (await request({ url: '/search', data: { q }, signal })).data
  } catch (error) {
    if (isSessionError(error) && error.code === 'ABORTED') return undefined // a newer search runs
    throw error
  }
}
