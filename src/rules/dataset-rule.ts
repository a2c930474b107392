import type { BaseModel } from '../artifacts/base-model.js'
import type { DataFile } from '../readers/rows.js'
import type { RenderResult } from '../templates/render.js'
import type { Location } from '../common/finding.js'
import type { AnyMessages, RuleMeta } from './model-rule.js'

type DataOf<S> = S extends { text: (data: infer D) => string } ? D : never

/** One parsed row, as every dataset rule sees it. */
export interface DatasetRow {
  file: DataFile
  /** 1-based row of the file. */
  row: number
  /** 1-based line of a JSONL or JSON row. */
  line?: number
  value: unknown
  bytes: number
  /** Where a finding about this row goes. */
  location: Location
  /**
   * The row rendered with the base model's chat template, computed once when first asked for and
   * shared by the rules that need it; undefined without a usable template or `messages`.
   */
  rendered(): RenderResult | undefined
  /**
   * The rendered row's tokens, as the base model's tokenizer counts them, computed once when first asked
   * for; undefined when the row is not rendered or the tokenizer cannot count (none, or stopped).
   */
  tokens(): number | undefined
  /** The rendered row's tokens when they were counted already (by a rule or a worker), else undefined. */
  knownTokens?(): number | undefined
}

export interface DatasetContext<M extends AnyMessages> {
  /** The model whose template and tokenizer the rows must fit; undefined when none was given. */
  base?: BaseModel
  /** A function, not a method: rules destructure it (`check({ artifacts, report })`). */
  report: <K extends keyof M & string>(key: K, data: DataOf<M[K]>, location: Location) => void
}

/** What a rule does as the one streaming pass goes by; every hook is optional. */
export interface DatasetVisitor {
  /** The data files found, before any row: dataset-level checks. */
  files?(files: readonly DataFile[], unsupported: readonly string[], truncated: boolean): void
  row?(row: DatasetRow): void
  /** A row that could not be parsed. */
  badRow?(file: DataFile, event: { row: number; line?: number; column?: number; problem: string }): void
  /** A file that could not be read as rows at all. */
  fileError?(file: DataFile, message: string, line?: number): void
  /**
   * Rows of a file the reader did not read, from `row` on (a Parquet row group past what is decoded
   * at once), and why; the file goes on.
   */
  skipped?(file: DataFile, rows: { row: number; count: number; problem: string }): void
  /** After the last row of every file, with every row read, parsed or not. */
  end?(totalRows: number): void
  /**
   * After `end`, on a run that checks one shard of a dataset: what the rule needs to merge this shard's
   * findings with the other shards' into the findings of one run (plain JSON, carried in the report).
   */
  shardState?(): unknown
}

/**
 * What a dataset rule can use, besides its own state. The docs say it in words, and the meta test checks
 * the declaration against the rule's source:
 * - `files`: the file listing and whether each data file reads (the `files` hook with its arguments,
 *   `fileError`);
 * - `rows`: the row values (`row`, `badRow`);
 * - `template`: the base model's chat template, or a row rendered with it (`row.rendered()`,
 *   `base.template`, `base.toolTemplate`, `base.noTemplate`);
 * - `tokenizer`: the base model's tokenizer (`row.tokens()`, `base.tokensPerByte`, `base.noTokenizer`);
 * - `context`: the base model's context length (`base.context`).
 * Nothing reads the declaration at run time yet; a runner could skip work no enabled rule declares
 * (the tokenizer, or the base model altogether).
 */
export const DATASET_INPUTS = ['files', 'rows', 'template', 'tokenizer', 'context'] as const
export type DatasetInput = (typeof DATASET_INPUTS)[number]

export interface DatasetRule<M extends AnyMessages = any> {
  meta: RuleMeta<M> & {
    /** What the rule uses (see DATASET_INPUTS), in that order; the docs word it. */
    inputs: readonly DatasetInput[]
  }
  /** Called once per dataset target: state lives in the closure, so runs never share it. */
  create(ctx: DatasetContext<M>): DatasetVisitor
  /**
   * For a rule whose findings depend on other rows (duplicates, a file's first row, counts): how the
   * shardState of each shard of a dataset becomes the findings one run over the whole dataset reports
   * (merge-reports). Rules without it have findings about their row only, which the shards' reports hold.
   */
  mergeShards?: ShardMerge<M>
}

/** What a merging rule is given besides the shards' states. */
export interface ShardMergeContext<M extends AnyMessages> {
  /** The dataset's data files, in the order one run reads them (the same in every shard). */
  files: readonly string[]
  /** The index of a data file in `files`, or -1 for a path that is not one. */
  fileIndex(path: string): number
  /** Rows the shards read together, parsed or not (the statistics' `seen`). */
  rows: number
  /** A finding one run reports as it passes `location.row` of `location.path`: kept in row order. */
  reportRow: <K extends keyof M & string>(
    key: K,
    data: DataOf<M[K]>,
    location: Location & { row: number },
  ) => void
  /** A finding one run reports after its last row (in `end`), in the order reported. */
  report: <K extends keyof M & string>(key: K, data: DataOf<M[K]>, location: Location) => void
  /** `count` findings of `key` about `path` that one run counts past the finding cap, never keeps. */
  omit: <K extends keyof M & string>(key: K, path: string, count: number) => void
}

export interface ShardMerge<M extends AnyMessages, S = any> {
  /** The rule's messages the merge reports; the shards' own findings of these messages are dropped. */
  replaces: readonly (keyof M & string)[]
  /**
   * One shard's state as its report carries it, checked: the report is a file anyone can write, so
   * anything the merge cannot use throws (the merge names the report and the rule). `shard.rows`: the
   * rows the shard read, parsed or not, a bound on what its state can hold.
   */
  parse(state: unknown, shard: { rows: number }): S
  /** Reports the findings one run reports, from every shard's state in shard order. */
  merge(states: readonly S[], ctx: ShardMergeContext<M>): void
}

export function defineDatasetRule<M extends AnyMessages>(rule: DatasetRule<M>): DatasetRule<M> {
  return rule
}
