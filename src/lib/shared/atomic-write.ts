import {randomBytes} from 'node:crypto'
import {
  chmod, lstat, mkdir, open, readdir, readFile, readlink, realpath, rename, rm, stat, symlink,
} from 'node:fs/promises'
import {
  basename, dirname, isAbsolute, join, relative, resolve,
} from 'node:path'

import {UserError} from './errors.js'

export interface AtomicWriteOptions {
  /** file mode for a new file; an existing file keeps its own mode */
  mode?: number
}

/** One file of a set written together: `data` undefined removes the file. */
export interface FileWrite {
  path: string
  data?: Buffer | string
  /** file mode for a new file; an existing file keeps its own mode */
  mode?: number
  /** the file must end up executable (u+x, g+x, o+x), whatever its mode was */
  executable?: boolean
  /** create the missing folders on its path (bin/ for a new hook) */
  createDirs?: boolean
}

/** A failed write: a one-line message, and the errno code (when there was one) for callers that map it. */
export class WriteError extends UserError {
  readonly code?: string

  constructor(message: string, cause?: unknown) {
    super(message)
    this.name = 'WriteError'
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code
  }
}

export interface WriteSetOptions {
  /** how a path is named in messages (default: as given) */
  label?: (path: string) => string
  /** refuse a symlink whose target is outside this folder (the repo) */
  within?: string
  /** the rename step; a test replaces it to make one rename fail */
  rename?: (from: string, to: string) => Promise<void>
}

/**
 * Temp files are named `.<name>.slug-diet-<pid>-<random>.tmp` beside their target, so a later run can tell
 * its own leftovers (from a killed process) from anything else. Earlier versions wrote
 * `.<name>.<pid>.<ms>.tmp`.
 */
const TEMP = /^\.(.+)\.(?:slug-diet-(\d+)-[\da-f]+|(\d+)\.\d+)\.tmp$/

/**
 * The target's name as a temp name holds it: cut to 200 bytes (whole characters), so that a name near the
 * file system's 255-byte limit still leaves room for the suffix.
 */
function tempStem(name: string): string {
  let stem = name
  while (Buffer.byteLength(stem) > 200) stem = [...stem].slice(0, -1).join('')
  return stem
}

function tempPath(target: string): string {
  return join(dirname(target), `.${tempStem(basename(target))}.slug-diet-${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes temp files of the plugin's own naming for these targets whose process is gone. Best effort: only
 * regular files, and a leftover that cannot be removed does not stop the write.
 */
async function removeStaleTemps(targets: string[]): Promise<void> {
  const byDir = new Map<string, Set<string>>()
  for (const t of targets) byDir.set(dirname(t), (byDir.get(dirname(t)) ?? new Set()).add(tempStem(basename(t))))
  for (const [dir, names] of byDir) {
    const entries = await readdir(dir, {withFileTypes: true}).catch(() => [])
    for (const entry of entries) {
      const m = entry.isFile() ? TEMP.exec(entry.name) : null
      if (m && names.has(m[1]) && !alive(Number(m[2] ?? m[3]))) await rm(join(dir, entry.name), {force: true}).catch(() => {})
    }
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EDQUOT: 'the disk quota is exceeded',
  EISDIR: 'it is a directory',
  EBUSY: 'it is in use',
  EIO: 'the disk reported an input/output error',
  ELOOP: 'it is a symlink that leads back to itself (a loop)',
  ENAMETOOLONG: 'its name is too long',
  ENOENT: 'its folder does not exist',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a folder on its path is a file',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
}

/** A one-line reason for a failed file operation, without the raw errno text. */
export function writeFailureReason(error: unknown): string {
  if (error instanceof UserError) return error.message
  const {code} = error as NodeJS.ErrnoException
  return (code && REASONS[code]) ?? `an I/O error (${code ?? (error as Error).message})`
}

interface Staged {
  write: FileWrite
  /** the file that is replaced: the symlink's target when `path` is a link */
  target: string
  tmp?: string
  /** the target's bytes and mode before (or the removed link's own target), to restore it; undefined when it did not exist */
  old?: {data: Buffer; mode: number} | {link: string}
  /** the first folder created for a new file, removed again on failure */
  createdDir?: string
}

const isInside = (dir: string, path: string) => {
  const rel = relative(dir, path)
  return !rel.startsWith('..') && !isAbsolute(rel)
}

/** Where a path that may not exist yet really leads: its nearest existing folder with symlinks resolved. */
async function realLocation(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    const parent = dirname(path)
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) throw error
    return join(await realLocation(parent), basename(path))
  }
}

async function inspectTarget(write: FileWrite, label: string, within: string | undefined): Promise<Omit<Staged, 'write'>> {
  let target = resolve(write.path)
  try {
    const link = await lstat(target).catch(() => {})
    // Removing a symlinked file removes the link: the file it points at may be the user's for other uses.
    const removesLink = link?.isSymbolicLink() === true && write.data === undefined
    if (link?.isSymbolicLink() && !removesLink) target = await realpath(target)
    // A folder on the path may be the link (bin -> elsewhere): what counts is where the file really is.
    let real = target
    if (within) real = removesLink ? join(await realLocation(dirname(target)), basename(target)) : await realLocation(target)
    if (within && isInside(resolve(within), resolve(write.path)) && !isInside(await realpath(within), real)) {
      throw new UserError(`${label} is a symlink to ${real}, outside the repository: slug:diet does not write outside the repo; edit that file yourself or replace the link with a file.`)
    }

    if (removesLink) return {old: {link: await readlink(target)}, target}
  } catch (error) {
    if (error instanceof UserError) throw error
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`${label} is a symlink to a file that does not exist: point it at a file, or replace it with one.`)
    }

    throw new UserError(`Cannot read ${label}: ${writeFailureReason(error)}.`)
  }

  const info = await stat(target).catch(error => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new UserError(`Cannot read ${label}: ${writeFailureReason(error)}.`)
  })
  if (!info) return {target}
  if (info.isDirectory()) throw new WriteError(`Cannot write ${label}: it is a directory.`, {code: 'EISDIR'})
  if ((info.mode & 0o200) === 0) {
    throw new UserError(`${label} is read-only: slug:diet does not rewrite a read-only file; make it writable (chmod u+w ${label}) and run again.`)
  }

  return {old: {data: await readFile(target), mode: info.mode & 0o7777}, target}
}

async function stage(s: Staged): Promise<void> {
  const {write} = s
  if (write.data === undefined) return
  if (write.createDirs) s.createdDir = await mkdir(dirname(s.target), {recursive: true})
  let mode = (s.old && 'mode' in s.old ? s.old.mode : undefined) ?? write.mode ?? 0o644
  if (write.executable) mode |= 0o111
  const tmp = tempPath(s.target)
  const handle = await open(tmp, 'wx', mode)
  s.tmp = tmp
  try {
    await handle.writeFile(write.data)
    await handle.sync()
  } finally {
    await handle.close()
  }

  // open() applies the umask; the mode the file must keep is set explicitly.
  await chmod(tmp, mode)
}

async function discard(staged: Staged[]): Promise<void> {
  for (const s of staged) {
    if (s.tmp) await rm(s.tmp, {force: true})
    if (s.createdDir) await rm(s.createdDir, {force: true, recursive: true})
  }
}

/** Puts a file back as it was before the set was written (best effort: this runs after a failure). */
async function restore(s: Staged): Promise<boolean> {
  try {
    if (s.old === undefined) {
      await rm(s.target, {force: true})
      return true
    }

    if ('link' in s.old) {
      await symlink(s.old.link, s.target)
      return true
    }

    const tmp = tempPath(s.target)
    await mkdir(dirname(s.target), {recursive: true})
    const handle = await open(tmp, 'wx', s.old.mode)
    try {
      await handle.writeFile(s.old.data)
      await handle.sync()
    } finally {
      await handle.close()
    }

    await chmod(tmp, s.old.mode)
    await rename(tmp, s.target)
    return true
  } catch {
    return false
  }
}

/**
 * Writes a set of files all or nothing: every file is checked (a read-only file, a directory, a symlink
 * out of the repo are refused), then staged (a temp file beside it, written and flushed), and only when
 * all are staged are they renamed over their targets. A failure before the renames leaves every file as
 * it was and no temp file behind; a failure during them puts back the files already replaced. A symlink
 * is written through: its target is replaced, the link stays (a file the set removes that is a link: the
 * link goes, the file it points at stays). Failures are UserErrors with one line.
 */
export async function writeFilesAtomic(writes: FileWrite[], options: WriteSetOptions = {}): Promise<void> {
  const label = options.label ?? ((p: string) => p)
  const doRename = options.rename ?? rename
  const staged: Staged[] = []
  for (const write of writes) {
    try {
      staged.push({write, ...await inspectTarget(write, label(write.path), options.within)})
    } catch (error) {
      throw new WriteError(`${writeFailureReason(error)} Nothing was written.`, error)
    }
  }

  const byTarget = new Map<string, Staged>()
  for (const s of staged) {
    const first = byTarget.get(s.target)
    // Two writes to one file (requirements-dev.txt -> requirements.txt) would keep only the last one.
    if (first) {
      const names = `${label(s.write.path)} and ${label(first.write.path)}`
      throw new WriteError(`${names} are the same file (a symlink): slug:diet would write it twice; make them separate files, or edit it yourself. Nothing was written.`)
    }

    byTarget.set(s.target, s)
  }

  await removeStaleTemps(staged.map(s => s.target))

  for (const s of staged) {
    try {
      await stage(s)
    } catch (error) {
      await discard(staged)
      throw new WriteError(`Cannot write ${label(s.write.path)}: ${writeFailureReason(error)}. Nothing was written.`, error)
    }
  }

  const done: Staged[] = []
  for (const s of staged) {
    try {
      await (s.tmp ? doRename(s.tmp, s.target) : rm(s.target, {force: true}))
      // createdDir stays: a failure after this rename removes the new folder again with the new file
      s.tmp = undefined
      done.push(s)
    } catch (error) {
      await discard(staged)
      const failed: string[] = []
      for (const d of done.reverse()) if (!(await restore(d))) failed.push(label(d.write.path))
      const after = failed.length === 0
        ? (done.length > 0 ? ` Nothing was changed: ${done.map(d => label(d.write.path)).join(', ')} restored.` : ' Nothing was written.')
        : ` Could not restore ${failed.join(', ')}: check it with git diff.`
      throw new WriteError(`Cannot write ${label(s.write.path)}: ${writeFailureReason(error)}.${after}`, error)
    }
  }
}

/**
 * The one way the plugin writes a single user's file: a temp file beside it, flushed to disk, then renamed
 * over the target. A crash or a full disk leaves the old file whole, never half-written. Its folder must
 * exist; a failure is a WriteError carrying the errno code.
 */
export async function writeFileAtomic(path: string, data: Buffer | string, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFilesAtomic([{data, mode: options.mode, path}])
}
