import type {OutsideApp, ScanResult, SlugEntry} from '../../src/lib/scan/entries.js'

/** Where the Python buildpack installs packages. */
export const SITE = '.heroku/python/lib/python3.12/site-packages'

export const HDF5_PEEK = Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(248)])

/** A zip local file header whose first entry is `name`, padded to a peek's length. */
export function zipPeek(name: string): Buffer {
  const header = Buffer.alloc(30)
  header.writeUInt32LE(0x04034b50, 0)
  header.writeUInt16LE(Buffer.byteLength(name), 26)
  return Buffer.concat([header, Buffer.from(name), Buffer.alloc(64)])
}

export function safetensorsPeek(header = '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32"}}'): Buffer {
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(header)))
  return Buffer.concat([length, Buffer.from(header)])
}

export interface FileOptions {
  /** uncompressed bytes (default: 3 x compressed) */
  size?: number
  peek?: Buffer
}

/** Files of one installed package: path (relative to its folder) -> compressed bytes. */
export type Files = Record<string, number>

/**
 * Builds a ScanResult as the scanner would return it, with exact sizes, so tests can assert exact sums.
 * Compressed shares are whole numbers here; sizes default to 3x the share.
 */
export class ScanBuilder {
  readonly entries: SlugEntry[] = []
  readonly captured: Record<string, string> = {}
  readonly outside: OutsideApp = {compressed: 0, count: 0, examples: [], size: 0}

  file(path: string, compressed: number, options: FileOptions = {}): this {
    const entry: SlugEntry = {compressed, path, size: options.size ?? compressed * 3, type: 'file'}
    if (options.peek) entry.peek = options.peek
    this.entries.push(entry)
    return this
  }

  /** A file whose text the scanner captures (RECORD, METADATA, package.json...). */
  text(path: string, text: string, compressed = 1): this {
    this.captured[path] = text
    return this.file(path, compressed, {size: Buffer.byteLength(text)})
  }

  dir(path: string): this {
    this.entries.push({compressed: 0, path, size: 0, type: 'directory'})
    return this
  }

  symlink(path: string, target: string): this {
    this.entries.push({compressed: 0, linkTarget: target, path, size: 0, type: 'symlink'})
    return this
  }

  /**
   * A wheel installed by pip: files under site-packages, its dist-info with METADATA and a RECORD listing
   * every file (plus `recordOnly` paths: RECORD lines like `../../../bin/x` whose files are added separately).
   */
  dist(
    project: string,
    version: string,
    files: Files,
    options: {site?: string; record?: boolean; recordOnly?: string[]; topLevel?: string[]; requires?: string[]} = {},
  ): this {
    const site = options.site ?? SITE
    const distInfo = `${project.replaceAll('-', '_')}-${version}.dist-info`
    for (const [rel, compressed] of Object.entries(files)) this.file(`${site}/${rel}`, compressed)
    const requires = (options.requires ?? []).map(r => `Requires-Dist: ${r}\n`).join('')
    this.text(`${site}/${distInfo}/METADATA`, `Metadata-Version: 2.1\nName: ${project}\nVersion: ${version}\n${requires}\nLong description.\n`)
    if (options.topLevel) this.text(`${site}/${distInfo}/top_level.txt`, `${options.topLevel.join('\n')}\n`)
    if (options.record !== false) {
      const lines = [
        ...Object.keys(files).map(rel => `${rel},sha256=x,${files[rel] * 3}`),
        ...(options.recordOnly ?? []).map(rel => `${rel},sha256=x,1`),
        `${distInfo}/METADATA,sha256=x,10`,
        ...(options.topLevel ? [`${distInfo}/top_level.txt,sha256=x,10`] : []),
        `${distInfo}/RECORD,,`,
      ]
      this.text(`${site}/${distInfo}/RECORD`, `${lines.join('\n')}\n`)
    }

    return this
  }

  /** A node_modules package (location like `node_modules/@scope/x`) with its package.json. */
  node(location: string, name: string, version: string, files: Files): this {
    this.text(`${location}/package.json`, JSON.stringify({name, version}))
    for (const [rel, compressed] of Object.entries(files)) this.file(`${location}/${rel}`, compressed)
    return this
  }

  outsideEntry(rawPath: string, size: number, compressed: number): this {
    this.outside.count++
    this.outside.size += size
    this.outside.compressed += compressed
    this.outside.examples.push(rawPath)
    return this
  }

  build(): ScanResult {
    let compressed = 0
    let uncompressed = 0
    let files = 0
    for (const e of this.entries) {
      compressed += e.compressed
      if (e.type !== 'file') continue
      uncompressed += e.size
      files++
    }

    return {
      captured: this.captured,
      compressedSize: compressed + this.outside.compressed,
      entries: this.entries,
      fileCount: files,
      outside: this.outside,
      sha256: '0'.repeat(64),
      uncompressedSize: uncompressed,
    }
  }
}
