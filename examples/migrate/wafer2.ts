import { init } from 'miniprogram-session'

init({
  baseURL: 'https://xxx.qcloud.la',
  mode: 'header',
  header: { name: 'X-WX-Skey' }, // the header wafer2 sent
  sessionFromBody: (body) => body?.data?.skey, // wafer2's login answer: { code: 0, data: { skey, userinfo } }
  login: { url: '/weapp/login' }, // was qcloud.setLoginUrl(...)
  isExpired: (res) => res.statusCode === 401 || res.data?.code === -1, // wafer2's two expiry signals
  needLogin: true, // was request({ login: true }), without a login per call
})
