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
}

export interface DatasetContext<M extends AnyMessages> {
  /** The model whose template and tokenizer the rows must fit; undefined when none was given. */
  base?: BaseModel
  report<K extends keyof M & string>(key: K, data: DataOf<M[K]>, location: Location): void
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
  /** After the last row of every file, with every row read, parsed or not. */
  end?(totalRows: number): void
}

export interface DatasetRule<M extends AnyMessages = any> {
  meta: RuleMeta<M> & {
    /** What the rule reads, as the docs name it. */
    reads: string
  }
  /** Called once per dataset target: state lives in the closure, so runs never share it. */
  create(ctx: DatasetContext<M>): DatasetVisitor
}

export function defineDatasetRule<M extends AnyMessages>(rule: DatasetRule<M>): DatasetRule<M> {
  return rule
}
