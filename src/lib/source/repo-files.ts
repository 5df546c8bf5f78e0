import {constants} from 'node:fs'
import {access, lstat, open, readdir, readlink, stat} from 'node:fs/promises'
import {join, resolve} from 'node:path'

import {ChildStartError, runBounded} from '../shared/child-process.js'
import {UserError} from '../shared/errors.js'
import {mapLimit} from '../shared/map-limit.js'
// The same peek as the slug scanner keeps, so model formats are recognised the same way.
import {PEEK_BYTES, PEEK_MIN_SIZE} from '../scan/scanner.js'

/** Files stat'ed and peeked at once. */
const STAT_CONCURRENCY = 32

/** A file a push would send, as it is in the working tree. */
export interface RepoFile {
  /** relative to the repo root, '/'-separated */
  path: string
  type: 'file' | 'symlink'
  /** bytes; 0 for a symlink, as in a tar */
  size: number
  linkTarget?: string
  /** the first 256 bytes of files of 1 KiB and more */
  peek?: Buffer
}

/** The folder is not in a git work tree: there is nothing a push would send. */
export class NotARepositoryError extends UserError {
  readonly notARepository = true

  constructor(readonly dir: string) {
    super(`${dir} is not a git repository: Heroku builds what git push sends, so --dir needs one.`)
  }
}

/**
 * Whether `error` is a NotARepositoryError. By a property, not instanceof: the repository reader is imported
 * on demand, and a loader (tsx in the tests) may give that import a module instance of its own.
 */
export function isNotARepository(error: unknown): error is NotARepositoryError {
  return (error as Partial<NotARepositoryError> | undefined)?.notARepository === true
}

/** A git listing of a big repo takes seconds; a git stuck on a lock or a hook gets this long. */
const GIT_TIMEOUT_MS = 120_000

async function git(dir: string, args: string[]): Promise<string> {
  const result = await runBounded({args: ['-C', dir, ...args], command: 'git', maxOutputBytes: 512 * 1024 * 1024, timeoutMs: GIT_TIMEOUT_MS}).catch((error: unknown) => {
    if (error instanceof ChildStartError && error.code === 'ENOENT') {
      throw new UserError('git is not installed (or not on PATH): it is needed to list the files a push would send.')
    }

    throw new UserError(`git could not run in ${dir}: ${(error as Error).message}`)
  })
  if (result.timedOut) throw new UserError(`git ${args[0]} did not finish within ${GIT_TIMEOUT_MS / 1000} s in ${dir}.`)
  if (result.overflowed) throw new UserError(`git ${args[0]} printed more than 512 MiB in ${dir}.`)
  if (result.code === 0) return result.stdout
  if (/not a git repository/i.test(result.stderr)) throw new NotARepositoryError(dir)
  throw new UserError(`git failed in ${dir}: ${(result.stderr.trim() || `exit ${result.code ?? result.signal}`).split('\n')[0]}`)
}

/**
 * The top of the git work tree holding `dir`: a push sends the whole repository, so a prediction made
 * from a subfolder is made for the repo root.
 */
export async function repoRoot(dir: string): Promise<string> {
  const absolute = resolve(dir)
  const info = await stat(absolute).catch(() => {})
  if (!info) throw new UserError(`${dir} does not exist.`)
  if (!info.isDirectory()) throw new UserError(`${dir} is not a directory.`)
  return (await git(absolute, ['rev-parse', '--show-toplevel'])).trim()
}

/**
 * Paths git would push: the files in the index (committed or staged), submodules included. Untracked
 * and .gitignored files never reach Heroku.
 */
export async function trackedPaths(root: string): Promise<string[]> {
  const out = await git(root, ['ls-files', '-z', '--cached', '--recurse-submodules'])
  return [...new Set(out.split('\0').filter(p => p !== ''))]
}

/** A file this user may not read (EACCES, EPERM): skipped and listed, not a reason to fail the whole run. */
export class UnreadableFileError extends UserError {
  constructor(readonly path: string, readonly code: string) {
    super(`Cannot read ${path} (${code === 'EPERM' ? 'operation not permitted' : 'permission denied'}).`)
  }
}

const DENIED = new Set(['EACCES', 'EPERM'])

/**
 * Size, symlink target and peek of one file under `root`; undefined when it is missing or a directory.
 * Throws UnreadableFileError for a file this user cannot read: checked here, once, so that no later reader
 * (the estimate, the model finder) meets it.
 */
export async function describeFile(root: string, path: string): Promise<RepoFile | undefined> {
  const absolute = join(root, path)
  const info = await lstat(absolute).catch(() => {})
  if (!info) return undefined
  if (info.isSymbolicLink()) return {linkTarget: await readlink(absolute), path, size: 0, type: 'symlink'}
  if (!info.isFile()) return undefined
  await access(absolute, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
    throw DENIED.has(error.code ?? '') ? new UnreadableFileError(path, error.code!) : error
  })
  const file: RepoFile = {path, size: info.size, type: 'file'}
  if (info.size >= PEEK_MIN_SIZE) {
    const handle = await open(absolute, 'r')
    try {
      const buffer = Buffer.alloc(PEEK_BYTES)
      const {bytesRead} = await handle.read(buffer, 0, PEEK_BYTES, 0)
      file.peek = buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  }

  return file
}

export interface RepoListing {
  root: string
  files: RepoFile[]
  /** paths in the index that are gone from the working tree (their committed size is not known here) */
  missing: string[]
  /** tracked files this user may not read: left out of `files` */
  unreadable?: string[]
}

/** What a push from the repo holding `dir` would send, with sizes from the working tree. */
export async function listRepo(dir: string): Promise<RepoListing> {
  const root = await repoRoot(dir)
  const paths = await trackedPaths(root)
  const unreadable: string[] = []
  const described = await mapLimit(paths, STAT_CONCURRENCY, p => describeFile(root, p).catch((error: unknown) => {
    if (!(error instanceof UnreadableFileError)) throw error
    unreadable.push(p)
    return null
  }))
  const files: RepoFile[] = []
  const missing: string[] = []
  for (const [i, file] of described.entries()) {
    if (file) files.push(file)
    else if (file === undefined) missing.push(paths[i])
  }

  return {files, missing, root, unreadable: unreadable.sort()}
}

/** The files a push from the repo holding `dir` would send (see listRepo for the root and missing files). */
export async function listRepoFiles(dir: string): Promise<RepoFile[]> {
  return (await listRepo(dir)).files
}

/** Every file and symlink under `dir` (not following symlinks), relative, '/'-separated, sorted. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(join(dir, rel), {withFileTypes: true})
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(path)
    }
  }

  await walk('')
  return out.sort()
}
