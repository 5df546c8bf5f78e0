import {chmod, open, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

export interface AtomicWriteOptions {
  /** file mode for a new file; an existing file keeps its own mode */
  mode?: number
}

/**
 * The one way the plugin writes a user's file: write a temp file beside it, flush it to disk, then
 * rename it over the target. A crash or a full disk leaves the old file whole, never half-written.
 */
export async function writeFileAtomic(path: string, data: Buffer | string, options: AtomicWriteOptions = {}): Promise<void> {
  let {mode} = options
  try {
    mode = (await stat(path)).mode & 0o7777
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  const handle = await open(tmp, 'wx', mode ?? 0o644)
  try {
    await handle.writeFile(data)
    await handle.sync()
    await handle.close()
    // open() applies the umask; the mode the file must keep is set explicitly.
    if (mode !== undefined) await chmod(tmp, mode)
    await rename(tmp, path)
  } catch (error) {
    await handle.close().catch(() => {})
    await rm(tmp, {force: true})
    throw error
  }
}
