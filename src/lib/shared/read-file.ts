import {constants} from 'node:fs'
import {open} from 'node:fs/promises'

import {formatBytes} from './bytes.js'
import {UserError} from './errors.js'

/** The bound for a user's text file the plugin reads whole (requirements, lock files, manifests, code it searches). */
export const MAX_TEXT_FILE_BYTES = 32 * 1024 * 1024

/**
 * A file that is not a regular file (a FIFO, a device such as /dev/zero, a socket), or is larger than the
 * bound: a one-line reason, with a code (`ENOTREG`, `EFBIG`) for callers that treat it as a miss.
 */
export class FileReadError extends UserError {
  constructor(readonly code: 'EFBIG' | 'ENOTREG', message: string) {
    super(message)
    this.name = 'FileReadError'
  }
}

function kindOf(info: {isBlockDevice(): boolean; isCharacterDevice(): boolean; isFIFO(): boolean; isSocket(): boolean}): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device'
  if (info.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * The bytes of a regular file of at most `maxBytes`. Opened without blocking (a FIFO in its place does not
 * wait for a writer), then checked on the open descriptor (no race with a file swapped in between): a FIFO,
 * a device (a link to /dev/zero), a socket or a directory is a FileReadError ENOTREG, a larger file a
 * FileReadError EFBIG, and a file that grows while it is read stops at the bound too. Errors of open()
 * (ENOENT, EACCES...) are passed on as they are.
 */
export async function readRegularFile(path: string, maxBytes: number = MAX_TEXT_FILE_BYTES): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const info = await handle.stat()
    if (info.isDirectory()) throw new FileReadError('ENOTREG', 'it is a directory')
    if (!info.isFile()) throw new FileReadError('ENOTREG', `it is ${kindOf(info)}, not a regular file`)
    const tooLarge = () => new FileReadError('EFBIG', `it is larger than ${formatBytes(maxBytes)}, more than a file of its kind holds`)
    if (info.size > maxBytes) throw tooLarge()
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const buffer = Buffer.alloc(Math.min(Math.max(info.size - total, 64 * 1024), maxBytes + 1 - total))

      const {bytesRead} = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      total += bytesRead
      if (total > maxBytes) throw tooLarge()
      chunks.push(buffer.subarray(0, bytesRead))
    }

    return Buffer.concat(chunks, total)
  } finally {
    await handle.close()
  }
}

/** readRegularFile as UTF-8 text. */
export async function readRegularText(path: string, maxBytes: number = MAX_TEXT_FILE_BYTES): Promise<string> {
  return (await readRegularFile(path, maxBytes)).toString('utf8')
}
