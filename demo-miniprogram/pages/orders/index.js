// @ts-check
// Authenticated requests: nothing here handles sessions. An expired session is renewed by the SDK
// (warm-up, login) and the request retried once, before this page sees the answer.
const { request } = require('miniprogram-session')
const { describeError } = require('../../lib/describe-error')

/** @typedef {{ id: string, title: string, amount: number }} Order */

Component({
  data: {
    loading: true,
    /** @type {Array<Order & { price: string }>} */
    orders: [],
    user: '',
    error: '',
  },
  methods: {
    onLoad() {
      return this.load()
    },
    async load() {
      this.setData({ loading: true, error: '' })
      try {
        const res = await request({ url: '/orders' })
        const body = /** @type {{ orders?: Order[], user?: { name: string }, errmsg?: string }} */ (res.data)
        if (res.statusCode !== 200 || !body.orders) {
          this.setData({ loading: false, orders: [], error: body.errmsg || `HTTP ${res.statusCode}` })
          return
        }
        const orders = body.orders.map((o) => ({ ...o, price: `¥${(o.amount / 100).toFixed(2)}` }))
        this.setData({ loading: false, orders, user: body.user ? body.user.name : '' })
      } catch (error) {
        this.setData({ loading: false, orders: [], error: describeError(error) })
      }
    },
  },
})
