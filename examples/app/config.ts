import type { SessionOptions } from 'miniprogram-session'

/** What differs between builds: the backend's address. A test points it at its local server. */
export const config: SessionOptions = { baseURL: 'https://api.example.com' }
