import {open} from 'node:fs/promises'

import {MAX_BUILD_LOG_BYTES} from '../heroku/builds.js'
import {formatBytes} from '../util/bytes.js'
import {UserError} from '../util/errors.js'
import {parseBuildLog} from './parse.js'
import type {ParsedBuildLog} from './types.js'

/** Reads all of a stream, refusing more than `maxBytes`. */
async function readAll(stream: AsyncIterable<Buffer | string>, name: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    length += buf.length
    if (length > maxBytes) throw new UserError(`${name} is larger than ${formatBytes(maxBytes)}: that is not a build log.`)
    chunks.push(buf)
  }

  return Buffer.concat(chunks)
}

/**
 * The text of a saved build log: a file, or `-` for stdin. A file with NUL bytes is binary (a slug
 * .tgz given to the wrong flag, say) and is refused rather than parsed into nonsense.
 */
export async function readBuildLogText(
  path: string,
  stdin: AsyncIterable<Buffer | string> & {isTTY?: boolean} = process.stdin,
  maxBytes = MAX_BUILD_LOG_BYTES,
): Promise<{name: string; text: string}> {
  const name = path === '-' ? 'stdin' : path
  let bytes: Buffer
  if (path === '-') {
    if (stdin.isTTY) throw new UserError('--log - reads a build log from stdin: pipe one in (e.g. git push heroku main 2>&1 | tee push.log).')
    bytes = await readAll(stdin, name, maxBytes)
  } else {
    let handle
    try {
      handle = await open(path, 'r')
      const info = await handle.stat()
      if (!info.isFile()) throw new UserError(`${path} is not a file.`)
      bytes = await readAll(handle.createReadStream({autoClose: false}), name, maxBytes)
    } catch (error) {
      if (error instanceof UserError) throw error
      throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
    } finally {
      await handle?.close()
    }
  }

  if (bytes.includes(0)) {
    throw new UserError(`${name} is not a text build log (it has NUL bytes). For a slug .tgz use --file instead.`)
  }

  return {name, text: bytes.toString('utf8')}
}

/** Parses a log and refuses one with nothing a pip or buildpack build would print. */
export function parseBuildLogOrThrow(text: string, name: string): ParsedBuildLog {
  const log = parseBuildLog(text)
  if (log.recognisedLines === 0) {
    throw new UserError(`No pip or buildpack lines found in ${name}: is it the output of a Heroku build (git push heroku main, or heroku builds:output)?`)
  }

  return log
}
