// The attacks a pull request can make on the check's time and memory, each run through the CLI bundle
// as a workflow step runs it: seconds, peak RSS and exit code per attack. The goal: every one ends in
// under 30 s and 1 GiB with a finding or a one-line "could not check". Run by hand:
//   npm run bundle && npx tsx bench/hostile.ts [node binary]
// Peak RSS comes from /usr/bin/time when it is installed (Debian package `time`); otherwise only time.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const cli = path.join(root, 'dist', 'cli', 'index.js')
const node = process.argv[2] ?? process.execPath
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-hostile-bench-'))

/** A model folder: a plain Llama-like config.json plus the given files. */
function model(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(tmp, name)
  mkdirSync(dir, { recursive: true })
  const all = {
    'config.json': JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: 32,
    }),
    ...files,
  }
  for (const [file, text] of Object.entries(all)) writeFileSync(path.join(dir, file), text)
  return dir
}

const template = (t: string) => JSON.stringify({ eos_token: '</s>', chat_template: t })
const doubling = (n: number, v: string) =>
  `{% set a = [1] %}{% set b = [1] %}{% for i in range(${n}) %}{% set a = [a, a] %}{% set b = [b, b] %}{% endfor %}${v}`

/** A character-level tokenizer.json whose pre-tokenizer splits on `pattern`. */
function tokenizer(pattern: string): string {
  const vocab = Object.fromEntries([...'abcdefghijklmnopqrstuvwxyz <>/|_\n'].map((c, i) => [c, i + 1]))
  return JSON.stringify({
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0, ...vocab }, unk_token: '[UNK]' },
  })
}

/** A safetensors file whose header names `count` tensors (a header of about count × 90 bytes). */
function bigHeader(count: number): Buffer {
  const parts = ['{"__metadata__":{"format":"pt"}']
  for (let i = 0; i < count; i++)
    parts.push(`,"model.layers.${i}.w":{"dtype":"BF16","shape":[1],"data_offsets":[${i * 2},${i * 2 + 2}]}`)
  let json = parts.join('') + '}'
  while (json.length % 8) json += ' '
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(BigInt(json.length))
  return Buffer.concat([len, Buffer.from(json), Buffer.alloc(count * 2)])
}

const attacks: { name: string; args: () => string[] }[] = [
  {
    name: 'zfill(200000000)',
    args: () => [model('zfill', { 'tokenizer_config.json': template('{{ "1".zfill(200000000)[-1] }}') })],
  },
  {
    name: 'center filter 200000000',
    args: () => [model('center', { 'tokenizer_config.json': template('{{ "a"|center(200000000) }}') })],
  },
  {
    name: 'printf width 200000000',
    args: () => [model('printf', { 'tokenizer_config.json': template('{{ "%200000000s"|format(1) }}') })],
  },
  {
    name: 'format-spec width',
    args: () => [model('fmtspec', { 'tokenizer_config.json': template('{{ "{:>200000000}".format(1) }}') })],
  },
  {
    name: 'equality of doubled lists (2^60 nodes)',
    args: () => [model('pyeq', { 'tokenizer_config.json': template(doubling(60, '{{ a == b }}')) })],
  },
  {
    name: 'tojson of a doubled list',
    args: () => [model('tojson', { 'tokenizer_config.json': template(doubling(60, '{{ a|tojson }}')) })],
  },
  {
    name: 'range(100000)|unique',
    args: () => [
      model('unique', { 'tokenizer_config.json': template('{{ range(100000)|unique|list|length }}') }),
    ],
  },
  {
    name: '300 KB whitespace template',
    args: () => [
      model('ws', { 'tokenizer_config.json': template(`{% if x %}${' '.repeat(300_000)}{% endif %}`) }),
    ],
  },
  {
    name: '40 KB of nested [ in tokenizer_config.json',
    args: () => [model('nested', { 'tokenizer_config.json': '['.repeat(40_000) })],
  },
  {
    name: '5 headers of ~95 MB',
    args: () => [
      model(
        'headers',
        Object.fromEntries(
          Array.from({ length: 5 }, (_, i) => [
            `model-0000${i + 1}-of-00005.safetensors`,
            bigHeader(1_050_000),
          ]),
        ),
      ),
    ],
  },
  {
    name: '6 MB of broken JSONL rows',
    args: () => {
      const file = path.join(tmp, 'broken.jsonl')
      writeFileSync(file, '{\n'.repeat(3_000_000))
      return ['--dataset', file]
    },
  },
  {
    name: 'catastrophic tokenizer regex on 50 rows',
    args: () => {
      const base = model('regex', {
        'tokenizer_config.json': template("{% for m in messages %}{{ m['content'] }}{% endfor %}"),
        'tokenizer.json': tokenizer('(a|aa)+$'),
      })
      const file = path.join(tmp, 'regex-rows.jsonl')
      const row = {
        messages: [
          { role: 'user', content: 'a'.repeat(40) + 'b' },
          { role: 'assistant', content: 'a'.repeat(40) + 'b' },
        ],
      }
      writeFileSync(file, (JSON.stringify(row) + '\n').repeat(50))
      return ['--dataset', file, '--base-model', base]
    },
  },
  {
    name: '100,000-key config file',
    args: () => {
      const file = path.join(tmp, 'keys.yml')
      writeFileSync(file, `rules:\n${Array.from({ length: 100_000 }, (_, i) => `  k${i}: off`).join('\n')}\n`)
      return ['--config', file]
    },
  },
]

const timed = existsSync('/usr/bin/time')
console.log(
  `node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}; CLI ${path.relative(root, cli)}; limit 60 s each`,
)
console.log('attack'.padEnd(44), 'seconds', ' peak RSS', 'exit', ' output')
for (const attack of attacks) {
  // The temp folder is the workspace: in a workflow, targets outside it are not read at all.
  const args = attack.args().map((a) => (a.startsWith(tmp) ? path.relative(tmp, a) || '.' : a))
  const cmd = timed
    ? ['/usr/bin/time', ['-f', '%e %M', node, cli, ...args, '--format', 'json']]
    : [node, [cli, ...args, '--format', 'json']]
  const started = Date.now()
  const r = spawnSync(cmd[0] as string, cmd[1] as string[], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 1 << 30,
    env: { PATH: process.env.PATH ?? '', GITHUB_ACTIONS: 'true' },
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const [, , rss] = timed ? (/(\S+) (\d+)\s*$/.exec(r.stderr) ?? []) : []
  const out =
    r.stdout.length > 0
      ? `${(r.stdout.length / 1024).toFixed(0)} KB of JSON`
      : (r.stderr
          .split('\n')
          .find((l) => l.startsWith('friendli-preflight:'))
          ?.slice(0, 60) ?? '')
  console.log(
    attack.name.padEnd(44),
    seconds.padStart(7),
    (rss ? `${(Number(rss) / 1024).toFixed(0)} MB` : 'n/a').padStart(9),
    String(r.status ?? r.signal).padStart(4),
    '',
    out,
  )
}
rmSync(tmp, { recursive: true, force: true })
