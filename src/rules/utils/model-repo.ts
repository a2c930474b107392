// What a manifest's hfModelRepo and hfModelRepoRevision name, told apart the way a reader means them:
// the Hub id the field takes ("HF ID of the model."), a URL or reference written in its place (with the
// id it should be), or something the Hub cannot hold. Shared by the EP2xx rules and by the check that
// fetches the model, so the model is fetched exactly when the rules accept the reference.
import { hubRefProblem } from '../../sources/hub-ref.js'

export type RepoRef =
  | { kind: 'id'; repo: string }
  /** A name without an organization (gpt2): a legacy Hub name, redirected to an org/name id today. */
  | { kind: 'bare'; repo: string }
  /** A Hub URL or hf:// reference: the id it names, and a revision when it names one. */
  | { kind: 'url'; id: string; revision?: string }
  /** owner/name@revision: the revision belongs in hfModelRepoRevision. */
  | { kind: 'with-revision'; id: string; revision: string }
  | { kind: 'empty' }
  | { kind: 'invalid'; why: string }

const HUB_HOSTS = /^(?:www\.)?(?:huggingface\.co|hf\.co)$/i

/** What hfModelRepo names. */
export function repoRef(value: string): RepoRef {
  const text = value.trim()
  if (text === '') return { kind: 'empty' }
  if (/^hf:\/\//i.test(text)) {
    const rest = text.slice('hf://'.length).replace(/^models\//, '')
    const at = rest.indexOf('@')
    const id = at < 0 ? rest : rest.slice(0, at)
    const revision = at < 0 ? undefined : rest.slice(at + 1)
    if (!hubRefProblem(id)) return { kind: 'url', id, ...(revision ? { revision } : {}) }
    return { kind: 'invalid', why: `it is an hf:// reference, and ${hubRefProblem(id)}` }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(?:www\.)?(?:huggingface\.co|hf\.co)\//i.test(text)) {
    let url: URL
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`)
    } catch {
      return { kind: 'invalid', why: 'it is a URL, not a Hub id' }
    }
    if (!HUB_HOSTS.test(url.hostname))
      return { kind: 'invalid', why: `it is a URL of ${url.hostname}, not a Hub id` }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    const id = parts.slice(0, 2).join('/')
    if (parts.length < 2 || hubRefProblem(id) || ['datasets', 'spaces'].includes(parts[0]!))
      return { kind: 'invalid', why: 'it is a Hugging Face URL that names no model repository' }
    // https://huggingface.co/org/name/tree/<rev> and /blob/<rev>/<file>: the revision is the next part.
    const revision = ['tree', 'blob', 'resolve', 'commit'].includes(parts[2] ?? '') ? parts[3] : undefined
    return { kind: 'url', id, ...(revision ? { revision } : {}) }
  }
  const at = text.indexOf('@')
  if (at > 0 && !hubRefProblem(text.slice(0, at)))
    return { kind: 'with-revision', id: text.slice(0, at), revision: text.slice(at + 1) }
  if (text !== value) return { kind: 'invalid', why: 'it has spaces around it' }
  if (!text.includes('/') && !hubRefProblem(`x/${text}`)) return { kind: 'bare', repo: text }
  const problem = hubRefProblem(text)
  return problem ? { kind: 'invalid', why: problem } : { kind: 'id', repo: text }
}

export type RevisionRef =
  | { kind: 'commit' }
  /** 7 to 39 (or 41 to 64) hex characters: a prefix of a commit, or a sha with a character too many. */
  | { kind: 'partial'; length: number }
  /** 40 hex characters with capitals: git and the Hub write a commit in lower case. */
  | { kind: 'uppercase' }
  /** A branch or tag name: it moves, and the field documents a commit hash. */
  | { kind: 'ref' }
  | { kind: 'invalid'; why: string }

/** What hfModelRepoRevision names. */
export function revisionRef(value: string): RevisionRef {
  if (/^[0-9a-f]{40}$/.test(value)) return { kind: 'commit' }
  if (/^[0-9a-fA-F]{40}$/.test(value)) return { kind: 'uppercase' }
  if (/^[0-9a-fA-F]{7,64}$/.test(value)) return { kind: 'partial', length: value.length }
  if (value.trim() === '') return { kind: 'invalid', why: 'it is empty' }
  // hubRefProblem quotes the value; the message quotes it once, escaped, itself.
  return hubRefProblem(`x/y@${value}`)
    ? {
        kind: 'invalid',
        why: 'a branch, tag or commit name holds letters, digits, ".", "_", "-" and "/" only, without "..", "//" or a final "/" or "."',
      }
    : { kind: 'ref' }
}
