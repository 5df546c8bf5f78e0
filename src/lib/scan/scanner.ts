import {createHash, type Hash} from 'node:crypto'
import {crc32} from 'node:zlib'

import {mayBeModelByContent} from '../knowledge/model-formats.js'

import {UserError} from '../shared/errors.js'
import {Inflater} from './inflater.js'
import {type TarHeader, TarReader} from './tar-reader.js'
import type {ScanResult, SlugEntry} from './entries.js'

/**
 * Compressed bytes are fed to the inflater in pieces of this size, and each piece's bytes are split
 * across the entries whose contents it produced. Smaller pieces attribute more precisely; 16 KiB keeps
 * the error under 0.6% for files of 1 MiB and more at no measurable cost (see README, "Precision").
 */
export const PIECE_BYTES = 16 * 1024
/** How much of each file's start is kept to recognise its format by content. */
export const PEEK_BYTES = 256
/** Files smaller than this get no peek: they cannot matter to the slug's size. */
export const PEEK_MIN_SIZE = 1024

/**
 * Whether a file's first bytes are kept. Only files that could be a model need them, and most of a
 * slug is source, headers and shared libraries: keeping a peek of each cost ~280 bytes per file
 * (7 MB of a 26,000-file slug) for nothing.
 */
export function wantsPeek(path: string, size: number): boolean {
  return size >= PEEK_MIN_SIZE && mayBeModelByContent(path)
}

/** Captured text files larger than this are skipped (a RECORD of TensorFlow is ~3 MB); a repo's report reads files by the same rule. */
export const CAPTURE_MAX_BYTES = 8 * 1024 * 1024

/** Files whose whole text the analysis reads: package metadata and the app's build inputs. */
export function isCapturedPath(path: string): boolean {
  return (
    /\.dist-info\/(?:RECORD|METADATA|top_level\.txt)$/.test(path)
    || /\.egg-info\/(?:PKG-INFO|SOURCES\.txt|top_level\.txt)$/.test(path)
    || /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path)
    // npm's hidden lock file: which installed packages only devDependencies need (`dev: true`)
    || path === 'node_modules/.package-lock.json'
    || /(?:^|\/)vendor\/bundle\/ruby\/[^/]+\/specifications\/[^/]+\.gemspec$/.test(path)
    || /^(?:Procfile|requirements\.txt|runtime\.txt|\.python-version|app\.json|package\.json|Pipfile|pyproject\.toml|\.slugignore)$/.test(path)
  )
}

export interface ScanOptions {
  /** which files to keep whole (default: isCapturedPath) */
  capture?: (path: string) => boolean
  /** keep a CRC-32 of every file's contents: slug:diff tells a rewritten file of the same size by it */
  contentHashes?: boolean
}

/** Where a tar entry lands: its path under /app ('' for ./app itself), or outside; `climbs` when `..` took it out. */
interface Placement {
  path?: string
  climbs: boolean
}

/**
 * A tar name resolved as an unpacking tar would place it: empty, `.` and `..` segments resolved, a leading `/`
 * dropped. `./app/a/../b` is `b`; `./app/../../etc/evil` is outside ./app and `climbs`: no slug Heroku built has
 * such a name, and counting it as an app file put `..` folders in the rollup.
 */
function placeEntry(raw: string): Placement {
  const segments: string[] = []
  let dotDot = false
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      dotDot = true
      segments.pop()
    } else {
      segments.push(segment)
    }
  }

  // GNU tar writes the root itself as `./` first (the slug compiler's --xform leaves it alone): like ./app, no entry.
  if (segments.length === 0 && !dotDot) return {climbs: false, path: ''}
  if (segments[0] !== 'app') return {climbs: dotDot}
  return {climbs: false, path: segments.slice(1).join('/')}
}

/** Whether a name below ./app is a non-empty path with no empty, `.` or `..` segment: one placeEntry would keep as it is. */
function isPlainPath(rest: string): boolean {
  if (rest === '' || rest === '.' || rest === '..' || rest.startsWith('/') || rest.startsWith('./') || rest.startsWith('../')) return false
  if (rest.endsWith('/') || rest.endsWith('/.') || rest.endsWith('/..')) return false
  return !rest.includes('//') && !rest.includes('/./') && !rest.includes('/../')
}

/** Where Heroku's slug compiler puts the app in a slug's tar names. */
const APP_PREFIX = './app/'

const GZIP_MAGIC = [0x1f, 0x8b]
const SQUASHFS_MAGIC = 'hsqs'
const SQUASHFS_MESSAGE = 'This slug is a squashfs image (an old Cedar-era slug format), not a gzip tarball: it cannot be inspected. Rebuild the app (git push or `heroku builds:create`) to get a current slug.'

/**
 * One streaming pass over a slug's compressed bytes: push chunks in with `write`, call `end` for the
 * result. Nothing is extracted and nothing is kept but the entry list, small peeks and captured text.
 * Memory stays flat whatever the slug's size.
 */
export class SlugScanner {
  private readonly hash: Hash = createHash('sha256')
  private readonly gunzip: Inflater
  private readonly tar: TarReader
  private readonly capture: (path: string) => boolean
  private readonly contentHashes: boolean
  private readonly entries: SlugEntry[] = []
  private readonly captured: Record<string, string> = {}
  private readonly outside = {count: 0, size: 0, compressed: 0, examples: [] as string[]}
  private readonly escaping = {count: 0, examples: [] as string[]}
  private compressedSize = 0
  private checkedMagic = false
  private error?: Error
  private current?: SlugEntry
  private currentOutside = false
  // Sized up front from the tar header and filled in place: no per-chunk copies, no concatenation.
  private captureBuffer?: Buffer
  private captureFill = 0
  private peekBuffer?: Buffer
  private peekFill = 0
  private crc?: number
  // Entries that received content bytes while the current compressed piece was being inflated.
  private readonly touched: SlugEntry[] = []
  private readonly touchedBytes: number[] = []
  private pieceDataBytes = 0
  /** compressed bytes whose inflated output was only headers or padding: given to the next content */
  private carry = 0
  /** compressed bytes of the current piece so far, and those of them inflated before the tar's end */
  private pieceFill = 0
  private pieceCounted = 0
  private readonly outsideSink: SlugEntry = {path: '', type: 'file', size: 0, compressed: 0}

  constructor(options: ScanOptions = {}) {
    this.capture = options.capture ?? isCapturedPath
    this.contentHashes = options.contentHashes ?? false
    this.tar = new TarReader({
      data: (chunk, start, end) => this.onData(chunk, start, end),
      entry: header => this.onEntry(header),
    }, {stripPrefix: APP_PREFIX})
    this.gunzip = new Inflater(out => {
      if (!this.tar.finished) this.tar.write(out)
    })
  }

  get bytesRead(): number {
    return this.compressedSize
  }

  write(chunk: Buffer): void {
    if (chunk.length === 0) return
    if (!this.checkedMagic) this.checkMagic(chunk)
    this.hash.update(chunk)
    this.compressedSize += chunk.length
    // Pieces end at fixed offsets of the whole stream, not of this chunk: a download's chunks end
    // anywhere, and the shares must be the same for the same bytes however they arrived.
    for (let i = 0; i < chunk.length;) {
      const take = Math.min(PIECE_BYTES - this.pieceFill, chunk.length - i)
      this.inflate(chunk.subarray(i, i + take))
      i += take
      this.pieceFill += take
      if (this.pieceFill === PIECE_BYTES) {
        this.settlePiece(this.pieceCounted)
        this.pieceFill = 0
        this.pieceCounted = 0
      }
    }
  }

  end(): ScanResult {
    if (this.compressedSize === 0) throw new UserError('The slug is empty (0 bytes).')
    if (!this.error) {
      try {
        this.gunzip.end()
      } catch (error) {
        this.error ??= error as Error
      }
    }

    this.settlePiece(this.pieceCounted)
    if (this.error) throw gzipError(this.error)
    this.tar.end()
    this.finishEntry()

    let uncompressedSize = 0
    let fileCount = 0
    for (const e of this.entries) {
      if (e.type === 'file') {
        uncompressedSize += e.size
        fileCount++
      }
    }

    return {
      captured: this.captured,
      compressedSize: this.compressedSize,
      entries: this.entries,
      escaping: this.escaping,
      fileCount,
      outside: this.outside,
      sha256: this.hash.digest('hex'),
      uncompressedSize,
    }
  }

  private checkMagic(chunk: Buffer): void {
    this.checkedMagic = true
    if (chunk.length >= 4 && chunk.toString('latin1', 0, 4) === SQUASHFS_MAGIC) {
      throw new UserError(SQUASHFS_MESSAGE)
    }

    if (chunk[0] !== GZIP_MAGIC[0] || (chunk.length > 1 && chunk[1] !== GZIP_MAGIC[1])) {
      throw new UserError('The slug is not a gzip file (its first bytes are not the gzip signature).')
    }
  }

  private inflate(piece: Buffer): void {
    if (this.error) return
    // After the tar end marker the rest is padding: it counts toward the size but belongs to no entry.
    const afterEnd = this.tar.finished
    try {
      this.gunzip.write(piece)
    } catch (error) {
      this.error ??= error as Error
    }

    if (this.error || afterEnd) return
    this.pieceCounted += piece.length
  }

  /** Splits a piece's compressed bytes across the entries whose contents it produced. */
  private settlePiece(pieceBytes: number): void {
    const total = pieceBytes + this.carry
    if (this.pieceDataBytes === 0) {
      this.carry = total
      return
    }

    const perByte = total / this.pieceDataBytes
    for (let i = 0; i < this.touched.length; i++) this.touched[i].compressed += this.touchedBytes[i] * perByte
    // Emptied, not replaced: a new pair of arrays per 16 KiB piece was garbage enough to show.
    this.touched.length = 0
    this.touchedBytes.length = 0
    this.pieceDataBytes = 0
    this.carry = 0
  }

  private onEntry(header: TarHeader): void {
    this.finishEntry()
    const {linkTarget, size, stripped, type} = header
    // Nearly every name is a plain `./app/...` one, which the tar reader gives without `./app/`: kept as it is,
    // not split into segments and joined again.
    const plain = stripped && isPlainPath(header.path)
    const rawPath = stripped && !plain ? `${APP_PREFIX}${header.path}` : header.path
    const {climbs, path} = plain ? {climbs: false, path: header.path} : placeEntry(rawPath)
    if (path === '') {
      this.current = undefined
      return
    }

    const entry: SlugEntry = {compressed: 0, path: path ?? rawPath, size, type}
    if (linkTarget !== undefined) entry.linkTarget = linkTarget
    this.current = entry
    this.currentOutside = path === undefined
    if (this.currentOutside) {
      this.outside.count++
      this.outside.size += size
      if (this.outside.examples.length < 5) this.outside.examples.push(rawPath)
      if (climbs) {
        this.escaping.count++
        if (this.escaping.examples.length < 5) this.escaping.examples.push(rawPath)
      }
    } else {
      this.entries.push(entry)
      if (type === 'file' && size > 0 && size <= CAPTURE_MAX_BYTES && this.capture(entry.path)) {
        this.captureBuffer = Buffer.allocUnsafe(size)
        this.captureFill = 0
      }

      if (type === 'file' && wantsPeek(entry.path, size)) {
        this.peekBuffer = Buffer.allocUnsafe(PEEK_BYTES)
        this.peekFill = 0
      }

      if (type === 'file' && this.contentHashes) this.crc = 0
    }
  }

  private onData(chunk: Buffer, start: number, end: number): void {
    const bytes = end - start
    const target = this.current && !this.currentOutside ? this.current : this.outsideSink
    const last = this.touched.length - 1
    if (last >= 0 && this.touched[last] === target) {
      this.touchedBytes[last] += bytes
    } else {
      this.touched.push(target)
      this.touchedBytes.push(bytes)
    }

    this.pieceDataBytes += bytes
    if (!this.current) return
    if (this.captureBuffer) this.captureFill += chunk.copy(this.captureBuffer, this.captureFill, start, end)
    if (this.crc !== undefined) this.crc = crc32(chunk.subarray(start, end), this.crc)
    if (this.peekBuffer && this.peekFill < PEEK_BYTES) {
      this.peekFill += chunk.copy(this.peekBuffer, this.peekFill, start, Math.min(end, start + PEEK_BYTES - this.peekFill))
    }
  }

  private finishEntry(): void {
    const entry = this.current
    if (entry && this.captureBuffer) this.captured[entry.path] = this.captureBuffer.toString('utf8', 0, this.captureFill)
    if (entry && this.peekBuffer && this.peekFill > 0) entry.peek = this.peekBuffer.subarray(0, this.peekFill)
    if (entry && this.crc !== undefined) entry.crc32 = this.crc
    this.crc = undefined
    this.captureBuffer = undefined
    this.peekBuffer = undefined
    this.peekFill = 0
    // The outside sink's share moves to the outside totals as it is attributed; settle per entry here.
    if (this.outsideSink.compressed > 0) {
      this.outside.compressed += this.outsideSink.compressed
      this.outsideSink.compressed = 0
    }
  }
}

function gzipError(error: Error & {code?: string}): UserError {
  if (error instanceof UserError) return error
  const code = error.code ?? ''
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)) {
    return new UserError('The slug is truncated: the gzip stream ends early (an incomplete download or a cut file).')
  }

  return new UserError(`The slug's gzip data is corrupt (${error.message.replace(/^zlib: /, '')}).`)
}
