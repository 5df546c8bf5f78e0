import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'

import {UserError} from '../shared/errors.js'
import {type ScanSinkOptions, scanSlugFile} from './slug-reader.js'
import {SlugScanner} from '../scan/scanner.js'
import type {ScanResult} from '../scan/entries.js'

/** Bytes per read from a pipe: large reads keep the inflater busy, as for files. */
const STREAM_READ_BYTES = 1024 * 1024

export type Stdin = AsyncIterable<Buffer | string> & {isTTY?: boolean}

/**
 * Whether `path` is read as a stream: `-` (stdin), a FIFO (`--file <(heroku slugs:download ...)` hands the
 * command /dev/fd/63) or a character device. The scanner is one pass, so no seek is needed.
 */
export async function isStreamPath(path: string): Promise<boolean> {
  if (path === '-') return true
  const info = await stat(path).catch(() => {})
  return info !== undefined && (info.isFIFO() || info.isCharacterDevice())
}

/** The name a report gives a slug read from `path`. */
export function slugPathName(path: string): string {
  return path === '-' ? 'stdin' : path
}

/** Scans a slug's bytes from a stream, in one pass. */
export async function scanSlugStream(stream: AsyncIterable<Buffer | string>, name: string, options: ScanSinkOptions = {}): Promise<ScanResult> {
  const scanner = new SlugScanner(options.scan)
  // eslint-disable-next-line unicorn/no-useless-undefined -- the total is unknown: that is what undefined says here
  options.progress?.start(undefined)
  try {
    for await (const chunk of stream) {
      scanner.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)
      options.progress?.update(scanner.bytesRead)
    }
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`Cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  } finally {
    options.progress?.stop()
  }

  return scanner.end()
}

/**
 * `--file PATH`: a slug file, or a stream (stdin for `-`, a FIFO). A stream is read once: `--save` would need
 * a second copy of it, which `tee` makes better.
 */
export async function scanSlugPath(path: string, options: ScanSinkOptions = {}, stdin: Stdin = process.stdin): Promise<ScanResult> {
  if (!(await isStreamPath(path))) return scanSlugFile(path, options)
  const name = slugPathName(path)
  if (options.savePath) throw new UserError(`--save keeps a downloaded slug; ${name} is a stream: save it with tee instead (... | tee slug.tgz | heroku slug:inspect --file -).`)
  if (path === '-') {
    if (stdin.isTTY) throw new UserError('--file - reads a slug from stdin: pipe one in (e.g. heroku slugs:download ... or cat slug.tgz |).')
    return scanSlugStream(stdin, name, options)
  }

  return scanSlugStream(createReadStream(path, {highWaterMark: STREAM_READ_BYTES}), name, options)
}
