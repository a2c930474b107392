import { problemPosition } from '../../artifacts/json-document.js'
import type { JsonFile } from '../../artifacts/json-file.js'
import type { Location } from '../../common/finding.js'
import { describeJsonProblem } from '../../common/json-errors.js'
import { notReadableWhat } from './files.js'

/** Why a broken JSON file cannot be used, as the second half of a sentence starting with its name. */
export function brokenJsonReason(file: JsonFile): string | undefined {
  switch (file.state) {
    case 'invalid':
      return describeJsonProblem(file.problem)
    case 'too-large': {
      // Just over the limit, one decimal would read "8.0 MiB, more than the 8 MiB": give bytes then.
      const mib = (file.size / 1024 / 1024).toFixed(1)
      const size =
        Number(mib) > file.limit / 1024 / 1024 ? `${mib} MiB` : `${file.size.toLocaleString('en-US')} bytes`
      return `is ${size}, more than the ${file.limit / 1024 / 1024} MiB such a file can reasonably be, so it was not parsed`
    }
    default:
      return undefined
  }
}

/**
 * A file nested deeper than Python's json loads (json raises RecursionError): why, as the second half
 * of a sentence starting with its name, and where the limit is passed. For the files whose other
 * problems no rule reports.
 */
export function tooDeep(file: JsonFile): { reason: string; location: Location } | undefined {
  return file.state === 'invalid' && file.problem.kind === 'too-deep'
    ? { reason: describeJsonProblem(file.problem), location: brokenJsonLocation(file) }
    : undefined
}

/** Where to point at a broken JSON file: the problem's own line and column when known. */
export function brokenJsonLocation(file: JsonFile): Location {
  const pos = file.state === 'invalid' ? problemPosition(file.problem) : undefined
  return pos ? { path: file.path, line: pos.line, column: pos.column } : { path: file.path }
}

/** "a folder", "a link to a file outside the model folder", …: for files that are not regular files. */
export function notFileWhat(file: JsonFile): string | undefined {
  return file.state === 'not-file' ? notReadableWhat(file.why, 'model') : undefined
}
