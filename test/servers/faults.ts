import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Fault } from './types.js'

export type FaultRoute = 'warmup' | 'login'

/** The in-process servers' fault injection: the next `times` calls to a route fail with `how`. */
export function createFaults(): {
  set(route: FaultRoute, times: number, how: Fault): void
  /** Answers (or drops) the call when a fault is due for its route; true when it did. */
  apply(route: string | undefined, req: IncomingMessage, res: ServerResponse): boolean
} {
  const faults = new Map<FaultRoute, { times: number; how: Fault }>()
  return {
    set: (route, times, how) => void faults.set(route, { times, how }),
    apply(route, req, res) {
      const fault = route === 'warmup' || route === 'login' ? faults.get(route) : undefined
      if (!fault || fault.times <= 0) return false
      fault.times--
      if (fault.how === 'reset') req.socket.destroy()
      else if (fault.how !== 'hang') {
        res.writeHead(fault.how.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ code: fault.how.status, message: 'injected fault' }))
      }
      return true
    },
  }
}
