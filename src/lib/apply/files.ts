import {lstat} from 'node:fs/promises'
import {join, relative, resolve} from 'node:path'

import {recoverInterruptedWrite, writeFailureReason, writeFilesAtomic} from '../shared/atomic-write.js'
import {UserError} from '../shared/errors.js'
import {readRegularFile} from '../shared/read-file.js'
import type {FileChange} from '../plan/diet/diet.js'

/** Where a write of the plan's files notes its progress, so that a run killed in the middle is finished by the next. */
export const JOURNAL = '.slug-diet-journal.json'

/**
 * Finishes (or undoes) a write of the plan's files that a killed run left half done, before the repo is read
 * again; a line saying what was done, or undefined when there was nothing to do.
 */
export async function recoverInterruptedApply(root: string): Promise<string | undefined> {
  const label = (p: string) => relative(root, p) || p
  const recovery = await recoverInterruptedWrite(join(root, JOURNAL), label)
  if (!recovery) return undefined
  const files = recovery.paths.join(', ')
  switch (recovery.outcome) {
  case 'discarded': {
    return `An earlier slug:diet was stopped before it wrote ${files}: its temp files were removed.`
  }

  case 'finished': {
    return `An earlier slug:diet was stopped while writing ${files}: the write was finished. Review with git diff.`
  }

  case 'undone': {
    return `An earlier slug:diet was stopped while writing ${files}, edited since: the files it had written were put back. Review with git diff.`
  }
  }
}

async function currentText(path: string, name: string): Promise<string | undefined> {
  let bytes: Buffer
  try {
    bytes = await readRegularFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UserError(`Cannot read ${name}: ${writeFailureReason(error)}. Nothing was written.`)
  }

  // The plan edits text: bytes that are not UTF-8 would come back as U+FFFD, losing the user's characters.
  const text = bytes.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new UserError(`${name} is not UTF-8 text: slug:diet does not rewrite it, as that would change bytes it does not mean to; save it as UTF-8 and run again. Nothing was written.`)
  }

  return text
}

/** A binary file written with the plan's text files (a converted model): `absent` when it must not exist yet. */
export interface BinaryWrite {
  path: string
  data: Buffer
  expect: 'absent' | 'any'
}

/**
 * Writes the plan's files under `root`, all or nothing (shared/atomic-write.ts: staged, then renamed, put
 * back on a failure). Every file is first checked to be as it was when the plan was made: if one changed
 * in between, nothing is written (an edit is never overwritten). A file whose change is `after: undefined`
 * is removed. Binary files (converted models) go in the same set.
 */
export async function applyChanges(root: string, changes: FileChange[], {binaries = [], command = 'slug:diet'}: {binaries?: BinaryWrite[]; command?: string} = {}): Promise<string[]> {
  for (const c of changes) {
    if ((await currentText(resolve(root, c.path), c.path)) !== c.before) {
      throw new UserError(`${c.path} changed while ${command} was planning: nothing was written. Run ${command} again.`)
    }
  }

  for (const b of binaries) {
    if (b.expect === 'absent' && await lstat(resolve(root, b.path)).then(() => true, () => false)) {
      throw new UserError(`${b.path} appeared while the plan was made: nothing was written. Run again.`)
    }
  }

  const names = new Map([...changes, ...binaries].map(c => [resolve(root, c.path), c.path]))
  await writeFilesAtomic(
    [
      ...binaries.map(b => ({createDirs: true, data: b.data, path: resolve(root, b.path)})),
      ...changes.map(c => ({createDirs: true, data: c.after, executable: c.executable, mode: c.mode, path: resolve(root, c.path)})),
    ],
    {journal: join(root, JOURNAL), label: p => names.get(p) ?? p, within: root},
  )
  return [...binaries.map(b => b.path), ...changes.map(c => c.path)]
}
