import { isSessionError, login, logout, request, uploadFile } from 'miniprogram-session'
import type { Order } from '../app/pages/orders/index'

/** What your POST /login answers: typed through login<T>(). */
interface LoginAnswer {
  bind: boolean
}

export async function tour(photo: string) {
  const { bind } = await login<LoginAnswer>() // wx.login → POST /login { code } → the server's body
  const res = await request<Order[]>({ url: '/orders' }) // wx.request's own options, minus callbacks
  const first: Order | undefined = res.data[0]
  const task = uploadFile({ url: '/photos', filePath: photo, name: 'photo' })
  task.onProgressUpdate(({ progress }) => console.log(`${progress} %`))
  try {
    await request({ url: '/orders', method: 'POST', data: { item: 'tea' }, rejectOnHttpError: true })
  } catch (error) {
    if (isSessionError(error) && error.code === 'HTTP') console.log('refused:', error.message)
  }
  await logout() // clears the local session at once; POSTs the `logout` URL if set
  return { bind, first, upload: await task }
}
