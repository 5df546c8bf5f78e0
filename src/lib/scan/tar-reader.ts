import {UserError} from '../shared/errors.js'
import {terminalSafe} from '../shared/terminal-safe.js'
import type {EntryType} from './entries.js'

/** What the tar reader reports for each real entry (metadata entries such as pax headers are folded in). */
export interface TarHeader {
  /** the entry's name; without the reader's `stripPrefix` when `stripped` */
  path: string
  type: EntryType
  size: number
  linkTarget?: string
  /** the name began with `stripPrefix`, which `path` leaves out */
  stripped?: boolean
}

/**
 * Callbacks the reader drives while it walks decompressed bytes. `data` receives only the bytes of
 * real entries' contents: header blocks, padding and pax/long-name records are never passed on, so
 * a caller that weighs bytes gives them no weight.
 */
export interface TarHandler {
  entry(header: TarHeader): void
  data(chunk: Buffer, start: number, end: number): void
}

const BLOCK = 512
/** pax and GNU long-name records larger than this are not names: the archive is damaged. */
const MAX_META = 1024 * 1024

type State = 'data' | 'header' | 'meta' | 'padding'

/**
 * A streaming tar header scanner over decompressed bytes: ustar, GNU long names and links,
 * pax extended (per-file and global) headers, base-256 sizes. It never copies file contents.
 */
export class TarReader {
  private state: State = 'header'
  private readonly header = Buffer.alloc(BLOCK)
  private headerFill = 0
  private remaining = 0
  private padding = 0
  private meta: Buffer[] = []
  private metaType = ''
  private longName?: string
  private longLink?: string
  private pax: Record<string, string> = {}
  private globalPax: Record<string, string> = {}
  /** whether a pax header (global or for the next entry) was read: most slugs have none */
  private hasPax = false
  /** what was wrong with the last pax header: reported with the name of the entry it describes */
  private paxError?: string
  private zeroBlocks = 0
  private offset = 0
  private done = false
  private sawHeader = false
  private readonly stripPrefix?: Buffer

  /**
   * `stripPrefix`: a name in a header's own name field that begins with it is decoded without it (and marked
   * `stripped`), so that a caller keeping names relative to it (`./app/`) keeps a string of its own rather
   * than a slice that holds the whole name.
   */
  constructor(private readonly handler: TarHandler, options: {stripPrefix?: string} = {}) {
    if (options.stripPrefix) this.stripPrefix = Buffer.from(options.stripPrefix, 'latin1')
  }

  /** true once the end-of-archive marker (two zero blocks) was read */
  get finished(): boolean {
    return this.done
  }

  write(chunk: Buffer): void {
    let i = 0
    const n = chunk.length
    while (i < n && !this.done) {
      switch (this.state) {
      case 'data': {
        const take = Math.min(this.remaining, n - i)
        this.handler.data(chunk, i, i + take)
        i += take
        this.remaining -= take
        if (this.remaining === 0) this.state = this.padding > 0 ? 'padding' : 'header'
        break
      }

      case 'header': {
        if (this.headerFill === 0 && n - i >= BLOCK) {
          // The whole block is in this chunk (nearly always): read in place, no copy.
          const at = i
          i += BLOCK
          this.readHeader(chunk, at)
          break
        }

        const take = Math.min(BLOCK - this.headerFill, n - i)
        // A block split across chunks (rare): gathered in this.header.
        this.header.set(chunk.subarray(i, i + take), this.headerFill)
        this.headerFill += take
        i += take
        if (this.headerFill === BLOCK) {
          this.headerFill = 0
          this.readHeader(this.header, 0)
        }

        break
      }

      case 'meta': {
        const take = Math.min(this.remaining, n - i)
        this.meta.push(Buffer.from(chunk.subarray(i, i + take)))
        i += take
        this.remaining -= take
        if (this.remaining === 0) {
          this.finishMeta()
          this.state = this.padding > 0 ? 'padding' : 'header'
        }

        break
      }

      case 'padding': {
        const take = Math.min(this.padding, n - i)
        i += take
        this.padding -= take
        if (this.padding === 0) this.state = 'header'
        break
      }
      }
    }

    this.offset += n
  }

  /** Called when the decompressed stream ends: a tar cut short is an error, not a smaller slug. */
  end(): void {
    if (this.done) return
    if (!this.sawHeader) throw new UserError('The slug is not a tar archive: it holds no tar entries.')
    // Some writers omit the end-of-archive marker; a stream that stops cleanly between entries is accepted.
    if (this.state !== 'header' || this.headerFill !== 0) {
      throw new UserError('The slug is truncated: its tar stream ends in the middle of an entry.')
    }
  }

  private finishMeta(): void {
    const body = Buffer.concat(this.meta)
    this.meta = []
    switch (this.metaType) {
    case 'g': {
      Object.assign(this.globalPax, this.readPax(body))
      this.hasPax = true
      break
    }

    case 'K': {
      this.longLink = cString(body, 0, body.length)
      break
    }

    case 'L': {
      this.longName = cString(body, 0, body.length)
      break
    }

    case 'x': {
      Object.assign(this.pax, this.readPax(body))
      this.hasPax = true
      break
    }
    }
  }

  private readPax(body: Buffer): Record<string, string> {
    try {
      return parsePax(body)
    } catch (error) {
      this.paxError ??= (error as Error).message
      return {}
    }
  }

  /**
   * Reads the 512-byte header block at `h[o]`. Every field is read in place by offset: a slug has tens of
   * thousands of headers, and a string or Buffer view per field was ~3 KB of garbage per entry.
   */
  private readHeader(h: Buffer, o: number): void {
    if (isZeroBlock(h, o)) {
      this.zeroBlocks++
      if (this.zeroBlocks >= 2) this.done = true
      return
    }

    this.zeroBlocks = 0
    if (!checksumMatches(h, o)) {
      throw new UserError(`The slug's tar stream is damaged: no valid tar header at uncompressed byte ${this.offset}.`)
    }

    this.sawHeader = true
    const typeflag = h[o + 156] === 0 ? '0' : String.fromCodePoint(h[o + 156])
    const size = readSize(h, o + 124, o + 136)
    this.padding = (Math.ceil(size / BLOCK) * BLOCK) - size

    if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g') {
      this.startMeta(typeflag, size)
      return
    }

    const pax = this.hasPax ? {...this.globalPax, ...this.pax} : NO_PAX
    const {path, stripped} = this.entryPath(h, o, pax)
    // A pax size is a decimal integer: "1.5", "1e3" or "-1" would desynchronise every header after this one.
    if (pax.size !== undefined && !PAX_DECIMAL.test(pax.size)) this.paxError ??= `an invalid size "${pax.size}"`
    if (this.paxError !== undefined) {
      const named = stripped ? `${this.stripPrefix!.toString('latin1')}${path}` : path
      throw new UserError(`The slug's tar stream is damaged: the pax header of ${terminalSafe(named)} has ${terminalSafe(this.paxError)}.`)
    }

    const realSize = pax.size === undefined ? size : Number(pax.size)
    const type = entryType(typeflag)
    const header: TarHeader = {path, size: type === 'file' ? realSize : 0, type}
    if (stripped) header.stripped = true
    if (type === 'symlink' || type === 'hardlink') header.linkTarget = pax.linkpath ?? this.longLink ?? cString(h, o + 157, o + 257)
    this.startEntry(header, type === 'file' || type === 'other' ? realSize : 0)
  }

  /** A GNU long name or link (L, K) or a pax header (x, g): its data is read as metadata for the next entry. */
  private startMeta(typeflag: string, size: number): void {
    if (size > MAX_META) throw new UserError(`The slug's tar stream is damaged: a ${size}-byte extended header.`)
    this.metaType = typeflag
    this.remaining = size
    this.state = size > 0 ? 'meta' : (this.padding > 0 ? 'padding' : 'header')
    if (size === 0) this.finishMeta()
  }

  /** The entry's path: a pax path, else a GNU long name, else ustar's prefix and name; the slug's own prefix stripped. */
  private entryPath(h: Buffer, o: number, pax: Readonly<Record<string, string>>): {path: string; stripped: boolean} {
    const prefixed = isUstarPrefixed(h, o)
    const ownName = pax.path === undefined && this.longName === undefined && !prefixed
    const stripped = ownName && this.stripPrefix !== undefined && startsWithBytes(h, o, this.stripPrefix)
    const name = cString(h, stripped ? o + this.stripPrefix!.length : o, o + 100)
    const path = pax.path ?? this.longName ?? (prefixed ? `${cString(h, o + 345, o + 500)}/${name}` : name)
    return {path, stripped}
  }

  /** Hands the entry on, forgets the metadata that named it, and reads its data next (links and directories carry none, even when a writer fills in a size). */
  private startEntry(header: TarHeader, dataSize: number): void {
    if (this.hasPax) {
      this.pax = {}
      this.hasPax = Object.keys(this.globalPax).length > 0
    }

    this.longName = undefined
    this.longLink = undefined
    this.handler.entry(header)
    this.remaining = dataSize
    this.padding = (Math.ceil(dataSize / BLOCK) * BLOCK) - dataSize
    this.state = dataSize > 0 ? 'data' : 'header'
  }
}

function entryType(flag: string): EntryType {
  switch (flag) {
  case '0':
  case '7': {
    return 'file'
  }

  case '1': {
    return 'hardlink'
  }

  case '2': {
    return 'symlink'
  }

  case '5': {
    return 'directory'
  }

  default: {
    return 'other'
  }
  }
}

const NO_PAX: Readonly<Record<string, string>> = Object.freeze({})

function isZeroBlock(h: Buffer, o: number): boolean {
  for (let i = o; i < o + BLOCK; i++) if (h[i] !== 0) return false
  return true
}

/** ustar's 155-byte prefix field is in use ("ustar" magic, version "0x"). */
function isUstarPrefixed(h: Buffer, o: number): boolean {
  // "ustar" at 257, then the version's first byte "0" at 263
  const magic = h[o + 257] === 0x75 && h[o + 258] === 0x73 && h[o + 259] === 0x74 && h[o + 260] === 0x61 && h[o + 261] === 0x72
  return magic && h[o + 263] === 0x30 && h[o + 345] !== 0
}

function startsWithBytes(h: Buffer, o: number, prefix: Buffer): boolean {
  for (let i = 0; i < prefix.length; i++) if (h[o + i] !== prefix[i]) return false
  return true
}

function checksumMatches(h: Buffer, o: number): boolean {
  const stored = parseOctal(h, o + 148, o + 156)
  let unsigned = 0
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : h[o + i]
  if (stored === unsigned) return true
  // Some old writers summed signed bytes.
  let signed = 0
  for (let i = 0; i < BLOCK; i++) signed += i >= 148 && i < 156 ? 32 : (h[o + i] << 24) >> 24
  return stored === signed
}

/**
 * An octal field: digits, then NULs or spaces (leading spaces allowed); -1 when not. Read from the bytes:
 * every header has two, and a string per field was most of a header's garbage.
 */
function parseOctal(h: Buffer, start: number, end: number): number {
  let i = start
  while (i < end && isBlank(h[i])) i++
  let value = 0
  let digits = 0
  for (; i < end && h[i] >= 0x30 && h[i] <= 0x37; i++, digits++) value = (value * 8) + (h[i] - 0x30)
  for (; i < end; i++) if (h[i] !== 0 && !isBlank(h[i])) return -1
  return digits === 0 ? -1 : value
}

/** What the field's old string parse trimmed: space and the ASCII whitespace controls (tab, LF, VT, FF, CR). */
function isBlank(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

/** Sizes over 8 GiB use GNU base-256: the high bit of the first byte is set. */
function readSize(h: Buffer, start: number, end: number): number {
  if (h[start] & 0x80) {
    let value = h[start] & 0x7f
    for (let i = start + 1; i < end; i++) value = (value * 256) + h[i]
    return value
  }

  const value = parseOctal(h, start, end)
  if (value < 0) {
    for (let i = start; i < end; i++) if (h[i] !== 0 && !isBlank(h[i])) throw new UserError('The slug\'s tar stream is damaged: an entry has an unreadable size.')
    return 0
  }

  return value
}

/** A NUL-terminated UTF-8 field of h[start, end). */
function cString(h: Buffer, start: number, end: number): string {
  const nul = h.indexOf(0, start)
  return h.toString('utf8', start, nul === -1 || nul > end ? end : nul)
}

/** pax numbers: plain decimal digits (POSIX pax), at most 16 so that they stay exact as a Number */
const PAX_DECIMAL = /^\d{1,16}$/

/**
 * pax records: "<len> <key>=<value>\n", where len counts the whole record. Trailing NUL padding ends
 * them; a length that is not a decimal number, or that overruns the header, throws (the archive is damaged).
 */
export function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  let i = 0
  while (i < body.length && body[i] !== 0) {
    const space = body.indexOf(0x20, i)
    const lengthText = body.toString('latin1', i, space === -1 ? Math.min(body.length, i + 20) : Math.min(space, i + 20))
    const len = Number(lengthText)
    if (space === -1 || !PAX_DECIMAL.test(lengthText) || len <= space - i || i + len > body.length || body[i + len - 1] !== 0x0A) {
      throw new Error(`a malformed record (length "${lengthText}")`)
    }

    const record = body.toString('utf8', space + 1, i + len - 1)
    const eq = record.indexOf('=')
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    i += len
  }

  return out
}
