import { getPublicSuffix } from 'tldts'

// The jar knows a few public suffixes by itself; the whole Public Suffix List comes from a package
// that is updated with it. tldts: about 49 KB min+gzip, in your bundle only if you import it.
export const isPublicSuffix = (domain: string): boolean =>
  getPublicSuffix(domain, { allowPrivateDomains: true }) === domain // github.io, vercel.app, …

// init({ ...config, isPublicSuffix })
