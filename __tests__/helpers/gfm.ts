// Renders Markdown as GitHub would, to check what the summary becomes rather than how its source
// looks: micromark with its GFM extension (the reference implementation of the GFM spec) always, and
// cmark-gfm (GitHub's own renderer) as well when its command is installed (`apt-get install
// cmark-gfm`). Raw HTML is let through, so HTML that repository text slipped in shows as a tag.
import { execFileSync, spawnSync } from 'node:child_process'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'

export interface Renderer {
  name: string
  render: (md: string) => string
  /** Several documents at once (cmark-gfm: one process for all), each rendered on its own. */
  renderMany: (mds: readonly string[]) => string[]
}

const renderMicromark = (md: string) =>
  micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] })

const micromarkGfm: Renderer = {
  name: 'micromark + GFM',
  render: renderMicromark,
  renderMany: (mds) => mds.map(renderMicromark),
}

const hasCmarkGfm = spawnSync('cmark-gfm', ['--version']).status === 0

const renderCmark = (md: string) =>
  execFileSync(
    'cmark-gfm',
    ['--unsafe', '-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tasklist'],
    { input: md, maxBuffer: 64 * 1024 * 1024 },
  ).toString('utf8')

/**
 * Documents joined by an HTML comment on a line of its own (an HTML block a blank line before it
 * always starts, as every summary ends closed); when the parts do not come back one per document,
 * each is rendered on its own.
 */
const SEPARATOR = '<!-- friendli-preflight: next document -->'

const cmarkGfm: Renderer = {
  name: 'cmark-gfm',
  render: renderCmark,
  renderMany: (mds) => {
    const parts = renderCmark(mds.join(`\n\n${SEPARATOR}\n\n`)).split(`${SEPARATOR}\n`)
    return parts.length === mds.length ? parts : mds.map(renderCmark)
  },
}

/** The renderers available here: micromark always, cmark-gfm when installed. */
export const renderers: Renderer[] = hasCmarkGfm ? [micromarkGfm, cmarkGfm] : [micromarkGfm]

/** The elements of rendered HTML in document order: `tr`, `/tr`, `a`, `br`, … */
export function tags(html: string): string[] {
  return [...html.matchAll(/<(\/?[a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase())
}

/** Every link target (`href`) and image source (`src`), entities decoded. */
export function targets(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => decode(m[1]!))
}

/** The text of rendered HTML, `<br>` as a line break, entities decoded. */
export function text(html: string): string {
  return decode(html.replace(/<br\s*\/?>/g, '\n').replace(/<[^>]*>/g, ''))
}

/**
 * The text GitHub's mention, issue-reference and e-mail filters read: outside code and links (which
 * they skip), with the zero-width spaces the escaping puts in kept.
 */
export function filteredText(html: string): string {
  return text(html.replace(/<code>[\s\S]*?<\/code>/g, ' ').replace(/<a\s[^>]*>[\s\S]*?<\/a>/g, ' '))
}

function decode(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}
