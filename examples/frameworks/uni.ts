// App.vue onLaunch (uni-app)
import { init } from 'miniprogram-session'

init({ platform: uni, baseURL: 'https://api.example.com', mode: 'header', login: { url: '/login' } })
