/**
 * The two filters that rewrite running text: wordwrap (Python's textwrap.TextWrapper as
 * jinja2.filters.do_wordwrap sets it up: no tab expansion, whitespace kept, long words and hyphenated words
 * broken) and urlize (jinja2.utils.urlize). Python's regular expressions for both are followed where they
 * are linear; where they backtrack (the URL and e-mail patterns on a long word), the same language is
 * matched by a scan, so a hostile word costs one pass.
 */
import { PY_WHITESPACE, pySplit, pySplitlines } from './jinja-strings.js'
import { checkSize, htmlEscape, JinjaError, spend, spendOn, strLen, Writer } from './jinja-values.js'

// ------------------------------------------------------------------------------------------------------------
// wordwrap: textwrap.TextWrapper(width, expand_tabs=False, replace_whitespace=False, break_long_words,
// break_on_hyphens).wrap(line) for each line, the lines joined with wrapstring

/** textwrap's whitespace: ASCII only. */
const WS = '\\t\\n\\x0b\\x0c\\r '
const WORD_PUNCT = `[\\p{L}\\p{N}_!"'&.,?]`
const LETTER = '[\\p{L}\\p{Nl}\\p{No}_]' // \w that is not a decimal digit
/** TextWrapper.wordsep_re (break_on_hyphens), its \w as Python's re reads it. */
const WORDSEP = new RegExp(
  `([${WS}]+|(?<=${WORD_PUNCT})-{2,}(?=[\\p{L}\\p{N}_])|[^${WS}]+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})|(?=[${WS}]|$)|(?<=${WORD_PUNCT})(?=-{2,}[\\p{L}\\p{N}_])))`,
  'u',
)
/** TextWrapper.wordsep_simple_re */
const WORDSEP_SIMPLE = new RegExp(`([${WS}]+)`, 'u')

const WHITESPACE = new Set(PY_WHITESPACE)

/** A chunk is whitespace when str.strip() leaves nothing (Unicode whitespace, unlike the split). */
function isBlank(chunk: string): boolean {
  for (const ch of chunk) if (!WHITESPACE.has(ch)) return false
  return true
}

/** How many code points a chunk has up to its last one that is not whitespace. */
function blankFrom(chunk: string): number {
  let n = 0
  let last = 0
  for (const ch of chunk) {
    n++
    if (!WHITESPACE.has(ch)) last = n
  }
  return last
}

/**
 * TextWrapper._wrap_chunks. A chunk longer than the width is cut from an offset rather than sliced again
 * and again, so a word of n characters cut at width w costs n, not n * n / w.
 */
function wrapChunks(chunks: string[], width: number, breakLong: boolean, breakOnHyphens: boolean): string[] {
  if (width <= 0) throw new JinjaError(`invalid width ${width} (must be > 0)`, 'ValueError')
  const n = chunks.length
  const len = chunks.map(strLen)
  const blank = chunks.map(blankFrom)
  const lines: string[] = []
  let k = 0 // the next chunk
  let offset = 0 // its code points a cut has already used
  let cps: string[] | undefined // its code points, once a cut needs them
  const next = (): void => {
    k++
    offset = 0
    cps = undefined
  }
  const take = (): string => {
    const r = offset === 0 ? chunks[k]! : (cps ??= [...chunks[k]!]).slice(offset).join('')
    next()
    return r
  }
  while (k < n) {
    spend(1)
    const line: string[] = []
    let lineLen = 0
    // a line does not start with whitespace, except the first
    if (lines.length > 0 && offset >= blank[k]!) next()
    while (k < n && lineLen + len[k]! - offset <= width) {
      lineLen += len[k]! - offset
      line.push(take())
    }
    if (k < n && len[k]! - offset > width) {
      // _handle_long_word
      const spaceLeft = width < 1 ? 1 : width - lineLen
      if (breakLong) {
        const chars = (cps ??= [...chunks[k]!])
        let end = spaceLeft
        if (breakOnHyphens && len[k]! - offset > spaceLeft) {
          // after the last hyphen that fits, if something other than hyphens comes before it
          let hyphen = spaceLeft - 1
          while (hyphen >= 0 && chars[offset + hyphen] !== '-') hyphen--
          let other = false
          for (let i = 0; i < hyphen && !other; i++) other = chars[offset + i] !== '-'
          if (hyphen > 0 && other) end = hyphen + 1
        }
        spendOn(end)
        const piece = chars.slice(offset, offset + end).join('')
        line.push(piece)
        offset += end
        if (offset >= len[k]!) next()
      } else if (line.length === 0) line.push(take())
    }
    if (line.length > 0 && isBlank(line[line.length - 1]!)) line.pop()
    if (line.length > 0) lines.push(line.join(''))
  }
  return lines
}

/** jinja2.filters.do_wordwrap, after its arguments are checked. */
export function wordwrap(
  s: string,
  width: number,
  breakLong: boolean,
  wrapstring: string,
  breakOnHyphens: boolean,
): string {
  spendOn(s.length)
  const out = new Writer()
  pySplitlines(s).forEach((line, i) => {
    if (i > 0) out.push(wrapstring)
    const chunks = line.split(breakOnHyphens ? WORDSEP : WORDSEP_SIMPLE).filter((c) => c !== '')
    spendOn(chunks.length)
    wrapChunks(chunks, width, breakLong, breakOnHyphens).forEach((l, j) => {
      if (j > 0) out.push(wrapstring)
      out.push(l)
    })
  })
  return out.toString()
}

// ------------------------------------------------------------------------------------------------------------
// urlize

const WORD = `[\\p{L}\\p{N}_]`
const IS_WORD = new RegExp(`^${WORD}$`, 'u')
const IS_DIGIT = /^\p{Nd}$/u
const WHITESPACE_RUN = new RegExp(`([${PY_WHITESPACE}]+)`, 'u')

/** What may follow a URL's host (port, then path, query or fragment), from position p to the end. */
function suffixOk(s: string, p: number): boolean {
  if (p === s.length || '/?#'.includes(s[p]!)) return true
  if (s[p] !== ':') return false
  let q = p + 1
  while (q < s.length && q - p <= 5 && IS_DIGIT.test(s[q]!)) q++
  const digits = q - p - 1
  return digits >= 1 && digits <= 5 && (q === s.length || '/?#'.includes(s[q]!))
}

/** A run of characters matching `test`, from i: its end. */
function run(s: string, i: number, test: (c: string) => boolean): number {
  let j = i
  while (j < s.length && test(s[j]!)) j++
  return j
}

const isWordPct = (c: string): boolean => c === '%' || c === '-' || IS_WORD.test(c)
const isLetter = (c: string): boolean => /^[a-z]$/i.test(c) || c === '\u212a' || c === '\u017f'
const TLDS = ['com', 'net', 'int', 'edu', 'gov', 'org', 'info', 'mil']
const IP_URL = new RegExp(
  `^https?://(?:\\p{Nd}{1,3}(?:\\.\\p{Nd}{1,3}){3}|\\[(?:[\\p{Nd}a-f]{0,4}:){2}(?:[\\p{Nd}a-f]{0,4}:?){1,6}\\])`,
  'iu',
)

/**
 * jinja2.utils._http_re.match(word), as a scan: scheme or www. with optional subdomains and a TLD of
 * letters (or xn--), or bare domains under the common TLDs, or an IP address after a scheme; then an
 * optional port and path. The word holds no whitespace (words are split on it).
 */
function httpMatch(s: string): boolean {
  const prefix = /^(?:https?:\/\/|www\.)/i.exec(s)
  if (prefix) {
    // subdomains ([\w%-]+\.)*: every end of one is a place the TLD may start
    const starts = [prefix[0].length]
    let p = prefix[0].length
    for (;;) {
      const e = run(s, p, isWordPct)
      if (e === p || s[e] !== '.') break
      p = e + 1
      starts.push(p)
    }
    for (const t of starts) {
      spend(1)
      const letters = run(s, t, isLetter) - t
      for (let k = Math.min(letters, 63); k >= 2; k--) if (suffixOk(s, t + k)) return true
      if (s.slice(t, t + 4).toLowerCase() === 'xn--') {
        const n = run(s, t + 4, (c) => c === '%' || IS_WORD.test(c)) - (t + 4)
        for (let k = Math.min(n, 59); k >= 2; k--) if (suffixOk(s, t + 4 + k)) return true
      }
    }
  }
  // ([\w%-]{2,63}\.)+ then a common TLD
  let p = 0
  for (;;) {
    const e = run(s, p, isWordPct)
    if (e - p < 2 || e - p > 63 || s[e] !== '.') break
    p = e + 1
    spend(1)
    const rest = s.slice(p, p + 4).toLowerCase()
    for (const tld of TLDS) if (rest.startsWith(tld) && suffixOk(s, p + tld.length)) return true
  }
  const ip = IP_URL.exec(s)
  return ip !== null && suffixOk(s, ip[0].length)
}

/**
 * _email_re (^\S+@\w[\w.-]*\.\w+$) as a scan: the '@' must be the last one (nothing after it may be an
 * '@'), and the part after it a word character, then word characters, dots and hyphens, ending in a dot
 * and word characters.
 */
function emailMatch(s: string): boolean {
  const at = s.lastIndexOf('@')
  if (at < 1) return false
  const domain = s.slice(at + 1)
  const dot = domain.lastIndexOf('.')
  if (dot < 1 || dot === domain.length - 1) return false
  const chars = [...domain]
  const dotAt = [...domain.slice(0, dot)].length
  if (!IS_WORD.test(chars[0]!)) return false
  for (let i = 1; i < dotAt; i++)
    if (chars[i] !== '.' && chars[i] !== '-' && !IS_WORD.test(chars[i]!)) return false
  for (let i = dotAt + 1; i < chars.length; i++) if (!IS_WORD.test(chars[i]!)) return false
  return true
}

/** The trailing punctuation urlize leaves outside a link: ([)>.,\n]|&gt;)+ at the end, found backwards. */
function trailingPunct(s: string): number {
  let i = s.length
  for (;;) {
    if (s.endsWith('&gt;', i)) i -= 4
    else if (i > 0 && ')>.,\n'.includes(s[i - 1]!)) i--
    else return i
  }
}

function countOf(s: string, sub: string): number {
  return s.split(sub).length - 1
}

export interface UrlizeOptions {
  /** Whether the text is Markup, which is not escaped again. */
  markup: boolean
  trimUrlLimit: number | null
  rel: string | null
  target: string | null
  extraSchemes: string[] | null
}

/** jinja2.utils.urlize */
export function urlize(text: string, o: UrlizeOptions): string {
  spendOn(text.length)
  const trim = (x: string): string => {
    const limit = o.trimUrlLimit
    if (limit === null || strLen(x) <= limit) return x
    const cps = [...x] // x[:limit], a negative limit counting from the end
    return `${cps.slice(0, limit < 0 ? Math.max(0, cps.length + limit) : limit).join('')}...`
  }
  const relAttr = o.rel ? ` rel="${htmlEscape(o.rel)}"` : ''
  const targetAttr = o.target ? ` target="${htmlEscape(o.target)}"` : ''
  // markupsafe.escape(text): a Markup value is already escaped
  const words = (o.markup ? text : htmlEscape(text)).split(WHITESPACE_RUN)
  const out = new Writer()
  for (const word of words) {
    spend(1)
    let head = ''
    let middle = word
    let tail = ''
    const lead = /^(?:[(<]|&lt;)+/.exec(middle)
    if (lead) {
      head = lead[0]
      middle = middle.slice(head.length)
    }
    if (/(?:[)>.,\n]|&gt;)$/.test(middle)) {
      const cut = trailingPunct(middle)
      tail = middle.slice(cut)
      middle = middle.slice(0, cut)
    }
    // Prefer balancing parentheses in URLs to leaving a trailing one outside
    for (const [open, close] of [
      ['(', ')'],
      ['<', '>'],
      ['&lt;', '&gt;'],
    ] as const) {
      const opens = countOf(middle, open)
      if (opens <= countOf(middle, close)) continue
      const moves = Math.min(opens, countOf(tail, close))
      let end = 0
      for (let i = 0; i < moves; i++) end = tail.indexOf(close, end) + close.length
      middle += tail.slice(0, end)
      tail = tail.slice(end)
    }
    if (httpMatch(middle)) {
      const href =
        middle.startsWith('https://') || middle.startsWith('http://') ? middle : `https://${middle}`
      middle = `<a href="${href}"${relAttr}${targetAttr}>${trim(middle)}</a>`
    } else if (middle.startsWith('mailto:') && emailMatch(middle.slice(7))) {
      middle = `<a href="${middle}">${middle.slice(7)}</a>`
    } else if (
      middle.includes('@') &&
      !middle.startsWith('www.') &&
      !middle.startsWith('@') &&
      !middle.includes(':') &&
      emailMatch(middle)
    ) {
      middle = `<a href="mailto:${middle}">${middle}</a>`
    } else if (o.extraSchemes !== null) {
      for (const scheme of o.extraSchemes)
        if (middle !== scheme && middle.startsWith(scheme))
          middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`
    }
    checkSize(out.length + head.length + middle.length + tail.length)
    out.push(head + middle + tail)
  }
  return out.toString()
}

/** The rel attribute urlize gets: rel's words, nofollow, and the policy's noopener, sorted. */
export function urlizeRel(rel: string | null, nofollow: boolean): string | null {
  const parts = new Set(pySplit(rel ?? '', null, -1))
  if (nofollow) parts.add('nofollow')
  parts.add('noopener')
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return sorted.join(' ') || null
}
