import {createHash, randomBytes} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, open, readdir, rename, rm, stat, utimes} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGzip} from 'node:zlib'

import type {ScanResult} from '../entries.js'
import {parseSize} from '../../shared/bytes.js'
import {UserError} from '../../shared/errors.js'
import {FileReadError, readRegularFile} from '../../shared/read-file.js'
import {CACHE_GZIP_LEVEL, decodeScan, type ScanFeatures, scanJsonPieces} from './format.js'

/** Past this much, the least recently used entries go: a cache entry is ~1% of its slug, so ~100 slugs fit. */
export const DEFAULT_CACHE_BYTES = 1e9
export const CACHE_SIZE_ENV = 'HEROKU_SLUG_DIET_CACHE_SIZE'

const ENTRY_SUFFIX = '.scan'
const TEMP_SUFFIX = '.tmp'
/** A temp file this old belongs to a process that died mid-write: no live write takes an hour. */
const STALE_TEMP_MS = 60 * 60 * 1000

/** The cache's size limit from the environment (e.g. "500MB"; "0" turns the cache off). */
export function cacheLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[CACHE_SIZE_ENV]
  if (text === undefined || text.trim() === '') return DEFAULT_CACHE_BYTES
  const bytes = parseSize(text)
  if (bytes === undefined) throw new UserError(`${CACHE_SIZE_ENV}=${text} is not a size: use e.g. 500MB, 2GB, or 0 to turn the scan cache off.`)
  return bytes
}

/** The key of an app's slug: its id and the checksum Heroku recorded, so a slug is never confused with another. */
export function appSlugKey(slugId: string, checksum: string): string {
  return `slug:${slugId}:${checksum.toLowerCase()}`
}

const EDGE_BYTES = 1024 * 1024

/**
 * The key of a local slug file: where it is, its size and mtime, and a hash of its first and last MiB, so a
 * file rewritten in place (even at the same size and within the same mtime tick) is a different key.
 */
export async function localFileKey(path: string): Promise<string> {
  const absolute = resolve(path)
  const handle = await open(absolute, 'r')
  try {
    const info = await handle.stat()
    const hash = createHash('sha256')
    const head = Buffer.alloc(Math.min(EDGE_BYTES, info.size))
    await handle.read(head, 0, head.length, 0)
    hash.update(head)
    if (info.size > EDGE_BYTES) {
      const tail = Buffer.alloc(Math.min(EDGE_BYTES, info.size - EDGE_BYTES))
      await handle.read(tail, 0, tail.length, info.size - tail.length)
      hash.update(tail)
    }

    return `file:${absolute}:${info.size}:${info.mtimeMs}:${hash.digest('hex')}`
  } finally {
    await handle.close()
  }
}

interface CacheFile {
  mtimeMs: number
  name: string
  size: number
}

/**
 * Scan results on disk, so the second command on a slug does not download it again. The cache is an
 * optimisation only: every failure to read or write it is a miss, never an error the user sees.
 */
export class ScanCache {
  constructor(readonly dir: string, readonly maxBytes: number = DEFAULT_CACHE_BYTES) {}

  get enabled(): boolean {
    return this.maxBytes > 0
  }

  /** The cached scan for `key` that kept at least what `need` asks for; undefined on a miss. */
  async get(key: string, need: Partial<ScanFeatures> = {}): Promise<ScanResult | undefined> {
    if (!this.enabled) return undefined
    const path = this.pathOf(key)
    let bytes: Buffer
    try {
      // A regular file within the cache's own limit: an entry replaced by a FIFO or a link to /dev/zero is a miss.
      bytes = await readRegularFile(path, this.maxBytes)
    } catch (error) {
      if (error instanceof FileReadError) await rm(path, {force: true}).catch(() => {})
      return undefined
    }

    const decoded = decodeScan(key, bytes)
    if (!decoded) {
      // Corrupt, partial or of an older version: drop it so the next scan writes it anew.
      await rm(path, {force: true}).catch(() => {})
      return undefined
    }

    if (need.contentHashes && !decoded.features.contentHashes) return undefined
    // Least recently *used*: a hit counts as a use.
    const now = new Date()
    await utimes(path, now, now).catch(() => {})
    return decoded.scan
  }

  /** Stores a scan atomically (a reader sees the old entry or the new one, never part of one), then trims the cache. */
  async put(key: string, scan: ScanResult, features: ScanFeatures): Promise<void> {
    if (!this.enabled) return
    try {
      await mkdir(this.dir, {recursive: true})
      const path = this.pathOf(key)
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`
      try {
        // Gzipped as the text is made, piece by piece, on zlib's own thread: never the whole text in memory.
        // `flush` syncs the file before it is closed, so the rename never publishes a file still in the page cache only.
        const file = createWriteStream(tmp, {flags: 'wx', flush: true, mode: 0o600})
        await pipeline(Readable.from(scanJsonPieces(key, scan, features)), createGzip({level: CACHE_GZIP_LEVEL}), file)
        if ((await stat(tmp)).size > this.maxBytes) {
          await rm(tmp, {force: true})
          return
        }

        await rename(tmp, path)
      } catch (error) {
        await rm(tmp, {force: true}).catch(() => {})
        throw error
      }

      await this.trim()
    } catch {
      // A full disk or an unwritable cache directory costs the next run a download, nothing more.
    }
  }

  /** Removes least recently used entries until the cache is within its limit, and temp files left by dead processes. */
  async trim(): Promise<void> {
    const files = await this.list()
    const now = Date.now()
    for (const f of files.filter(f => f.name.endsWith(TEMP_SUFFIX) && now - f.mtimeMs > STALE_TEMP_MS)) {
      await rm(join(this.dir, f.name), {force: true}).catch(() => {})
    }

    const entries = files.filter(f => f.name.endsWith(ENTRY_SUFFIX)).sort((a, b) => a.mtimeMs - b.mtimeMs)
    let total = entries.reduce((sum, f) => sum + f.size, 0)
    for (const f of entries) {
      if (total <= this.maxBytes) break
      await rm(join(this.dir, f.name), {force: true}).catch(() => {})
      total -= f.size
    }
  }

  private async list(): Promise<CacheFile[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch {
      return []
    }

    const files: CacheFile[] = []
    for (const name of names) {
      if (!name.endsWith(ENTRY_SUFFIX) && !name.endsWith(TEMP_SUFFIX)) continue
      try {
        const info = await stat(join(this.dir, name))
        if (info.isFile()) files.push({mtimeMs: info.mtimeMs, name, size: info.size})
      } catch {
        // Removed by another process in between.
      }
    }

    return files
  }

  private pathOf(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}${ENTRY_SUFFIX}`)
  }
}
