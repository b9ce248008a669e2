// app.ts (Taro)
import Taro from '@tarojs/taro'
import { init } from 'miniprogram-session'

export const session = init({
  platform: Taro,
  baseURL: 'https://api.example.com',
  warmup: '/session',
  login: { url: '/login' },
})
// pages: session.request({ url: '/orders' }) instead of Taro.request
