import { existsSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from '../common/errors.js'

export const DEFAULT_HUB_URL = 'https://huggingface.co'

/** A Hugging Face repository at a revision, as the user named it. */
export interface HubRef {
  repo: string
  /** Branch, tag or commit sha; undefined means the default branch. */
  revision?: string
}

/**
 * huggingface_hub's `validate_repo_id`: one optional namespace, word characters, `-` and `.`, no
 * `--` or `..`, not ending in `.git`, at most 96 characters.
 */
const REPO_ID = /^[\w.-]+\/[\w.-]+$/
const MAX_REPO_ID = 96

/**
 * Revisions are git ref names or commit shas. Refs may hold `/` (`refs/pr/1`), never `..`, `//`,
 * spaces, `%` (a URL-encoded trick would name a different ref once decoded) or control characters.
 */
const REVISION = /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/

/** Why `ref` is not a valid `owner/name[@revision]`, or undefined when it is. */
export function hubRefProblem(ref: string): string | undefined {
  const at = ref.indexOf('@')
  const repo = at < 0 ? ref : ref.slice(0, at)
  const revision = at < 0 ? undefined : ref.slice(at + 1)
  if (/\s/.test(repo)) return 'a repo id has no spaces'
  if (!repo.includes('/')) return 'a repo id is owner/name'
  if (repo.split('/').length > 2) return 'a repo id has exactly one "/" (owner/name)'
  if (!REPO_ID.test(repo)) return 'a repo id holds only letters, digits, "-", "_" and "."'
  if (repo.includes('..') || repo.includes('--')) return 'a repo id has no ".." or "--"'
  if (/(^|\/)[.-]|[.-]($|\/)/.test(repo)) return 'a repo id part cannot start or end with "." or "-"'
  if (repo.endsWith('.git')) return 'a repo id does not end in ".git"'
  if (repo.length > MAX_REPO_ID) return `a repo id has at most ${MAX_REPO_ID} characters`
  if (revision === undefined) return undefined
  if (revision === '') return 'the revision after "@" is empty'
  if (
    !REVISION.test(revision) ||
    revision.includes('..') ||
    revision.includes('//') ||
    /[/.]$/.test(revision) ||
    revision.endsWith('.lock')
  )
    return `"${revision}" is not a branch, tag or commit name`
  return undefined
}

export function parseHubRef(ref: string): HubRef {
  const problem = hubRefProblem(ref)
  if (problem) throw new UsageError(`"${ref}" is not a Hugging Face repo reference: ${problem}`)
  const at = ref.indexOf('@')
  return at < 0 ? { repo: ref } : { repo: ref.slice(0, at), revision: ref.slice(at + 1) }
}

export type ModelLocation = { source: 'local'; root: string } | { source: 'hub'; hub: HubRef }

/**
 * Where a `model` reference points. The rule, in order: `hf://` forces the hub; a path starting with
 * `.`, `/` or `~`, or one that exists, is local (so `./org/name` forces a folder that shares a repo
 * id's shape); a repo id's shape (`owner/name[@revision]`) is the hub; anything else is a folder
 * (which then fails as missing, with the reason it is not a repo id either).
 */
export function locateModel(ref: string, base: string): ModelLocation {
  if (ref.startsWith('hf://')) return { source: 'hub', hub: parseHubRef(ref.slice('hf://'.length)) }
  const root = path.resolve(base, ref)
  if (/^[./~]/.test(ref) || path.isAbsolute(ref) || existsSync(root)) return { source: 'local', root }
  if (hubRefProblem(ref) === undefined) return { source: 'hub', hub: parseHubRef(ref) }
  // Looks like neither: name both readings so a typo in a repo id is not reported as a missing folder only.
  if (/^[^/\\]+\/[^/\\]/.test(ref) || ref.includes('@'))
    throw new UsageError(
      `"${ref}" is neither a folder nor a Hugging Face repo reference (${hubRefProblem(ref)})`,
    )
  return { source: 'local', root }
}

/** `owner/name@revision` as users write it. */
export function formatHubRef(ref: HubRef): string {
  return ref.revision ? `${ref.repo}@${ref.revision}` : ref.repo
}
