// MR304: a checkout without `lfs: true` leaves ~130-byte pointer files where the weights (and, in
// repos that track *.json with LFS, the JSON files) should be. One finding names them all, and the
// weights and index rules stay quiet about the same files.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { modelRules as allRules } from '../../../src/rules/registry.js'
import { runModelRules } from '../../../src/engine/run-model.js'
import rule from '../../../src/rules/model/lfs-pointer-files.js'
import { memorySource } from '../../../src/sources/memory.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'
import { makeSafetensors } from '../../helpers/safetensors.js'
import { CORPUS_ROOT } from '../../helpers/corpus.js'

/** A pointer as git-lfs writes it (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
const pointer = (size: number, oid = '52addd84f7e83b6f5b54edfbcd11a9dc71ced13e63967e0e551fcdd071a09cac') =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`

const weights = makeSafetensors({ w: { dtype: 'BF16', shape: [2] } })

ruleTester(rule, {
  valid: [
    { name: 'real weights and JSON', files: { 'config.json': configJson(), 'model.safetensors': weights } },
    {
      name: 'a text that starts with "version" but is not a pointer',
      files: { 'model.safetensors': weights, 'VERSION.txt': 'version 1.2.0\n' },
    },
    {
      name: 'a file over 1,024 bytes is never a pointer, even if it starts like one',
      files: { 'model.safetensors': pointer(8) + 'x'.repeat(1000) },
    },
    {
      name: 'a pointer in a subfolder: not downloaded by Friendli (nested-model, ignored-files)',
      files: { 'model.safetensors': weights, 'original/consolidated.00.pth': pointer(6_425_499_648) },
    },
    {
      name: 'an empty file',
      files: { 'model.safetensors': weights, 'README.md': '' },
    },
    {
      name: 'a link leaving the folder is never read',
      files: { 'model.safetensors': { link: 'outside' } },
    },
  ],
  invalid: [
    {
      name: 'the weights are a pointer: the finding is on the file, with the real size',
      files: { 'config.json': configJson(), 'model.safetensors': pointer(8_792_578_462) },
      errors: [
        {
          messageId: 'pointers',
          path: 'model.safetensors',
          message: '1 file is a Git LFS pointer, not the content (8.8 GB behind it): model.safetensors.',
        },
      ],
    },
    {
      name: 'the shards, the index and config.json are pointers: one finding on the folder naming them all',
      files: {
        'config.json': pointer(700),
        'model-00001-of-00002.safetensors': pointer(4_965_799_096),
        'model-00002-of-00002.safetensors': pointer(1_459_729_952),
        'model.safetensors.index.json': pointer(20_919),
      },
      errors: [
        {
          messageId: 'pointers',
          path: '.',
          message:
            '4 files are Git LFS pointers, not the content (6.4 GB behind them): config.json, model-00001-of-00002.safetensors, model-00002-of-00002.safetensors and model.safetensors.index.json.',
        },
      ],
    },
    {
      name: 'a pointer without a size line: no size in the message',
      files: {
        'model.safetensors': 'version https://git-lfs.github.com/spec/v1\noid sha256:00\n',
      },
      errors: [
        {
          messageId: 'pointers',
          path: 'model.safetensors',
          message: '1 file is a Git LFS pointer, not the content: model.safetensors.',
        },
      ],
    },
    {
      name: 'a pointer among real files: only the pointer is named',
      files: {
        'config.json': configJson(),
        'model.safetensors': weights,
        'tokenizer.json': pointer(9_085_657),
      },
      errors: [
        { messageId: 'pointers', path: 'tokenizer.json', message: '(9.1 MB behind it): tokenizer.json.' },
      ],
    },
    {
      name: 'a severity set by the user',
      files: { 'model.safetensors': pointer(1000) },
      level: 'warning',
      errors: [{ messageId: 'pointers', path: 'model.safetensors', severity: 'warning' }],
    },
  ],
})

const options = { levels: new Map(), settings: { extraArchitectures: [] }, docsBase: 'https://docs.test/' }
const MR30X = /^MR3(0\d|10)$/
const weightRules = allRules.filter((r) => MR30X.test(r.meta.id))

describe('MR304 alone reports a pointer', () => {
  it('a pointer shard named by the index: no header, missing-shard, mismatch or total-size finding', async () => {
    const index = JSON.stringify(
      {
        metadata: { total_size: 8 },
        weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
      },
      null,
      2,
    )
    const findings = await runModelRules(
      memorySource({
        'config.json': configJson(),
        'model-00001-of-00002.safetensors': pointer(4),
        'model-00002-of-00002.safetensors': makeSafetensors({ b: { dtype: 'F16', shape: [2] } }),
        'model.safetensors.index.json': index,
      }),
      weightRules,
      options,
    )
    expect(findings.map((f) => `${f.ruleId} ${f.location.path}: ${f.message}`)).toEqual([
      'MR304 model-00001-of-00002.safetensors: 1 file is a Git LFS pointer, not the content (4 B behind it): model-00001-of-00002.safetensors.',
    ])
  })

  it('a pointer index: no invalid-shard-index finding', async () => {
    const findings = await runModelRules(
      memorySource({
        'model.safetensors.index.json': pointer(20_919),
        'model-00001-of-00001.safetensors': weights,
      }),
      weightRules,
      options,
    )
    expect(findings.map((f) => f.ruleId)).toEqual(['MR304'])
  })
})

const CORPUS = path.join(CORPUS_ROOT, 'models')

/** A corpus folder as an in-memory repo; SOURCE.txt is the corpus's own note, not part of the model. */
function corpusRepo(name: string): Record<string, Uint8Array> {
  const dir = path.join(CORPUS, name)
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f !== 'SOURCE.txt')
      .map((f) => [f, readFileSync(path.join(dir, f))]),
  )
}

describe('MR304 on real pointer files from the corpus', () => {
  if (!existsSync(CORPUS)) {
    it('is skipped: no corpus', () => {
      console.log(`${CORPUS} is absent: corpus tests of MR304 skipped`)
    })
    return
  }

  it('BAAI/bge-large-zh-v1.5 pushed with every JSON file as a pointer', async () => {
    const findings = await runModelRules(
      memorySource(corpusRepo('BAAI__bge-large-zh-v1.5__LFS-POINTERS')),
      allRules,
      options,
    )
    expect(findings.filter((f) => f.messageId === 'crashed')).toEqual([])
    expect(
      findings.filter((f) => MR30X.test(f.ruleId)).map((f) => `${f.ruleId} ${f.location.path}: ${f.message}`),
    ).toEqual([
      'MR304 .: 7 files are Git LFS pointers, not the content (2.3 KB behind them): 1_Pooling_config.json, config_sentence_transformers.json, config.json, modules.json, sentence_bert_config.json, special_tokens_map.json and tokenizer_config.json.',
    ])
    // config.json and tokenizer_config.json are pointers: the JSON rules leave them to MR304.
    expect(findings.filter((f) => ['MR201', 'MR402'].includes(f.ruleId))).toEqual([])
  })

  it('a DeepSeek-R1-Distill-Qwen-32B mirror whose shard is a pointer: MR304 for it, MR306 for the absent ones', async () => {
    const findings = await runModelRules(
      memorySource(corpusRepo('deepseek-ai__DeepSeek-R1-Distill-Qwen-32B')),
      allRules,
      options,
    )
    expect(findings.filter((f) => f.messageId === 'crashed')).toEqual([])
    const weightFindings = findings.filter((f) => MR30X.test(f.ruleId))
    expect(weightFindings[0]).toMatchObject({
      ruleId: 'MR304',
      message:
        '1 file is a Git LFS pointer, not the content (8.8 GB behind it): model-00001-of-000008.safetensors.',
      location: { path: 'model-00001-of-000008.safetensors' },
    })
    // Shards 2-8 are not in the snapshot; the pointer shard is there, so MR306 does not name it.
    expect(weightFindings.slice(1).map((f) => `${f.ruleId} ${f.messageId}`)).toEqual(['MR306 manyMissing'])
    expect(weightFindings[1].message).toMatch(/^7 of the 8 shards the index names are missing: /)
    expect(weightFindings[1].message).not.toContain('00001-of')
  })
})

describe('MR304 after a read through Git LFS failed (sources/lfs-remote.ts)', () => {
  const text = rule.meta.messages.pointers.text
  const hint = rule.meta.messages.pointers.hint

  it('says why, once per reason, naming the files when a reason is not every file’s', () => {
    const d = {
      names: ['a.safetensors', 'b.safetensors', 'config.json'],
      realBytes: 3_000,
      unread: [
        {
          reason: 'the LFS server cannot serve object sha256:0123456789ab… (404: Object does not exist)',
          files: ['a.safetensors'],
        },
        { reason: 'the download of object sha256:ba9876543210… answered 403', files: ['b.safetensors'] },
      ],
    }
    expect(text(d)).toBe(
      '3 files are Git LFS pointers, not the content (3.0 KB behind them): a.safetensors, b.safetensors and config.json. Reading the headers through Git LFS failed: the LFS server cannot serve object sha256:0123456789ab… (404: Object does not exist) (a.safetensors); the download of object sha256:ba9876543210… answered 403 (b.safetensors).',
    )
    expect(hint(d)).toMatch(/^Fix what stopped the read through Git LFS/)
    const all = {
      names: ['a.safetensors', 'b.safetensors'],
      realBytes: 0,
      unread: [{ reason: 'R', files: ['a.safetensors', 'b.safetensors'] }],
    }
    expect(text(all)).toBe(
      '2 files are Git LFS pointers, not the content: a.safetensors and b.safetensors. Reading the headers through Git LFS failed: R.',
    )
    const many = {
      ...all,
      unread: ['1', '2', '3', '4', '5'].map((r) => ({ reason: r, files: ['a.safetensors'] })),
    }
    expect(text(many)).toMatch(
      /failed: 1 \(a\.safetensors\); 2 \(a\.safetensors\); 3 \(a\.safetensors\); 2 other reasons\.$/,
    )
  })

  it('points at the read through Git LFS when it was not tried', () => {
    expect(hint({ names: ['m.safetensors'], realBytes: 0, unread: [] })).toMatch(/--lfs-headers/)
  })
})
