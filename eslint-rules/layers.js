// The layer map of src/, enforced as a lint rule: a module may import from a lower layer, or from its
// own layer, never from a higher one or from another layer of the same rank. ARCHITECTURE.md draws the
// same map; change both together. (A local rule rather than eslint-plugin-import's no-restricted-paths:
// the map is one table here instead of a zone per pair, and the message names the two layers.)
import path from 'node:path'

/** Each layer: its rank (imports go to lower ranks only) and the src/ paths that belong to it. */
export const LAYERS = [
  { name: 'common', rank: 0, paths: ['common/', 'data/'] },
  { name: 'templates', rank: 1, paths: ['templates/'] },
  { name: 'sources', rank: 1, paths: ['sources/'] },
  { name: 'readers', rank: 2, paths: ['readers/'] },
  { name: 'artifacts', rank: 2, paths: ['artifacts/'] },
  { name: 'github', rank: 2, paths: ['github/'] },
  { name: 'rules', rank: 3, paths: ['rules/'] },
  { name: 'engine', rank: 4, paths: ['engine/'] },
  { name: 'settings', rank: 5, paths: ['settings.ts', 'discover.ts'] },
  {
    name: 'orchestration',
    rank: 6,
    paths: [
      'check.ts',
      'check-dataset.ts',
      'check-manifest.ts',
      'scope.ts',
      'shard-state.ts',
      'merge-reports.ts',
    ],
  },
  { name: 'report', rank: 7, paths: ['report/'] },
  { name: 'entry', rank: 8, paths: ['main.ts', 'cli.ts', 'cli-bin.ts', 'index.ts'] },
]

/** The layer of a path relative to src/ (POSIX), or undefined for files outside the map. */
export function layerOf(srcRelative) {
  return LAYERS.find((l) =>
    l.paths.some((p) => (p.endsWith('/') ? srcRelative.startsWith(p) : srcRelative === p)),
  )
}

/** Why importing `to` from `from` (both relative to src/) breaks the map, or undefined when it does not. */
export function layerViolation(from, to) {
  const a = layerOf(from)
  const b = layerOf(to)
  if (!a || !b || a === b) return undefined
  if (b.rank < a.rank) return undefined
  return b.rank === a.rank
    ? `${a.name} and ${b.name} are separate layers of the same rank and must not import each other`
    : `${a.name} (layer ${a.rank}) must not import from ${b.name} (layer ${b.rank}), a higher layer`
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports in src/ only point down the layer map (see ARCHITECTURE.md)' },
    messages: { upward: '{{target}}: {{why}}.' },
    schema: [],
  },
  create(context) {
    const file = context.filename
    const src = path.join(context.cwd, 'src') + path.sep
    if (!file.startsWith(src)) return {}
    const from = path.relative(src, file).split(path.sep).join('/')
    const check = (node) => {
      const spec = node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined
      if (!spec || !spec.startsWith('.')) return
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))
      if (!target.startsWith(src)) return
      const to = path.relative(src, target).split(path.sep).join('/')
      const why = layerViolation(from, to)
      if (why) context.report({ node, messageId: 'upward', data: { target: spec, why } })
    }
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
    }
  },
}

export default { rules: { layers: rule } }
