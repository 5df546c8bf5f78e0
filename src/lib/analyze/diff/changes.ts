import type {Ecosystem} from '../rows.js'
import type {ReportSource} from '../report.js'

/** A number on both sides of a diff, and after minus before. */
export interface Delta {
  before: number
  after: number
  delta: number
}

/** Bytes of one row on both sides: uncompressed, and its share of the compressed slug (what the limit counts). */
export interface ChangeSizes {
  size: Delta
  compressed: Delta
}

/**
 * How a file changed. Grew and shrank compare uncompressed sizes (exact); `modified` is the same size
 * with different first bytes. A file with the same size and first bytes counts as unchanged: its
 * compressed share can still move a little with its neighbours in the gzip stream.
 */
export type FileChangeKind = 'added' | 'grew' | 'modified' | 'removed' | 'shrank'

export interface FileChange extends ChangeSizes {
  path: string
  change: FileChangeKind
}

/** A file that left one path and appeared at another with the same name, size and first bytes. */
export interface MovedFile {
  from: string
  to: string
  size: number
  compressed: Delta
}

export type FolderChangeKind = 'added' | 'grew' | 'modified' | 'removed' | 'shrank'

/** A folder and everything beneath it (like `du -d DEPTH`): a parent's row includes its children's. */
export interface FolderChange extends ChangeSizes {
  path: string
  change: FolderChangeKind
  files: Delta
}

export type PackageChangeKind = 'added' | 'downgraded' | 'grew' | 'modified' | 'removed' | 'shrank' | 'upgraded'

export interface PackageChange extends ChangeSizes {
  ecosystem: Ecosystem
  name: string
  change: PackageChangeKind
  versionBefore?: string
  versionAfter?: string
  files: Delta
}

/** Where a compressed size stands against Heroku's limits. */
export type LimitLevel = 'ok' | 'over-limit' | 'over-warning'

/** One side of the diff: where the slug came from, and its sha256. */
export interface DiffSource extends ReportSource {
  sha256: string
}

export interface DiffTotals {
  /** compressed slug bytes, what the limit counts */
  compressed: Delta
  uncompressed: Delta
  files: Delta
  limit: number
  warning: number
  level: {before: LimitLevel; after: LimitLevel}
}

/** How many rows changed in all, before `top` cut the tables. */
export interface DiffCounts {
  files: Record<FileChangeKind, number>
  moved: number
  folders: number
  packages: number
}

/** What `slug:diff` knows: the terminal view and --json render this one object. */
export interface SlugDiff {
  from: DiffSource
  to: DiffSource
  /** same sha256: byte-for-byte the same slug */
  identical: boolean
  totals: DiffTotals
  counts: DiffCounts
  /** biggest change first (absolute compressed delta), at most `top` rows each */
  files: FileChange[]
  folders: FolderChange[]
  packages: PackageChange[]
  moved: MovedFile[]
  depth: number
  top: number
}
