// The remote a local checkout was cloned from, as git keeps it in the checkout's own config, and the
// Git LFS server that remote implies. Only remote.origin.url is read, from the git directory's
// `config`: actions/checkout writes it (https://github.com/actions/checkout/blob/main/src/url-helper.ts),
// and no file of the checked-out tree can change it. `.lfsconfig`, `lfs.url` and `include` are never
// read: a pull request could point them at a server of its own and collect the token sent there.
import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'

export type GitRemote = { url: string } | { reason: string }

/** A `.git` file and a `commondir` file are one line; a real config is a few KB. */
const LIMITS = { gitFileBytes: 4096, configBytes: 1024 * 1024, levels: 64 }

/**
 * remote.origin.url of the checkout holding `root`: `.git` is looked for in `root` and the folders
 * above it, up to `top` (the workspace in a workflow) or the file system's root. A `.git` file (a
 * worktree, a submodule) names the git directory (`gitdir: …`), whose `commondir` names the one holding
 * the config. Never throws: a reason says why there is no remote.
 */
export async function findGitRemote(root: string, top?: string): Promise<GitRemote> {
  const real = (p: string) => realpath(p).catch(() => path.resolve(p))
  const stop = top === undefined ? undefined : await real(top)
  let dir = await real(root)
  for (let level = 0; level < LIMITS.levels; level++) {
    const dotGit = path.join(dir, '.git')
    const st = await stat(dotGit).catch(() => undefined)
    if (st) return remoteOf(st.isDirectory() ? dotGit : await gitDirOf(dotGit, dir))
    const parent = path.dirname(dir)
    if (dir === stop || parent === dir) break
    dir = parent
  }
  return {
    reason:
      'the folder is not in a git checkout (no .git in it or the folders above it), so it has no remote to read LFS objects from',
  }
}

/** The git directory a `.git` file names (`gitdir: <path>`, relative to the file's folder), or undefined. */
async function gitDirOf(file: string, dir: string): Promise<string | undefined> {
  const text = await smallFile(file, LIMITS.gitFileBytes)
  const named = text === undefined ? undefined : /^gitdir: *(.+?)\r?\n?$/.exec(text)?.[1]
  return named ? path.resolve(dir, named) : undefined
}

async function remoteOf(gitDir: string | undefined): Promise<GitRemote> {
  if (!gitDir) return { reason: 'the checkout\'s .git file does not name a git directory ("gitdir: …")' }
  // A worktree's own git directory names the common one, which holds the config.
  const common = await smallFile(path.join(gitDir, 'commondir'), LIMITS.gitFileBytes)
  const configFile = path.join(common?.trim() ? path.resolve(gitDir, common.trim()) : gitDir, 'config')
  const text = await smallFile(configFile, LIMITS.configBytes)
  if (text === undefined)
    return {
      reason: `the checkout's git config cannot be read (missing, or over ${LIMITS.configBytes} bytes)`,
    }
  let urls: string[]
  try {
    urls = gitConfigValues(text, 'remote', 'origin', 'url')
  } catch (error) {
    return { reason: `the checkout's git config cannot be parsed: ${(error as Error).message}` }
  }
  if (!urls[0]) return { reason: 'the checkout\'s git config names no remote "origin"' }
  return { url: urls[0] }
}

/** A regular file's text when it is at most `limit` bytes; undefined when it is absent or larger. */
async function smallFile(file: string, limit: number): Promise<string | undefined> {
  try {
    const st = await stat(file)
    if (!st.isFile() || st.size > limit) return undefined
    return await readFile(file, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * Every value of `section "subsection".key` in a git config file, in order, as git reads them
 * (https://git-scm.com/docs/git-config#_syntax): section and key names case-insensitive, the
 * subsection case-sensitive (the deprecated `[section.sub]` lower-cased), `#` and `;` comments,
 * quotes, the `\"` `\\` `\n` `\t` `\b` escapes and backslash line continuations, and a key with no
 * `=` being true. Includes are not followed. Throws on a line git would refuse.
 */
export function gitConfigValues(text: string, section: string, subsection: string, key: string): string[] {
  const out: string[] = []
  const src = text.replace(/\r\n/g, '\n')
  let inSection = false
  let i = 0
  const fail = (what: string): never => {
    throw new Error(`${what} on line ${src.slice(0, i).split('\n').length}`)
  }
  while (i < src.length) {
    const c = src[i]!
    if (c === ' ' || c === '\t' || c === '\n') {
      i++
    } else if (c === '#' || c === ';') {
      while (i < src.length && src[i] !== '\n') i++
    } else if (c === '[') {
      const m = /^\[([A-Za-z0-9.-]+)(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?\]/.exec(src.slice(i, i + 4096))
      if (!m) fail('a bad section header')
      const name = m![1]!
      const dot = name.indexOf('.')
      const own =
        m![2] !== undefined
          ? m![2].replace(/\\(.)/g, '$1')
          : dot >= 0
            ? name.slice(dot + 1).toLowerCase()
            : undefined
      const base = (m![2] === undefined && dot >= 0 ? name.slice(0, dot) : name).toLowerCase()
      inSection = base === section.toLowerCase() && own === subsection
      i += m![0].length
    } else if (/[A-Za-z]/.test(c)) {
      const name = /^[A-Za-z][A-Za-z0-9-]*/.exec(src.slice(i, i + 1024))![0]
      i += name.length
      while (src[i] === ' ' || src[i] === '\t') i++
      let value = 'true'
      if (src[i] === '=') {
        i++
        ;({ value, next: i } = readValue(src, i, fail))
      } else if (i < src.length && src[i] !== '\n' && src[i] !== '#' && src[i] !== ';')
        fail('a bad variable line')
      if (inSection && name.toLowerCase() === key.toLowerCase()) out.push(value)
    } else fail('a bad line')
  }
  return out
}

/** A value from `i` (just after `=`) to the end of its line: quotes, escapes, comments, continuations. */
function readValue(
  src: string,
  start: number,
  fail: (what: string) => never,
): { value: string; next: number } {
  let value = ''
  let spaces = ''
  let quoted = false
  let i = start
  for (; i < src.length; i++) {
    const c = src[i]!
    if (c === '\n') {
      if (quoted) fail('an unclosed quote')
      break
    }
    if (!quoted && (c === '#' || c === ';')) {
      while (i < src.length && src[i] !== '\n') i++
      break
    }
    if (!quoted && (c === ' ' || c === '\t')) {
      if (value) spaces += c // inner whitespace is kept, leading and trailing whitespace is not
      continue
    }
    value += spaces
    spaces = ''
    if (c === '"') quoted = !quoted
    else if (c === '\\') {
      const e = src[++i]
      if (e === '\n') continue
      const escaped =
        e === undefined ? undefined : ({ n: '\n', t: '\t', b: '\b', '"': '"', '\\': '\\' } as const)[e as 'n']
      if (escaped === undefined) fail('a bad escape')
      value += escaped
    } else value += c
  }
  return { value, next: i }
}

/**
 * The Git LFS server of a remote: the remote's URL with `.git/info/lfs` appended (`.git` only when
 * it lacks it), an SSH or git:// remote taken to https on the same host and path
 * (https://github.com/git-lfs/git-lfs/blob/main/docs/api/server-discovery.md). Credentials, query
 * and fragment are dropped. Undefined for a remote that is a local path or of another scheme.
 */
export function lfsEndpoint(remote: string): URL | undefined {
  let url: URL
  const scp = /^(?:[^@/]+@)?([^/:]+):(?!\/\/)(.+)$/.exec(remote)
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) {
      url = new URL(remote)
      if (['ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(url.protocol))
        url = new URL(`https://${url.hostname}${url.pathname}`)
      else if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
    } else if (scp) url = new URL(`https://${scp[1]}/${scp[2]!.replace(/^[/~]+/, '')}`)
    else return undefined
  } catch {
    return undefined
  }
  url.username = ''
  url.password = ''
  url.search = ''
  url.hash = ''
  const repo = url.pathname.replace(/\/+$/, '')
  if (!repo || repo === '/') return undefined
  url.pathname = `${repo.endsWith('.git') ? repo : `${repo}.git`}/info/lfs`
  return url
}
