import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

/** Writes `files` (paths relative to `dir`, folders made as needed). */
export function writeFiles(dir: string, files: Record<string, Buffer | string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }
}

/** A new git repository in a temp folder holding `files`, committed; `untracked` files are written after the commit. */
export function committedRepo(files: Record<string, Buffer | string>, options: {prefix?: string; untracked?: Record<string, Buffer | string>} = {}): string {
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? 'repo-'))
  writeFiles(dir, files)
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], {stdio: 'ignore'})
  git('init', '-q')
  git('add', '.')
  git('commit', '-q', '-m', 'fixture')
  writeFiles(dir, options.untracked ?? {})
  return dir
}
