import {open} from 'node:fs/promises'

import {MAX_BUILD_LOG_BYTES} from '../heroku/builds.js'
import {formatBytes} from '../shared/bytes.js'
import {UserError} from '../shared/errors.js'

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
 * Text from a log's bytes by their byte-order mark: UTF-16 (PowerShell's `>` writes UTF-16LE with a BOM),
 * UTF-8 with or without one. Undefined for bytes that are not text: NUL bytes in a log without a UTF-16 BOM
 * mean a binary file (a slug .tgz given to the wrong flag, say).
 */
export function decodeLogBytes(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xFF && bytes[1] === 0xFE) return bytes.toString('utf16le', 2)
  if (bytes[0] === 0xFE && bytes[1] === 0xFF) {
    // Node has no UTF-16BE decoder: swap each pair of bytes (an odd last byte is dropped, as a decoder would).
    const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)))
    return swapped.swap16().toString('utf16le')
  }

  if (bytes.includes(0)) return undefined
  const bom = bytes[0] === 0xEF && bytes[1] === 0xBB && bytes[2] === 0xBF ? 3 : 0
  return bytes.toString('utf8', bom)
}

/**
 * The text of a saved build log: a file, a FIFO (`--log <(heroku builds:output ...)`), or `-` for stdin.
 * Binary input (see decodeLogBytes) is refused rather than parsed into nonsense.
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
      // A FIFO or a character device (process substitution, /dev/stdin) is read once, front to back.
      if (!info.isFile() && !info.isFIFO() && !info.isCharacterDevice()) throw new UserError(`${path} is not a file.`)
      bytes = await readAll(handle.createReadStream({autoClose: false}), name, maxBytes)
    } catch (error) {
      if (error instanceof UserError) throw error
      throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
    } finally {
      await handle?.close()
    }
  }

  const text = decodeLogBytes(bytes)
  if (text === undefined) {
    throw new UserError(`${name} is not a text build log (it has NUL bytes). For a slug .tgz use --file instead.`)
  }

  return {name, text}
}
