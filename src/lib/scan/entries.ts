export type EntryType = 'directory' | 'file' | 'hardlink' | 'other' | 'symlink'

/** One tar entry of a slug, as the scanner saw it. Paths are relative to /app (the `./app/` prefix stripped). */
export interface SlugEntry {
  path: string
  type: EntryType
  /** uncompressed bytes */
  size: number
  /** this entry's share of the gzip stream's bytes: what the 500 MB limit counts */
  compressed: number
  linkTarget?: string
  /** the first bytes of a file that could be a model, to recognise its format by content */
  peek?: Buffer
  /** CRC-32 of the file's contents, when the scan was asked for them (ScanOptions.contentHashes) */
  crc32?: number
}

export interface OutsideApp {
  /** entries whose path is not under ./app/: Heroku ignores them when it unpacks a slug */
  count: number
  size: number
  compressed: number
  examples: string[]
}

export interface ScanResult {
  entries: SlugEntry[]
  /** whole text of small files worth reading (dist-info RECORD and METADATA, package.json, Procfile...), by path */
  captured: Record<string, string>
  outside: OutsideApp
  /** the entries of `outside` whose names climb out of ./app with `..` (e.g. ./app/../../etc/passwd) */
  escaping?: {count: number; examples: string[]}
  /** bytes of the gzip stream (the slug's size as Heroku counts it) */
  compressedSize: number
  /** sum of the sizes of all files under ./app/ */
  uncompressedSize: number
  fileCount: number
  /** hex sha256 of the compressed bytes */
  sha256: string
}
