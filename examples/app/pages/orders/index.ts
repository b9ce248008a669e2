import { request } from 'miniprogram-session'

export interface Order {
  id: number
  item: string
}

Page({
  data: { orders: [] as Order[], error: '' },
  async onLoad() {
    try {
      // needLogin: wx.login → POST /login once, the first time only; later loads reuse the session.
      const res = await request<Order[]>({ url: '/orders', needLogin: true })
      this.setData({ orders: res.data })
    } catch (error) {
      this.setData({ error: String(error) })
    }
  },
})
