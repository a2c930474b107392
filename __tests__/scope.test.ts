// `scope: changed`: which targets a pull request changes (pure: targets × changed files × changed
// lines of the config file), how its files are paged, and every run that checks all targets instead.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { manifestReads } from '../src/check-manifest.js'
import os from 'node:os'
import path from 'node:path'
import {
  applyScope,
  listPullFiles,
  selectChanged,
  touchedLines,
  type PullFile,
  type ScopeContext,
} from '../src/scope.js'
import { resolveSettings, type TargetSpec } from '../src/settings.js'
import { rawInputs } from './helpers/raw-inputs.js'

const ws = path.resolve('/ws')
const CONFIG = '.friendli-preflight.yml'
const ctx: ScopeContext = {
  workspace: ws,
  configFile: path.join(ws, CONFIG),
  workflowFile: '.github/workflows/preflight.yml',
}

const local = (ref: string): TargetSpec => ({ kind: 'model', ref, source: 'local', root: path.join(ws, ref) })
const modelA = local('models/a')
const modelB = { ...local('models/b'), origin: { file: CONFIG, line: 4 } }
const hubModel: TargetSpec = {
  kind: 'model',
  ref: 'org/x@abc',
  source: 'hub',
  root: ws,
  hub: { repo: 'org/x', revision: 'abc' },
  origin: { file: CONFIG, line: 5 },
}
const dataset: TargetSpec = {
  kind: 'dataset',
  ref: 'data/train.jsonl',
  source: 'local',
  root: path.join(ws, 'data'),
  file: 'train.jsonl',
  base: modelA,
  origin: { file: CONFIG, line: 6, endLine: 8 },
}
const targets = [modelA, modelB, hubModel, dataset]

const files = (...names: string[]): PullFile[] => names.map((filename) => ({ filename, status: 'modified' }))
const chosen = (changed: PullFile[], capped = false, t = targets) =>
  selectChanged(t, { files: changed, capped }, ctx).targets.map((x) => x.ref)

describe('selectChanged: a target is checked when the pull request changes it', () => {
  it('a file in its folder, and no more: models/ab/ is not models/a/', () => {
    expect(chosen(files('models/a/config.json'))).toEqual(['models/a', 'data/train.jsonl'])
    expect(chosen(files('models/ab/config.json'))).toEqual([])
    expect(chosen(files('models/b/tokenizer.json', 'README.md'))).toEqual(['models/b'])
  })

  it('a rename counts for both paths: a file moved out of a model changes it', () => {
    const moved = [
      { filename: 'attic/config.json', previous_filename: 'models/b/config.json', status: 'renamed' },
    ]
    expect(chosen(moved)).toEqual(['models/b'])
    const into = [
      { filename: 'models/b/model.safetensors', previous_filename: 'tmp/w.safetensors', status: 'renamed' },
    ]
    expect(chosen(into)).toEqual(['models/b'])
  })

  it('a dataset file: itself, or its base model folder; not its neighbours', () => {
    expect(chosen(files('data/train.jsonl'))).toEqual(['data/train.jsonl'])
    expect(chosen(files('data/validation.jsonl'))).toEqual([])
    // Its base model is models/a: a changed tokenizer changes how its rows render.
    expect(chosen(files('models/a/tokenizer_config.json'))).toEqual(['models/a', 'data/train.jsonl'])
  })

  it('a removed file in a folder still changes it', () => {
    expect(chosen([{ filename: 'models/b/model.safetensors', status: 'removed' }])).toEqual(['models/b'])
  })

  it('the workspace as the model: any file changes it', () => {
    expect(chosen(files('README.md'), false, [local('')])).toEqual([''])
  })

  it('a hub model: only when the line naming it changed', () => {
    // Lines 4-8 of the config file hold the targets; line 5 names org/x@abc.
    const patch = '@@ -5,1 +5,1 @@\n-  - model: org/x@old\n+  - model: org/x@abc\n'
    expect(chosen([{ filename: CONFIG, status: 'modified', patch }])).toEqual(['org/x@abc'])
    expect(chosen(files('models/a/x', 'org/x/config.json'))).not.toContain('org/x@abc')
  })

  it("a line inside a dataset's entry (its split) selects that dataset", () => {
    const patch = '@@ -7,1 +7,1 @@\n-    split: train\n+    split: validation\n'
    expect(chosen([{ filename: CONFIG, status: 'modified', patch }])).toEqual(['data/train.jsonl'])
  })

  it('a change to the config file outside its targets (rules), or with no patch: every target', () => {
    const rules = '@@ -1,2 +1,2 @@\n rules:\n-  MR104: off\n+  MR104: error\n'
    const r = selectChanged(targets, { files: [{ filename: CONFIG, patch: rules }], capped: false }, ctx)
    expect(r.targets).toEqual(targets)
    expect(r.notes).toEqual([
      'the config file changed outside its targets (rules or settings) in this pull request: every target is checked',
    ])
    expect(chosen([{ filename: CONFIG, status: 'renamed', previous_filename: 'old.yml' }])).toEqual(
      targets.map((t) => t.ref),
    )
  })

  it('the running workflow changed: every target', () => {
    const r = selectChanged(targets, { files: files('.github/workflows/preflight.yml'), capped: false }, ctx)
    expect(r.targets).toEqual(targets)
    expect(r.notes).toEqual(['the workflow file changed in this pull request: every target is checked'])
  })

  it("GitHub's 3,000-file cap: every target, with a note", () => {
    const r = selectChanged(targets, { files: files('README.md'), capped: true }, ctx)
    expect(r.targets).toEqual(targets)
    expect(r.notes).toEqual([
      'this pull request changes more files than GitHub lists (3,000): every target is checked',
    ])
  })

  it('no target changed: none is checked, and the note says so', () => {
    const r = selectChanged(targets, { files: files('README.md', 'src/app.py'), capped: false }, ctx)
    expect(r.targets).toEqual([])
    expect(r.notes).toEqual([
      'no target changed in this pull request (scope: changed): 4 targets not checked',
    ])
    expect(r.details).toContain('not checked: org/x@abc: nothing of it changed')
  })

  it('some changed: the note says how many were left out', () => {
    const r = selectChanged(targets, { files: files('models/b/config.json'), capped: false }, ctx)
    expect(r.notes).toEqual([
      'scope: changed: 1 of 4 targets changed in this pull request and was checked; the other 3 were not',
    ])
    expect(r.details).toContain('checked: models/b: 1 changed file in it')
  })

  it('a target outside the workspace cannot be matched: it is checked', () => {
    const outside: TargetSpec = {
      kind: 'model',
      ref: '/elsewhere',
      source: 'local',
      root: path.resolve('/elsewhere'),
    }
    expect(chosen(files('README.md'), false, [outside])).toEqual(['/elsewhere'])
  })
})

describe('touchedLines', () => {
  it('added lines, and the neighbours of a removed one, in new-file numbers', () => {
    const patch = [
      '@@ -1,4 +1,4 @@',
      ' a',
      '-b',
      '+B',
      ' c',
      ' d',
      '@@ -10,3 +10,2 @@',
      ' j',
      '-k',
      ' l',
      '\\ No newline at end of file',
    ].join('\n')
    expect([...touchedLines(patch)].sort((x, y) => x - y)).toEqual([2, 10, 11])
  })

  it('a hunk that only removes (+4,0) touches the lines around the removal', () => {
    expect([...touchedLines('@@ -5,2 +4,0 @@\n-x\n-y\n')].sort((x, y) => x - y)).toEqual([4, 5])
  })

  it('a new file: every line', () => {
    expect([...touchedLines('@@ -0,0 +1,3 @@\n+a\n+b\n+c')]).toEqual([1, 2, 3])
  })
})

describe('the config file entries, as settings reads them', () => {
  let dir: string
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-scope-')))
    mkdirSync(path.join(dir, 'models/a'), { recursive: true })
    writeFileSync(
      path.join(dir, CONFIG),
      [
        'rules:', // 1
        '  MR104: off', // 2
        'targets:', // 3
        '  - model: models/a', // 4
        '  # the chat data', // 5
        '  - dataset: data/chat.jsonl', // 6
        '    base-model: models/a', // 7
        '    split: train', // 8
        '', // 9
        '  - model: org/x@abc # hub', // 10
        '',
      ].join('\n'),
    )
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('a dataset entry spans its lines; a change on its last line selects it alone', () => {
    const s = resolveSettings(rawInputs(), dir)
    expect(s.targets.map((t) => t.origin)).toEqual([
      { file: CONFIG, line: 4 },
      { file: CONFIG, line: 6, endLine: 8 },
      { file: CONFIG, line: 10 },
    ])
    const patch = '@@ -8,1 +8,1 @@\n-    split: validation\n+    split: train\n'
    const r = selectChanged(
      s.targets,
      { files: [{ filename: CONFIG, patch }], capped: false },
      {
        workspace: dir,
        configFile: s.configFile,
      },
    )
    expect(r.targets.map((t) => t.ref)).toEqual(['data/chat.jsonl'])
  })

  it('a comment between entries is outside every target: every target', () => {
    const s = resolveSettings(rawInputs(), dir)
    const patch = '@@ -5,1 +5,1 @@\n-  # chat\n+  # the chat data\n'
    const r = selectChanged(
      s.targets,
      { files: [{ filename: CONFIG, patch }], capped: false },
      {
        workspace: dir,
        configFile: s.configFile,
      },
    )
    expect(r.targets).toHaveLength(3)
  })
})

describe('listPullFiles: 100 per page, at most 3,000', () => {
  /** A fetcher over `n` files, as GitHub pages them, counting its requests. */
  const pages = (n: number) => {
    const all = Array.from({ length: Math.min(n, 3000) }, (_, i) => ({ filename: `f/${i}` }))
    const calls: number[] = []
    const fetchPage = (page: number, perPage: number) => {
      calls.push(page)
      return Promise.resolve(all.slice((page - 1) * perPage, page * perPage))
    }
    return { fetchPage, calls }
  }

  it('250 files: 3 pages, every file', async () => {
    const p = pages(250)
    const r = await listPullFiles(p.fetchPage)
    expect([r.files.length, r.capped, r.requests, p.calls]).toEqual([250, false, 3, [1, 2, 3]])
  })

  it('exactly 100: a second page to learn there is no more', async () => {
    const r = await listPullFiles(pages(100).fetchPage)
    expect([r.files.length, r.capped, r.requests]).toEqual([100, false, 2])
  })

  it('3,000 or more: 30 pages, then capped unless the event says there are exactly 3,000', async () => {
    const many = await listPullFiles(pages(5000).fetchPage)
    expect([many.files.length, many.capped, many.requests]).toEqual([3000, true, 30])
    const exact = await listPullFiles(pages(3000).fetchPage, 3000)
    expect([exact.capped, exact.requests]).toEqual([false, 30])
  })

  it('the event says more than 3,000: no request at all', async () => {
    const p = pages(5000)
    const r = await listPullFiles(p.fetchPage, 4000)
    expect([r.capped, r.requests, p.calls]).toEqual([true, 0, []])
  })

  it('a server that sends more than asked per page is cut at the cap', async () => {
    let calls = 0
    const r = await listPullFiles(() => {
      calls++
      return Promise.resolve(Array.from({ length: 5000 }, (_, i) => ({ filename: `f/${i}` })))
    })
    expect([r.files.length, r.capped, calls]).toEqual([3000, true, 1])
  })
})

describe('applyScope: only scope: changed on a pull request narrows the targets', () => {
  const pr = { number: 7, changedFiles: 1 }
  const fetchPage = () => Promise.resolve(files('models/b/config.json'))

  it('scope: all (the default): every target, no note, no request', async () => {
    let calls = 0
    const r = await applyScope(
      targets,
      {
        scope: 'all',
        eventName: 'pull_request',
        pull: pr,
        atRoot: true,
        fetchPage: () => (calls++, fetchPage()),
      },
      ctx,
    )
    expect([r.targets, r.notes, calls]).toEqual([targets, [], 0])
  })

  it.each(['push', 'schedule', 'workflow_dispatch'])(
    'on %s: every target, with a note',
    async (eventName) => {
      const r = await applyScope(targets, { scope: 'changed', eventName, atRoot: true, fetchPage }, ctx)
      expect(r.targets).toEqual(targets)
      expect(r.notes).toEqual([
        `scope: changed narrows pull_request and pull_request_target runs; this is a ${eventName}: every target is checked`,
      ])
    },
  )

  it.each(['pull_request', 'pull_request_target'])('on %s: the targets it changes', async (eventName) => {
    const r = await applyScope(
      targets,
      { scope: 'changed', eventName, pull: pr, atRoot: true, fetchPage },
      ctx,
    )
    expect(r.targets.map((t) => t.ref)).toEqual(['models/b'])
    expect(r.requests).toBe(1)
  })

  it('files that cannot be listed, no token, or a checkout elsewhere: every target, saying why', async () => {
    const fail = () => Promise.reject(new Error('Resource not accessible by integration'))
    const run = { scope: 'changed', eventName: 'pull_request', pull: pr, atRoot: true } as const
    expect((await applyScope(targets, { ...run, fetchPage: fail }, ctx)).notes).toEqual([
      "scope: changed could not list the pull request's files (Resource not accessible by integration; the token needs pull-requests: read): every target is checked",
    ])
    expect((await applyScope(targets, run, ctx)).notes).toEqual([
      "scope: changed needs github-token to list the pull request's files: every target is checked",
    ])
    const elsewhere = await applyScope(targets, { ...run, atRoot: false, fetchPage }, ctx)
    expect(elsewhere.targets).toEqual(targets)
  })
})

describe('scope: changed on deployment manifests', () => {
  let dir: string
  beforeAll(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fp-scope-manifest-')))
    mkdirSync(path.join(dir, 'deploy/templates'), { recursive: true })
    const body = (extra: string) =>
      `projectId: p\nname: n\ninstanceOptionId: TwD5AqnBSVN0\nhfModelRepo: org/m\nhfModelRepoRevision: "${'a'.repeat(40)}"\n${extra}`
    writeFileSync(path.join(dir, 'deploy/chat.yaml'), body('chatTemplate: templates/chat.jinja\n'))
    writeFileSync(path.join(dir, 'deploy/templates/chat.jinja'), '{{ messages }}')
    writeFileSync(
      path.join(dir, 'deploy/lora.yaml'),
      body('adapters:\n  - hfAdapterRepo: org/lora\n    hfAdapterRepoRevision: main\n'),
    )
    writeFileSync(path.join(dir, 'deploy/plain.yaml'), body(''))
    writeFileSync(path.join(dir, 'deploy/escape.yaml'), body('chatTemplate: ../../../etc/passwd\n'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** The manifests a pull request changing `changed` checks, with the template files each reads. */
  const checked = async (...changed: string[]) => {
    const s = resolveSettings(rawInputs({ model: '', manifests: 'deploy/*.yaml' }), dir)
    const r = await applyScope(
      s.targets,
      {
        scope: 'changed',
        eventName: 'pull_request',
        pull: { number: 1 },
        atRoot: true,
        fetchPage: () => Promise.resolve(files(...changed)),
        readsOf: (t) => manifestReads(t, s),
      },
      { workspace: dir },
    )
    return { refs: r.targets.map((t) => t.ref), details: r.details }
  }

  it('a manifest whose revision line or adapter list changed: that manifest', async () => {
    expect((await checked('deploy/plain.yaml')).refs).toEqual(['deploy/plain.yaml'])
    expect((await checked('deploy/lora.yaml')).refs).toEqual(['deploy/lora.yaml'])
  })

  it('a manifest whose chat template file changed: that manifest, saying why', async () => {
    const r = await checked('deploy/templates/chat.jinja')
    expect(r.refs).toEqual(['deploy/chat.yaml'])
    expect(r.details).toContain(
      'checked: deploy/chat.yaml: deploy/templates/chat.jinja, which it reads, changed',
    )
  })

  it('a template path out of the repository selects nothing, and is not read', async () => {
    expect((await checked('etc/passwd')).refs).toEqual([])
  })
})
