import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

export const HDF5 = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

/** A file that starts like a Keras HDF5 model, `size` bytes long. */
export function hdf5(size: number): Buffer {
  return Buffer.concat([HDF5, randomBytes(size - HDF5.length)])
}

/** A git repo holding `files`, committed; `untracked` files are written but not added. */
export function makeRepo(files: Record<string, Buffer | string>, untracked: Record<string, Buffer | string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'offload-unit-'))
  const write = (entries: Record<string, Buffer | string>) => {
    for (const [path, content] of Object.entries(entries)) {
      mkdirSync(dirname(join(dir, path)), {recursive: true})
      writeFileSync(join(dir, path), content)
    }
  }

  write(files)
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {stdio: 'ignore'})
  git('init', '-q')
  git('add', '.')
  git('commit', '-q', '-m', 'fixture')
  write(untracked)
  return dir
}
