import path from 'node:path'
import type { TargetResult } from '../check.js'
import type { Finding, Location } from '../common/finding.js'

/**
 * A finding's path as users read it: relative to the workspace ('examples/m/config.json', the target
 * root for '.'), or for a hub target in huggingface_hub's HfFileSystem form, pinned to the commit
 * checked (`hf://org/name@<sha>/config.json`).
 */
export function workspacePath(target: TargetResult, location: Location): string {
  if (target.hub) {
    const file = location.path === '.' ? '' : `/${location.path}`
    return `hf://${target.hub.dataset ? 'datasets/' : ''}${target.hub.repo}@${target.hub.sha}${file}`
  }
  return path.posix.join(target.rootInWorkspace || '.', location.path)
}

/**
 * A repository path as a relative URI reference: each segment percent-encoded (space, %, #, |, …). A
 * lone surrogate (a JSON file name may hold one) would make encodeURIComponent throw: it becomes U+FFFD.
 */
export function encodePath(p: string): string {
  return p
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .split('/')
    .map(encodeURIComponent)
    .join('/')
}

/** The page showing a hub target's file at the checked commit (its line when known), or the repo's tree. */
export function hubBlobUrl(hub: NonNullable<TargetResult['hub']>, location: Location): string {
  const encoded = encodePath(location.path)
  const repo = `${hub.url}/${hub.dataset ? 'datasets/' : ''}${hub.repo}`
  if (location.path === '.') return `${repo}/tree/${hub.sha}`
  return `${repo}/blob/${hub.sha}/${encoded}${location.line ? `#L${location.line}` : ''}`
}

/** `path:line:col`, with only the parts that are known. */
export function formatLocation(file: string, location: Location): string {
  let s = file
  if (location.line !== undefined) s += `:${location.line}`
  if (location.line !== undefined && location.column !== undefined) s += `:${location.column}`
  if (location.row !== undefined) s += ` (row ${location.row})`
  return s
}

/**
 * Where a finding is shown in the repository (annotations, check runs, SARIF): the file and line when known; a target named in a file of the repository
 * (the config file, the workflow), on that line. A hub target's files are not in the repository, so
 * its findings go on the naming line or float on the run page.
 */
export function place(
  target: TargetResult,
  f?: Finding,
): { file?: string; startLine?: number; startColumn?: number } {
  if (!target.hub && f && f.location.line !== undefined) {
    return {
      file: workspacePath(target, f.location),
      startLine: f.location.line,
      startColumn: f.location.column,
    }
  }
  if (target.spec.origin && (!f || f.location.path === '.' || target.hub)) {
    return { file: target.spec.origin.file, startLine: target.spec.origin.line }
  }
  if (!target.hub && f && f.location.path !== '.') return { file: workspacePath(target, f.location) }
  return {}
}
