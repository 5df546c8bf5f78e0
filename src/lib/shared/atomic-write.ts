import {createHash, randomBytes} from 'node:crypto'
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
  /** the rename step; a test replaces it to make one rename fail (or kill the process) */
  rename?: (from: string, to: string) => Promise<void>
  /**
   * A journal file (see recoverInterruptedWrite): with it, a process killed while the set is written leaves
   * what the next run needs to finish the write, or undo it.
   */
  journal?: string
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
  const tmp = s.tmp ?? tempPath(s.target)
  s.tmp = tmp
  const handle = await open(tmp, 'wx', mode)
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

/** The lines of a text, for the rename order (a file that loses lines goes after those that gain them). */
const linesOf = (data: Buffer | string): Set<string> => new Set(data.toString().split('\n').map(l => l.trim()).filter(Boolean))

/** Whether writing `s` drops a line the file holds now: those files are renamed last, removals after them. */
function dropsLines(s: Staged): number {
  if (s.write.data === undefined) return 2
  if (!s.old || 'link' in s.old) return 0
  const after = linesOf(s.write.data)
  return [...linesOf(s.old.data)].some(l => !after.has(l)) ? 1 : 0
}

/**
 * The rename order: files that only gain lines (a new requirements-dev.txt) before those that lose some
 * (requirements.txt without pytest), removals last. A kill between two renames then leaves every moved
 * line in one file or the other; the journal finishes the rest on the next run.
 */
const renameOrder = (staged: Staged[]): Staged[] => staged.map((s, i) => ({i, rank: dropsLines(s), s})).sort((x, y) => x.rank - y.rank || x.i - y.i).map(x => x.s)

/** One file of a journaled set: where its new bytes wait (or that it is removed), and what it held before. */
interface JournalEntry {
  target: string
  /** the temp file holding the new bytes; absent for a removal */
  tmp?: string
  /** sha256 of the new bytes */
  sha?: string
  /** the bytes (base64) and mode before, or the removed link's target; absent when the file did not exist */
  old?: {data: string; mode: number} | {link: string}
}

interface Journal {
  format: 'slug-diet-write-journal'
  pid: number
  /** staging: temp files are being written, no target changed yet; renaming: targets are being replaced, in this order */
  state: 'renaming' | 'staging'
  entries: JournalEntry[]
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')

/** A new file with these bytes and mode, flushed to disk. */
async function writeSynced(path: string, data: Buffer | string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }

  // open() applies the umask; the mode the file must keep is set explicitly.
  await chmod(path, mode)
}

async function writeJournal(path: string, journal: Journal): Promise<void> {
  const tmp = tempPath(path)
  await writeSynced(tmp, JSON.stringify(journal), 0o644)
  await rename(tmp, path)
}

function journalOf(staged: Staged[], state: Journal['state']): Journal {
  return {
    entries: staged.map(s => ({
      old: s.old && ('link' in s.old ? {link: s.old.link} : {data: s.old.data.toString('base64'), mode: s.old.mode}),
      sha: s.write.data === undefined ? undefined : sha256(s.write.data),
      target: s.target,
      tmp: s.tmp,
    })),
    format: 'slug-diet-write-journal',
    pid: process.pid,
    state,
  }
}

/** Renames the staged files in order; on a failure puts back those already replaced and throws a WriteError. */
async function renameAll(staged: Staged[], label: (p: string) => string, doRename: (from: string, to: string) => Promise<void>): Promise<void> {
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
 * Writes a set of files all or nothing: every file is checked (a read-only file, a directory, a symlink
 * out of the repo are refused), then staged (a temp file beside it, written and flushed), and only when
 * all are staged are they renamed over their targets, files that lose lines after those that gain them.
 * A failure before the renames leaves every file as it was and no temp file behind; a failure during them
 * puts back the files already replaced; a kill during them is finished (or undone) by the next run's
 * recoverInterruptedWrite when `journal` is given. A symlink is written through: its target is replaced,
 * the link stays (a file the set removes that is a link: the link goes, the file it points at stays).
 * Failures are UserErrors with one line.
 */
export async function writeFilesAtomic(writes: FileWrite[], options: WriteSetOptions = {}): Promise<void> {
  const label = options.label ?? ((p: string) => p)
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
  const ordered = renameOrder(staged)
  for (const s of ordered) if (s.write.data !== undefined) s.tmp = tempPath(s.target)
  const {journal} = options
  try {
    if (journal) await writeJournal(journal, journalOf(ordered, 'staging'))
    for (const s of ordered) {
      try {
        await stage(s)
      } catch (error) {
        await discard(staged)
        throw new WriteError(`Cannot write ${label(s.write.path)}: ${writeFailureReason(error)}. Nothing was written.`, error)
      }
    }

    if (journal) await writeJournal(journal, journalOf(ordered, 'renaming'))
    await renameAll(ordered, label, options.rename ?? rename)
  } catch (error) {
    if (error instanceof WriteError) throw error
    await discard(staged)
    throw new WriteError(`Cannot write ${label(journal ?? '')}: ${writeFailureReason(error)}. Nothing was written.`, error)
  } finally {
    if (journal) await rm(journal, {force: true})
  }
}

/** What recoverInterruptedWrite did with a set a killed run left half written. */
export interface Recovery {
  /** finished: the rest of the set was written; undone: the files already written were put back; discarded: nothing had been replaced yet */
  outcome: 'discarded' | 'finished' | 'undone'
  /** the files of the set */
  paths: string[]
}

const sameBytes = async (path: string, old: JournalEntry['old']): Promise<boolean> => {
  if (old === undefined) return lstat(path).then(() => false, () => true)
  if ('link' in old) return readlink(path).then(l => l === old.link, () => false)
  return readFile(path).then(b => b.equals(Buffer.from(old.data, 'base64')), () => false)
}

const holdsNew = async (e: JournalEntry): Promise<boolean> => {
  if (e.sha === undefined) return lstat(e.target).then(() => false, () => true)
  return readFile(e.target).then(b => sha256(b) === e.sha, () => false)
}

/** Puts back a file as the journal says it was. */
async function putBack(e: JournalEntry): Promise<void> {
  if (e.old === undefined) {
    await rm(e.target, {force: true})
    return
  }

  if ('link' in e.old) {
    await rm(e.target, {force: true})
    await symlink(e.old.link, e.target)
    return
  }

  const tmp = tempPath(e.target)
  await writeSynced(tmp, Buffer.from(e.old.data, 'base64'), e.old.mode)
  await rename(tmp, e.target)
}

function parseJournal(text: string): Journal | undefined {
  try {
    const journal = JSON.parse(text) as Journal
    return journal.format === 'slug-diet-write-journal' && Array.isArray(journal.entries) ? journal : undefined
  } catch {
    return undefined
  }
}

/**
 * Finishes, or undoes, a set of files a killed run was writing (writeFilesAtomic with `journal`). Killed while
 * staging, nothing had changed: its temp files are removed. Killed while renaming: the rest of the set is
 * written when the files not yet replaced are as they were (the write the user confirmed completes); else,
 * when the files already replaced still hold what was written, those are put back. Either way the temp
 * files and the journal go. A set that was edited on both sides since is left as it is, with a UserError
 * saying what to check. Returns undefined when there was nothing to recover (or the writer still runs).
 */
export async function recoverInterruptedWrite(journalPath: string, label: (p: string) => string = p => p): Promise<Recovery | undefined> {
  const text = await readFile(journalPath, 'utf8').catch(() => {})
  if (text === undefined) return undefined
  const journal = parseJournal(text)
  if (journal && alive(journal.pid)) return undefined
  const entries = journal?.entries ?? []
  const paths = entries.map(e => label(e.target))
  const removeTemps = async () => {
    for (const e of entries) if (e.tmp) await rm(e.tmp, {force: true}).catch(() => {})
    await rm(journalPath, {force: true})
  }

  if (!journal || journal.state === 'staging') {
    await removeTemps()
    return journal ? {outcome: 'discarded', paths} : undefined
  }

  const pending: JournalEntry[] = []
  const done: JournalEntry[] = []
  for (const e of entries) {
    const waiting = e.tmp ? await lstat(e.tmp).then(() => true, () => false) : !(await holdsNew(e))
    if (waiting) pending.push(e)
    else done.push(e)
  }

  try {
    if ((await Promise.all(pending.map(e => sameBytes(e.target, e.old)))).every(Boolean)) {
      for (const e of pending) await (e.tmp ? rename(e.tmp, e.target) : rm(e.target, {force: true}))
      await removeTemps()
      return {outcome: 'finished', paths}
    }

    if ((await Promise.all(done.map(e => holdsNew(e)))).every(Boolean)) {
      for (const e of done) await putBack(e)
      await removeTemps()
      return {outcome: 'undone', paths}
    }
  } catch (error) {
    throw new WriteError(`An interrupted write of ${paths.join(', ')} could not be finished: ${writeFailureReason(error)}. Check them with git diff, then remove ${label(journalPath)}.`, error)
  }

  throw new WriteError(`An interrupted write of ${paths.join(', ')} cannot be finished or undone: they were edited since. Check them with git diff, then remove ${label(journalPath)}.`)
}

/**
 * The one way the plugin writes a single user's file: a temp file beside it, flushed to disk, then renamed
 * over the target. A crash or a full disk leaves the old file whole, never half-written. Its folder must
 * exist; a failure is a WriteError carrying the errno code.
 */
export async function writeFileAtomic(path: string, data: Buffer | string, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFilesAtomic([{data, mode: options.mode, path}])
}
