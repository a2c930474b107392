// Markdown that repository text cannot take over. The job summary and the check run's summary are
// rendered by GitHub as GitHub Flavored Markdown (cmark-gfm, then GitHub's own filters for mentions
// and issue references), and everything the pull request wrote (file names, JSON values, template
// errors from `raise_exception`, split names, target references) reaches them. Repository text goes
// through `mdText` (running text and table cells) or `mdCode` (file names, references); the links the
// tool makes itself go through `mdUrl`; `fitMarkdown` keeps a document under a size limit without
// cutting a line in two.
//
// What each guards against, checked against cmark-gfm 0.29.0.gfm.6 and micromark + GFM (the tests
// render with micromark):
// - Every ASCII punctuation character is backslash-escaped (CommonMark: any may be). That leaves no
//   link or image (`[`, `!`), no raw HTML or angle-bracket autolink (`<`), no entity (`&`), no
//   emphasis, strikethrough or math (`*`, `_`, `~`, `$`), no code span (`` ` ``), no table cell
//   boundary (`|`; GFM splits rows before inline parsing and honours `\|`), and no block marker
//   (`#`, `>`, `-`, `+`, `1.`) should the text ever open a line.
// - Line breaks (CR, LF, CRLF, U+2028, U+2029, U+0085) become `<br>` in text and `␤` in code, so the
//   text can never end a table row or start a line of its own (a heading, a list, a fence).
// - GFM's literal autolinks: `https://x`, `ftp://x` and `www.x` are found by the parser on the raw
//   characters; an escaped `:` or `.` already stops it. A zero-width space also goes between `:` and
//   `//`, and between `www` and `.` (any case: micromark links `WWW.`), so a text-level linker finds
//   no URL either. Not after `://`: cmark-gfm takes any non-space, non-punctuation character as the
//   start of a domain, a zero-width one included, and would still link `https://\u200Bevil.com`.
// - Mentions and issue references (`@user`, `@org/team`, `#1`, `GH-1`) are linked by GitHub after
//   Markdown, on the text, where escapes and entities are already decoded: only a character between
//   `@`/`#`/`GH` and the name stops them, so a zero-width space goes after every `@` and `#`, and
//   between `GH` and `-<digit>`. The same space breaks e-mail autolinks (`x@evil.com`).
// - Controls, and the invisible characters that reorder or hide text (bidi overrides such as U+202E,
//   zero-width characters, BOM), are shown as `[U+202E]`, so a name cannot pass for another.
// - Code spans take a fence longer than any backtick run inside, padded with a space when the text
//   starts or ends with a backtick or a space (CommonMark strips one space from each side).
import { plural } from '../common/wording.js'

const ZWSP = '\u200b'

/** CR, LF and CRLF (CommonMark's line endings), and the Unicode ones other renderers honour. */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085]/
/**
 * Controls (Cc: C0, DEL, C1; but tab and the line breaks, handled apart) and format characters (Cf:
 * bidi controls such as U+202E, zero-width characters, soft hyphen, BOM, tag characters), which hide
 * or reorder text.
 */
const INVISIBLE = /(?![\t\n\r\u0085])[\p{Cc}\p{Cf}]/gu
/** A surrogate without its pair: UTF-8 cannot hold it (it would be written as U+FFFD). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g

/** Repository text cut to `max` characters (never inside a surrogate pair), with `…` when cut. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s
  let end = Math.max(0, max - 1)
  const code = s.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end-- // do not keep half a pair
  return `${s.slice(0, end)}…`
}

/** Characters that would hide, reorder or garble text, as visible `[U+XXXX]`. */
function visible(s: string): string {
  return s
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(INVISIBLE, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
}

/** Default lengths of repository text in the summary; the JSON report keeps it whole. */
export const TEXT_MAX = 2_000

/**
 * Repository text as inert inline Markdown, for running text and table cells: it renders as the
 * same characters (but for line breaks, shown as `<br>`, and the invisible ones, shown by code
 * point), and makes no link, image, HTML, heading, mention, issue reference or table cell.
 */
export function mdText(s: string, max = TEXT_MAX): string {
  return visible(clip(s, max))
    .split(LINE_BREAK)
    .map((line) =>
      line
        .replace(ASCII_PUNCTUATION, '\\$&')
        .replace(/\\([@#])/g, `\\$1${ZWSP}`)
        .replace(/\\:(?=\\\/\\\/)/g, `\\:${ZWSP}`)
        .replace(/(www)(?=\\\.)/gi, `$1${ZWSP}`)
        .replace(/(gh)(?=\\-\d)/gi, `$1${ZWSP}`),
    )
    .join('<br>')
}

/**
 * Repository text (a file name, a reference) as a code span: literal, so no escaping is needed but
 * for line breaks (`␤`) and invisible characters. `table`: the span sits in a table cell, where GFM
 * splits the row at `|` even inside code (`\|` keeps it in; both cmark-gfm and micromark then show
 * `|`). A backslash right before a `|` is read differently by the two, so such text is written as
 * `<code>` around escaped text instead.
 */
export function mdCode(s: string, { table = false, max = TEXT_MAX } = {}): string {
  const text = visible(clip(s, max)).split(LINE_BREAK).join('␤')
  if (text === '') return '` `'
  if (table && /\\\|/.test(text)) return `<code>${mdText(text, Infinity)}</code>`
  const body = table ? text.replace(/\|/g, '\\|') : text
  const longest = (body.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0)
  const fence = '`'.repeat(longest + 1)
  const pad = /^[` ]|[` ]$/.test(body) && !/^ +$/.test(body) ? ' ' : ''
  return `${fence}${pad}${body}${pad}${fence}`
}

/**
 * A URL the tool made (a rule's docs page, a file at the checked commit) as a Markdown link
 * destination, or undefined when it is not http(s). Characters a destination cannot hold as they
 * are (space, parentheses, `<`, `>`, `\`, `|` of a table, controls, non-ASCII) are percent-encoded; a
 * `%` that starts no escape becomes `%25`; so is `&`, so no entity is decoded (`\&` is not enough:
 * cmark-gfm keeps the backslash and still decodes the entity). The tool's URLs have no query string.
 */
export function mdUrl(url: string): string | undefined {
  if (!/^https?:\/\/[^\s/]/i.test(url)) return undefined
  let out = ''
  for (const c of url) {
    if (/^[A-Za-z0-9\-._~:/?#[\]@!$'*+,;=]$/.test(c)) out += c
    else if (c === '%') out += '%'
    else
      out += [...Buffer.from(c.replace(LONE_SURROGATE, '\ufffd'))]
        .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('')
  }
  return out.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
}

/** `[label](url)`, or the label alone when the URL is not one to link to. `label` is Markdown already. */
export function mdLink(label: string, url: string): string {
  const href = mdUrl(url)
  return href === undefined ? label : `[${label}](${href})`
}

/** A "…and N more" line for a capped table or list. */
export function moreLine(n: number, what: string, where = 'see the JSON report'): string {
  return `…and ${plural(n, `more ${what}`)} (${where}).`
}

/** A code fence line (CommonMark: up to 3 spaces of indent, 3 or more backticks or tildes), and its info string. */
const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*(\S*)/

export interface SizeLimit {
  /** UTF-8 bytes (a step summary: 1 MiB). */
  bytes?: number
  /** UTF-16 code units, as JavaScript counts them: never fewer than the characters GitHub counts. */
  chars?: number
}

/** Whether `s` is within every limit of `limit`. */
export function fits(s: string, limit: SizeLimit): boolean {
  return (
    (limit.bytes === undefined || Buffer.byteLength(s) <= limit.bytes) &&
    (limit.chars === undefined || s.length <= limit.chars)
  )
}

/**
 * `md` within `limit`, cut at the end of a line with `note` after it. Every line the summary makes is
 * complete in itself (repository text never breaks a line), so a cut between lines leaves no link,
 * code span or emphasis open and never splits a character; what spans lines is closed: an open code
 * fence gets its closing fence, and the blank line before the note ends a table or an HTML block, so
 * the note is not read as one more table row. (The summary opens no HTML block of the kinds a blank
 * line does not end: `<script>`, `<pre>`, comments.)
 */
export function fitMarkdown(md: string, limit: SizeLimit, note: string): string {
  if (fits(md, limit)) return md
  const lines = md.split('\n')
  const tail = (open: string | undefined) => `${open ? `\n${open}` : ''}\n\n${note}\n`
  // Room for the tail with the longest fence that could be open at the cut.
  const longestFence = lines.reduce((n, l) => Math.max(n, FENCE.exec(l)?.[1]?.length ?? 0), 0)
  const worst = tail(longestFence ? '`'.repeat(longestFence) : undefined)
  const maxBytes = limit.bytes === undefined ? Infinity : limit.bytes - Buffer.byteLength(worst)
  const maxChars = limit.chars === undefined ? Infinity : limit.chars - worst.length
  let bytes = 0
  let chars = 0
  let kept = 0
  let fence: string | undefined
  for (const line of lines) {
    const sep = kept > 0 ? 1 : 0
    bytes += Buffer.byteLength(line) + sep
    chars += line.length + sep
    if (bytes > maxBytes || chars > maxChars) break
    kept++
    const f = FENCE.exec(line)
    if (f?.[1]) {
      if (fence === undefined) fence = f[1]
      else if (f[1][0] === fence[0] && f[1].length >= fence.length && !f[2]) fence = undefined
    }
  }
  return lines.slice(0, kept).join('\n').replace(/\n+$/, '') + tail(fence)
}
