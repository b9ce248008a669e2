import { init } from 'miniprogram-session'
import { config } from './config' // { baseURL: 'https://api.example.com' }

App({
  onLaunch() {
    // One warm-up per launch creates the server session; a call that needs a user logs in first.
    init({ ...config, warmup: '/session', login: { url: '/login' } })
  },
})
