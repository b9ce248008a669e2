// Copies each examples/ file into the README block under its `<!-- sample: path -->` line, so that
// after editing a sample `npm run readme` brings the README up to date (test/readme checks it).
import { readFileSync, writeFileSync } from 'node:fs'

const readme = readFileSync('README.md', 'utf8')
const updated = readme.replace(
  /(<!-- sample: (\S+) -->\n```\w*\n)[\s\S]*?(```\n)/g,
  (_block, opening: string, path: string, closing: string) => opening + readFileSync(path, 'utf8') + closing,
)
writeFileSync('README.md', updated)
console.log(updated === readme ? 'README samples already up to date' : 'README samples updated')
