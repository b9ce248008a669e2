import { request } from 'miniprogram-session'
import type { SessionOptions } from 'miniprogram-session'

// Off by default. Idempotent methods only, network errors and timeouts, and these statuses.
export const retryTransient: SessionOptions = {
  retry: { limit: 2, statusCodes: [408, 429, 500, 502, 503, 504] },
}
// init({ ...config, ...retryTransient })

/** A POST that is safe to repeat (the server dedupes on the idempotency key) opts in on its own. */
export const placeOrder = (item: string, key: string) =>
  request({
    url: '/orders',
    method: 'POST',
    data: { item },
    header: { 'Idempotency-Key': key },
    retry: { methods: ['POST'] },
  })
