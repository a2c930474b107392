import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseDocument } from 'yaml'
import { z } from 'zod'
import { findRule } from './engine/registry.js'
import type { RuleLevel } from './engine/run-model.js'
import { UsageError } from './errors.js'

export const FAIL_ON = ['error', 'warning', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]

/** A model to check. `origin` is the config-file line that names it, when one does. */
export interface TargetSpec {
  kind: 'model'
  /** As the user wrote it. */
  ref: string
  /** Absolute path of the folder. */
  root: string
  origin?: { file: string; line: number }
}

/** Everything a run needs, read once from inputs, flags and the config file, then passed around. */
export interface Settings {
  /** The repository root: annotation paths are relative to it. */
  workspace: string
  targets: TargetSpec[]
  failOn: FailOn
  extraArchitectures: string[]
  levels: Map<string, RuleLevel>
  configFile?: string
}

/** The raw values both entry points collect: action inputs or CLI flags, '' when not given. */
export interface RawInputs {
  model: string
  config: string
  failOn: string
  extraArchitectures: string
}

export const DEFAULT_CONFIG_FILES = ['.friendli-preflight.yml', '.friendli-preflight.yaml']

const LEVEL = z.enum(['off', 'info', 'warning', 'error'])
const ConfigFileSchema = z.strictObject({
  'extra-architectures': z.array(z.string().min(1)).optional(),
  rules: z.record(z.string(), LEVEL).optional(),
  targets: z.array(z.strictObject({ model: z.string().min(1) })).optional(),
})
type ConfigFile = z.infer<typeof ConfigFileSchema>

/** Split a comma- or newline-separated input into its non-empty items. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
}

export function resolveSettings(raw: RawInputs, workspace: string): Settings {
  const failOn = (raw.failOn.trim() || 'error') as FailOn
  if (!FAIL_ON.includes(failOn)) {
    throw new UsageError(`fail-on must be one of ${FAIL_ON.join(', ')}; got "${raw.failOn.trim()}"`)
  }
  const configFile = findConfigFile(raw.config, workspace)
  const { config, lines } = configFile
    ? readConfigFile(configFile)
    : { config: {} as ConfigFile, lines: [] as undefined[] }

  const levels = new Map<string, RuleLevel>()
  for (const [key, level] of Object.entries(config.rules ?? {})) {
    const rule = findRule(key)
    if (!rule) throw new UsageError(`${display(configFile!, workspace)}: unknown rule "${key}" under rules`)
    levels.set(rule.meta.id, level)
  }

  // An explicit model argument wins; otherwise the config file's targets; otherwise the workspace itself.
  const model = raw.model.trim()
  let targets: TargetSpec[]
  if (model && model !== '.') targets = [localTarget(model, workspace)]
  else if (config.targets?.length) {
    const base = path.dirname(configFile!)
    targets = config.targets.map((t, i) => ({
      ...localTarget(t.model, base),
      ...(lines[i] ? { origin: { file: display(configFile!, workspace), line: lines[i] } } : {}),
    }))
  } else targets = [localTarget('.', workspace)]

  const extraArchitectures = [
    ...new Set([...splitList(raw.extraArchitectures), ...(config['extra-architectures'] ?? [])]),
  ]
  return { workspace, targets, failOn, extraArchitectures, levels, configFile }
}

function localTarget(ref: string, base: string): TargetSpec {
  return { kind: 'model', ref, root: path.resolve(base, ref) }
}

function findConfigFile(explicit: string, workspace: string): string | undefined {
  if (explicit.trim()) {
    const file = path.resolve(workspace, explicit.trim())
    if (!existsSync(file) || !statSync(file).isFile())
      throw new UsageError(`config file ${explicit.trim()} does not exist`)
    return file
  }
  return DEFAULT_CONFIG_FILES.map((f) => path.join(workspace, f)).find(
    (f) => existsSync(f) && statSync(f).isFile(),
  )
}

/** Parse and validate the YAML config file; also returns the line of each target for annotations. */
function readConfigFile(file: string): { config: ConfigFile; lines: (number | undefined)[] } {
  const name = path.basename(file)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read config file ${name}: ${(error as Error).message}`)
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    const where = ` at line ${text.slice(0, e.pos[0]).split('\n').length}`
    throw new UsageError(`${name} is not valid YAML${where}: ${e.message.split('\n')[0]}`)
  }
  const parsed = ConfigFileSchema.safeParse(doc.toJS() ?? {})
  if (!parsed.success)
    throw new UsageError(`${name} is not a valid config file:\n${z.prettifyError(parsed.error)}`)
  const lines: (number | undefined)[] = []
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length
  const targets = doc.get('targets', true) as { items?: { range?: [number, number, number] }[] } | undefined
  for (const item of targets?.items ?? []) lines.push(item.range ? lineOf(item.range[0]) : undefined)
  return { config: parsed.data, lines }
}

function display(file: string, workspace: string): string {
  const rel = path.relative(workspace, file)
  return rel.startsWith('..') ? file : rel.split(path.sep).join('/')
}
