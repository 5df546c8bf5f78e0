import {randomBytes} from 'node:crypto'

import {committedRepo} from '../../../../helpers/git-repo.js'

export const HDF5 = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

/** A file that starts like a Keras HDF5 model, `size` bytes long. */
export function hdf5(size: number): Buffer {
  return Buffer.concat([HDF5, randomBytes(size - HDF5.length)])
}

/** A git repo holding `files`, committed; `untracked` files are written but not added. */
export function makeRepo(files: Record<string, Buffer | string>, untracked: Record<string, Buffer | string> = {}): string {
  return committedRepo(files, {prefix: 'offload-unit-', untracked})
}
