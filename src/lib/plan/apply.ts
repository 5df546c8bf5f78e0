import {chmod, mkdir, readFile, stat} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'

import {writeFileAtomic} from '../util/atomic-write.js'
import {UserError} from '../util/errors.js'
import type {FileChange} from './diet.js'

async function currentText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  }
}

/**
 * Writes the plan's files under `root`, each atomically. Every file is first checked to be as it was when
 * the plan was made: if one changed in between, nothing is written (an edit is never overwritten).
 */
export async function applyChanges(root: string, changes: FileChange[]): Promise<string[]> {
  for (const c of changes) {
    if ((await currentText(resolve(root, c.path))) !== c.before) {
      throw new UserError(`${c.path} changed while slug:diet was planning: nothing was written. Run slug:diet again.`)
    }
  }

  const written: string[] = []
  for (const c of changes) {
    const path = resolve(root, c.path)
    await mkdir(dirname(path), {recursive: true})
    await writeFileAtomic(path, c.after, {mode: c.mode})
    if (c.executable) {
      // An existing hook keeps its mode through the atomic write; the buildpack runs it, so it must be executable.
      const {mode} = await stat(path)
      if ((mode & 0o111) !== 0o111) await chmod(path, (mode & 0o7777) | 0o111)
    }

    written.push(c.path)
  }

  return written
}
