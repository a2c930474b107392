import path from 'node:path'
import type { TargetResult } from '../check.js'
import type { Location } from '../engine/finding.js'

/** A finding's path relative to the workspace ('examples/m/config.json'); the target root for '.'. */
export function workspacePath(target: TargetResult, location: Location): string {
  return path.posix.join(target.rootInWorkspace || '.', location.path)
}

/** `path:line:col`, with only the parts that are known. */
export function formatLocation(file: string, location: Location): string {
  let s = file
  if (location.line !== undefined) s += `:${location.line}`
  if (location.line !== undefined && location.column !== undefined) s += `:${location.column}`
  if (location.row !== undefined) s += ` (row ${location.row})`
  return s
}
