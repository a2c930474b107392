// Where the chat template lives and which one transformers would use, as transformers 4.57 / 5.x load
// it (transformers' PreTrainedTokenizerBase.from_pretrained, https://github.com/huggingface/transformers/blob/main/src/transformers/tokenization_utils_base.py): chat_template.jinja and additional_chat_templates/*.jinja replace
// tokenizer_config.json's "chat_template"; that key is a string or a list of {name, template}, loaded
// into a dict by name; a processor's legacy chat_template.json serves multimodal models. Each template
// is parsed once here and shared by every template rule.
import type { Location } from '../common/finding.js'
import { describeJsonProblem } from '../common/json-errors.js'
import { at as locate, jsonType, problemPosition, type JsonDocument } from './json-document.js'
import { docOf, MiB, type JsonFile } from './json-file.js'
import type { RepoEntry, Source } from '../sources/source.js'
import { readListedFile } from '../sources/readable.js'
import { compileTemplate, type CompileResult } from '../templates/render.js'

export interface ChatTemplate {
  /** 'default' for a single template, else the name it is stored under. */
  name: string
  path: string
  source: string
  /** Where a finding about the template goes: the "chat_template" value in JSON, the file for .jinja. */
  location: Location
  /** True when the template is a JSON string: its own line numbers are not the file's. */
  inJson: boolean
  compiled: CompileResult
  /** Set when the template is larger than COMPILE_LIMIT: it was not compiled (MR506 reports it). */
  tooLarge?: { bytes: number; limit: number }
}

type TemplateProblem =
  | { kind: 'not-template'; location: Location; found: string }
  | { kind: 'bad-entry'; location: Location; index: number; why: string }
  | { kind: 'duplicate-name'; location: Location; name: string }
  | { kind: 'no-default'; location: Location; names: string[]; where: string }
  | { kind: 'unreadable'; location: Location; why: string }
  | { kind: 'legacy-conflict'; location: Location }
  /** chat_template.json nested deeper than Python's json loads: `reason` follows the file's name. */
  | { kind: 'too-deep'; location: Location; reason: string }

export interface ChatTemplates {
  /** What transformers' tokenizer would load: the .jinja files when there are any, else tokenizer_config.json's, else chat_template.json's. */
  used: ChatTemplate[]
  fromTokenizerConfig: ChatTemplate[]
  /** chat_template.jinja and additional_chat_templates/*.jinja. */
  fromFiles: ChatTemplate[]
  /** A processor's legacy chat_template.json. */
  fromProcessor: ChatTemplate[]
  problems: TemplateProblem[]
}

export const JINJA_FILE = 'chat_template.jinja'
const ADDITIONAL_DIR = 'additional_chat_templates'
/** Real templates are a few KB to ~100 KB; a 5 MB one is odd but must still be read and checked. */
export const TEMPLATE_FILE_LIMIT = 16 * MiB
/**
 * The largest template that is compiled and rendered. Real chat templates are well under 64 KB (the
 * largest of the 107 in the shared corpus, real templates from the Hub, TRL, llama.cpp and SGLang, is
 * 19.6 KB: TRL's diffusion_gemma_training.jinja); 1 MiB is fifty times that, and bounds what a hostile
 * template costs to compile and to hold (compiling is linear, templates/jinja-lexer.ts: 1 MiB takes well under
 * a second). A larger one is read (other rules still see its text) but not compiled: a finding, MR506.
 */
const COMPILE_LIMIT = MiB

export async function loadChatTemplates(
  source: Source,
  entries: ReadonlyMap<string, RepoEntry>,
  tokenizerConfig: JsonFile,
  chatTemplateJson: JsonFile,
): Promise<ChatTemplates> {
  const problems: TemplateProblem[] = []
  const fromTokenizerConfig = fromJson(docOf(tokenizerConfig), tokenizerConfig.path, problems)
  const fromProcessor = fromJson(docOf(chatTemplateJson), chatTemplateJson.path, problems)
  if (chatTemplateJson.state === 'invalid' && chatTemplateJson.problem.kind === 'too-deep')
    problems.push({
      kind: 'too-deep',
      location: { path: chatTemplateJson.path, ...problemPosition(chatTemplateJson.problem) },
      reason: describeJsonProblem(chatTemplateJson.problem),
    })

  const jinjaPaths = [...entries.values()]
    .filter(
      (e) =>
        e.path === JINJA_FILE ||
        (e.path.startsWith(`${ADDITIONAL_DIR}/`) &&
          e.path.endsWith('.jinja') &&
          e.path.split('/').length === 2),
    )
    .sort((a, b) => (a.path === JINJA_FILE ? -1 : b.path === JINJA_FILE ? 1 : a.path.localeCompare(b.path)))
  const fromFiles: ChatTemplate[] = []
  for (const entry of jinjaPaths) {
    const text = await readTemplateFile(source, entries, entry, problems)
    // An empty file holds no template, as an empty "chat_template" string does not.
    if (text === undefined || text.trim() === '') continue
    const name =
      entry.path === JINJA_FILE ? 'default' : entry.path.slice(ADDITIONAL_DIR.length + 1, -'.jinja'.length)
    fromFiles.push(template(name, entry.path, text, { path: entry.path }, false))
  }
  if (fromFiles.length > 0 && fromProcessor.length > 0 && fromFiles.some((t) => t.path !== JINJA_FILE))
    problems.push({ kind: 'legacy-conflict', location: { path: chatTemplateJson.path } })
  if (fromFiles.length > 0 && !fromFiles.some((t) => t.name === 'default'))
    problems.push({
      kind: 'no-default',
      location: { path: fromFiles[0].path },
      names: fromFiles.map((t) => t.name),
      where: `${ADDITIONAL_DIR}/`,
    })

  const used =
    fromFiles.length > 0 ? fromFiles : fromTokenizerConfig.length > 0 ? fromTokenizerConfig : fromProcessor
  return { used, fromTokenizerConfig, fromFiles, fromProcessor, problems }
}

/**
 * A chat template kept in a file of its own (a deployment manifest's chatTemplate), taken as a model's
 * chat_template.jinja is: the one template used, compiled once, its findings on the file's own lines.
 */
export function templatesFromFile(path: string, text: string): ChatTemplates {
  const t = template('default', path, text, { path }, false)
  return { used: [t], fromTokenizerConfig: [], fromFiles: [t], fromProcessor: [], problems: [] }
}

function template(
  name: string,
  path: string,
  source: string,
  location: Location,
  inJson: boolean,
): ChatTemplate {
  const bytes = Buffer.byteLength(source, 'utf8')
  if (bytes > COMPILE_LIMIT)
    return {
      name,
      path,
      source,
      location,
      inJson,
      compiled: {
        ok: false,
        message: `not compiled: ${(bytes / MiB).toFixed(1)} MiB, more than the ${COMPILE_LIMIT / MiB} MiB a chat template is checked up to`,
      },
      tooLarge: { bytes, limit: COMPILE_LIMIT },
    }
  return { name, path, source, location, inJson, compiled: compileTemplate(source) }
}

async function readTemplateFile(
  source: Source,
  entries: ReadonlyMap<string, RepoEntry>,
  entry: RepoEntry,
  problems: TemplateProblem[],
): Promise<string | undefined> {
  const location = { path: entry.path }
  const refuse = (why: string) => (problems.push({ kind: 'unreadable', location, why }), undefined)
  const file = await readListedFile(source, entries, entry.path, TEMPLATE_FILE_LIMIT)
  if (file.state === 'not-file')
    return refuse(entry.link ? 'a link that leaves the model folder or is broken' : 'not a regular file')
  if (file.state === 'too-large')
    return refuse(
      `${(file.size / MiB).toFixed(1)} MiB, more than the ${file.limit / MiB} MiB a template can reasonably be`,
    )
  if (file.state === 'lfs-pointer') return refuse('a Git LFS pointer, not the template')
  if (file.state !== 'read') return undefined
  try {
    // transformers opens it as UTF-8 text; Python's universal newlines make \r\n and \r into \n.
    return new TextDecoder('utf-8', { fatal: true }).decode(file.bytes)
  } catch {
    return refuse('not UTF-8 text')
  }
}

/** The templates under "chat_template" of a JSON file (tokenizer_config.json or chat_template.json). */
function fromJson(doc: JsonDocument | undefined, path: string, problems: TemplateProblem[]): ChatTemplate[] {
  if (!doc || typeof doc.value !== 'object' || doc.value === null || !('chat_template' in doc.value))
    return []
  const value = (doc.value as Record<string, unknown>).chat_template
  if (value === null) return [] // "chat_template": null is how some tools say "none"; MR501 reports it
  if (typeof value === 'string')
    return value.trim() === '' ? [] : [template('default', path, value, locate(doc, '/chat_template'), true)]
  if (!Array.isArray(value)) {
    problems.push({ kind: 'not-template', location: locate(doc, '/chat_template'), found: jsonType(value) })
    return []
  }
  const out: ChatTemplate[] = []
  value.forEach((entry: unknown, index) => {
    const location = locate(doc, `/chat_template/${index}`)
    const e = entry as { name?: unknown; template?: unknown }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return problems.push({
        kind: 'bad-entry',
        location,
        index,
        why: `it is ${jsonType(entry)}, not {"name", "template"}`,
      })
    if (typeof e.name !== 'string' || e.name === '')
      return problems.push({
        kind: 'bad-entry',
        location,
        index,
        why: 'its "name" is not a non-empty string',
      })
    if (typeof e.template !== 'string')
      return problems.push({
        kind: 'bad-entry',
        location,
        index,
        why: `its "template" is ${e.template === undefined ? 'absent' : `${jsonType(e.template)}, not a string`}`,
      })
    // A later entry of the same name replaces the earlier one when transformers builds its dict.
    const earlier = out.findIndex((t) => t.name === e.name)
    if (earlier >= 0) {
      problems.push({ kind: 'duplicate-name', location, name: e.name })
      out.splice(earlier, 1)
    }
    if (e.template.trim() !== '')
      out.push(template(e.name, path, e.template, locate(doc, `/chat_template/${index}/template`), true))
  })
  if (out.length > 0 && !out.some((t) => t.name === 'default'))
    problems.push({
      kind: 'no-default',
      location: locate(doc, '/chat_template'),
      names: out.map((t) => t.name),
      where: path,
    })
  return out
}
