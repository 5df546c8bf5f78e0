import {createHash} from 'node:crypto'

export const BLOCK = 512
/** Size of every chunk the tar stream hands on (the last one may be shorter). */
export const CHUNK_BYTES = 1024 * 1024
/** 2024-05-01T00:00:00Z: a fixed mtime, so the same seed gives the same bytes. */
const MTIME = 1_714_521_600

export interface TarFile {
  type: 'file'
  /** path relative to /app */
  path: string
  size: number
  mode?: number
  /** the contents, in pieces of at most CHUNK_BYTES; their lengths must add up to `size` */
  pieces(): Iterable<Buffer>
  /** set by the writer when `wantDigest` is true: sha256 of the contents (for dist-info RECORDs) */
  sha256?: Buffer
  wantDigest?: boolean
}

export interface TarDirectory {
  type: 'directory'
  path: string
}

export interface TarSymlink {
  type: 'symlink'
  path: string
  target: string
}

export type TarItem = TarDirectory | TarFile | TarSymlink

export interface TarStats {
  /** entries under ./app/ (the ./app/ directory itself not counted) */
  entries: number
  files: number
  /** sum of file sizes */
  bytes: number
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`
}

/**
 * The fields of one tar header block. This writer is shared by the synthetic slug and the unit tests' fixture
 * slugs (test/helpers/slug-builder.ts); the plugin's tar reader is also tested against GNU tar, bsdtar and
 * Python's tarfile, so a misreading of the format shared by this writer and the reader cannot pass unseen.
 */
export interface TarHeaderFields {
  name: string
  /** '0' file, '1' hard link, '2' symlink, '5' directory, 'L'/'K' GNU long name/link, 'x' pax */
  typeflag: string
  size: number
  mode: number
  linkname?: string
  /** 'gnu': magic "ustar  " as GNU tar (and Heroku's slug compiler) writes it; 'ustar': POSIX "ustar\0" "00" */
  format: 'gnu' | 'ustar'
  uid?: number
  gid?: number
  /** seconds since the epoch */
  mtime: number
  /** user and group name (both) */
  owner?: string
}

/** One 512-byte tar header block. */
export function tarHeaderBlock(fields: TarHeaderFields): Buffer {
  const h = Buffer.alloc(BLOCK)
  h.write(fields.name, 0, 100, 'utf8')
  h.write(octal(fields.mode, 8), 100, 'latin1')
  h.write(octal(fields.uid ?? 0, 8), 108, 'latin1')
  h.write(octal(fields.gid ?? 0, 8), 116, 'latin1')
  h.write(octal(fields.size, 12), 124, 'latin1')
  h.write(octal(fields.mtime, 12), 136, 'latin1')
  h.write('        ', 148, 'latin1')
  h.write(fields.typeflag, 156, 'latin1')
  h.write(fields.linkname ?? '', 157, 100, 'utf8')
  h.write(fields.format === 'gnu' ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1')
  if (fields.owner) {
    h.write(fields.owner, 265, 32, 'latin1')
    h.write(fields.owner, 297, 32, 'latin1')
  }

  let sum = 0
  for (const b of h) sum += b
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
  return h
}

/** Zero bytes that pad `size` bytes of entry data to a whole block. */
export function blockPadding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

/** The data of a GNU long name ('L') or long link ('K') entry: the name, NUL-terminated. */
export function gnuLongName(name: string): Buffer {
  return Buffer.from(`${name}\0`)
}

/** One pax extended-header record, `LEN key=value\n`, where LEN counts its own digits. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let len = body.length + 1
  while (String(len).length + body.length !== len) len = String(len).length + body.length
  return `${len}${body}`
}

/** A GNU tar header block as the synthetic slug writes them (GNU magic, uid/gid 1000, owner "dyno", fixed mtime). */
export function tarHeader(name: string, typeflag: string, size: number, mode: number, linkname = ''): Buffer {
  return tarHeaderBlock({format: 'gnu', gid: 1000, linkname, mode, mtime: MTIME, name, owner: 'dyno', size, typeflag, uid: 1000})
}

/** Copies bytes into fixed-size chunks, so the compressor gets few large writes instead of many small ones. */
class ChunkPacker {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private fill = 0
  private readonly full: Buffer[] = []
  /** bytes pushed so far */
  total = 0

  push(...parts: Buffer[]): void {
    for (const part of parts) this.copy(part)
  }

  private copy(data: Buffer): void {
    this.total += data.length
    let i = 0
    while (i < data.length) {
      const n = data.copy(this.chunk, this.fill, i)
      i += n
      this.fill += n
      if (this.fill === CHUNK_BYTES) {
        this.full.push(this.chunk)
        this.chunk = Buffer.allocUnsafe(CHUNK_BYTES)
        this.fill = 0
      }
    }
  }

  zeros(n: number): void {
    if (n > 0) this.push(Buffer.alloc(n))
  }

  /** the chunks completed so far */
  take(): Buffer[] {
    return this.full.splice(0)
  }

  rest(): Buffer | undefined {
    return this.fill > 0 ? this.chunk.subarray(0, this.fill) : undefined
  }
}

function parentsOf(path: string): string[] {
  const parts = path.split('/')
  const out: string[] = []
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'))
  return out
}

/**
 * Turns items into the bytes of a slug's tar, `./app/` first, lazily, in CHUNK_BYTES chunks: at any
 * time it holds one chunk and the piece of the file it is copying, never the archive. Parent
 * directories get an entry before their first child, as `tar` writes them.
 */
export function * tarChunks(items: Iterable<TarItem>, stats?: TarStats): Generator<Buffer> {
  const counts = stats ?? {bytes: 0, entries: 0, files: 0}
  const out = new ChunkPacker()
  const seenDirs = new Set<string>()

  const header = (path: string, typeflag: string, size: number, mode: number, link = ''): void => {
    const name = `./app/${path}`
    if (Buffer.byteLength(name) > 99) {
      const long = gnuLongName(name)
      out.push(tarHeader('././@LongLink', 'L', long.length, 0o644), long)
      out.zeros(blockPadding(long.length))
    }

    if (Buffer.byteLength(link) > 99) {
      const long = gnuLongName(link)
      out.push(tarHeader('././@LongLink', 'K', long.length, 0o644), long)
      out.zeros(blockPadding(long.length))
    }

    out.push(tarHeader(name.slice(0, 99), typeflag, size, mode, link.slice(0, 99)))
  }

  const directory = (path: string): void => {
    if (seenDirs.has(path)) return
    seenDirs.add(path)
    header(`${path}/`, '5', 0, 0o755)
    counts.entries++
  }

  out.push(tarHeader('./app/', '5', 0, 0o755))
  for (const item of items) {
    for (const dir of parentsOf(item.path)) directory(dir)
    switch (item.type) {
    case 'directory': {
      directory(item.path)
      break
    }

    case 'file': {
      header(item.path, '0', item.size, item.mode ?? 0o644)
      const hash = item.wantDigest ? createHash('sha256') : undefined
      let written = 0
      for (const piece of item.pieces()) {
        hash?.update(piece)
        out.push(piece)
        written += piece.length
        yield * out.take()
      }

      if (written !== item.size) throw new Error(`${item.path}: wrote ${written} bytes for a declared size of ${item.size}`)
      if (hash) item.sha256 = hash.digest()
      out.zeros(blockPadding(item.size))
      counts.entries++
      counts.files++
      counts.bytes += item.size
      break
    }

    case 'symlink': {
      header(item.path, '2', 0, 0o777, item.target)
      counts.entries++
      break
    }
    }

    yield * out.take()
  }

  // End of archive: two zero blocks, then GNU tar pads to its 10 KiB record size.
  out.zeros(2 * BLOCK)
  const record = 20 * BLOCK
  out.zeros((record - (out.total % record)) % record)
  yield * out.take()
  const rest = out.rest()
  if (rest) yield rest
}
