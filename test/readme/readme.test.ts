// The README cannot drift: every TypeScript/JavaScript sample in it is a real file under examples/
// (type-checked by `npm run typecheck`, executed where it runs by examples/**/*.test.ts), named by
// a `<!-- sample: path -->` line just above the block; and the Chinese and English halves say the
// same things: the same sections, code blocks, table rows and `code` spans, section by section.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const README = readFileSync('README.md', 'utf8')

interface Block {
  lang: string
  code: string
  sample?: string
  line: number
}
interface Section {
  heading: string
  blocks: Block[]
  /** Rows of the section's tables, header and separator lines excluded. */
  tableRows: number
  /** Every `inline code` span outside code blocks. */
  spans: Set<string>
}

/** Splits a half of the README (from its `## ` heading) into its `### ` sections. */
function sections(half: string, firstLine: number): Section[] {
  const out: Section[] = []
  const lines = half.split('\n')
  let block: Block | undefined
  let sample: string | undefined
  lines.forEach((line, i) => {
    if (block) {
      if (line.startsWith('```')) block = void out.at(-1)?.blocks.push(block)
      else block.code += `${line}\n`
      return
    }
    const fence = /^```(\w*)/.exec(line)
    if (fence) {
      block = { lang: fence[1]!, code: '', line: firstLine + i, ...(sample ? { sample } : {}) }
      sample = undefined
      return
    }
    sample = /^<!-- sample: (\S+) -->$/.exec(line)?.[1] ?? (line.trim() ? undefined : sample)
    if (line.startsWith('### '))
      out.push({ heading: line.slice(4), blocks: [], tableRows: 0, spans: new Set() })
    const section = out.at(-1)
    if (!section) return
    if (/^\|/.test(line) && !/^\|[-| :]+\|$/.test(line) && !/^\|[-| :]+\|$/.test(lines[i + 1] ?? ''))
      section.tableRows++
    for (const [, span] of line.matchAll(/`([^`]+)`/g)) section.spans.add(span!)
  })
  return out
}

const zhStart = README.indexOf('\n## 中文\n')
const enStart = README.indexOf('\n## English\n')
const lineOf = (offset: number) => README.slice(0, offset).split('\n').length + 1
const zh = sections(README.slice(zhStart + 1, enStart), lineOf(zhStart))
const en = sections(README.slice(enStart + 1), lineOf(enStart))
const top = sections(`### top\n${README.slice(0, zhStart)}`, 0)[0]!
const every = [top, ...zh, ...en].flatMap((section) => section.blocks)

describe('README samples are real files', () => {
  it('every ts/js block names its file, and is that file', () => {
    const code = every.filter((block) => /^(ts|js|typescript|javascript)$/.test(block.lang))
    expect(code.length).toBeGreaterThan(5)
    for (const block of code) {
      expect(
        block.sample,
        `README line ${block.line}: a ${block.lang} block without <!-- sample: … -->`,
      ).toBeDefined()
      expect(block.code, `README line ${block.line} differs from ${block.sample}`).toBe(
        readFileSync(block.sample!, 'utf8'),
      )
    }
  })
})

describe('README: the Chinese and English halves say the same things', () => {
  it('the same number of sections', () => {
    expect(zh.map((s) => s.heading).length).toBe(en.length)
  })
  en.forEach((english, i) => {
    const chinese = zh[i]
    describe(`${chinese?.heading ?? '(missing)'} ↔ ${english.heading}`, () => {
      it('the same code blocks', () => {
        expect(chinese?.blocks.map((b) => b.sample ?? b.lang)).toEqual(
          english.blocks.map((b) => b.sample ?? b.lang),
        )
      })
      it('the same number of table rows', () => {
        expect(chinese?.tableRows).toBe(english.tableRows)
      })
      it('the same `code` spans', () => {
        const missingInZh = [...english.spans].filter((span) => !chinese?.spans.has(span))
        const missingInEn = [...(chinese?.spans ?? [])].filter((span) => !english.spans.has(span))
        expect({ missingInZh, missingInEn }).toEqual({ missingInZh: [], missingInEn: [] })
      })
    })
  })
})
