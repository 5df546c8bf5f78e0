import {UserError} from '../util/errors.js'
import {terminalSafe} from '../util/terminal-safe.js'
import type {EntryType} from './types.js'

/** What the tar reader reports for each real entry (metadata entries such as pax headers are folded in). */
export interface TarHeader {
  path: string
  type: EntryType
  size: number
  linkTarget?: string
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
  /** what was wrong with the last pax header: reported with the name of the entry it describes */
  private paxError?: string
  private zeroBlocks = 0
  private offset = 0
  private done = false
  private sawHeader = false

  constructor(private readonly handler: TarHandler) {}

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
        const take = Math.min(BLOCK - this.headerFill, n - i)
        chunk.copy(this.header, this.headerFill, i, i + take)
        this.headerFill += take
        i += take
        if (this.headerFill === BLOCK) {
          this.headerFill = 0
          this.readHeader()
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
      break
    }

    case 'K': {
      this.longLink = cString(body)
      break
    }

    case 'L': {
      this.longName = cString(body)
      break
    }

    case 'x': {
      Object.assign(this.pax, this.readPax(body))
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

  private readHeader(): void {
    const h = this.header
    if (isZeroBlock(h)) {
      this.zeroBlocks++
      if (this.zeroBlocks >= 2) this.done = true
      return
    }

    this.zeroBlocks = 0
    if (!checksumMatches(h)) {
      throw new UserError(`The slug's tar stream is damaged: no valid tar header at uncompressed byte ${this.offset}.`)
    }

    this.sawHeader = true
    const typeflag = h[156] === 0 ? '0' : String.fromCodePoint(h[156])
    const size = readSize(h.subarray(124, 136))
    this.padding = (Math.ceil(size / BLOCK) * BLOCK) - size

    if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g') {
      if (size > MAX_META) throw new UserError(`The slug's tar stream is damaged: a ${size}-byte extended header.`)
      this.metaType = typeflag
      this.remaining = size
      this.state = size > 0 ? 'meta' : (this.padding > 0 ? 'padding' : 'header')
      if (size === 0) this.finishMeta()
      return
    }

    const pax = {...this.globalPax, ...this.pax}
    const magic = h.toString('latin1', 257, 262)
    const prefix = magic === 'ustar' && h[263] === 0x30 ? cString(h.subarray(345, 500)) : ''
    const name = cString(h.subarray(0, 100))
    const path = pax.path ?? this.longName ?? (prefix ? `${prefix}/${name}` : name)
    const link = pax.linkpath ?? this.longLink ?? cString(h.subarray(157, 257))
    // A pax size is a decimal integer: "1.5", "1e3" or "-1" would desynchronise every header after this one.
    if (pax.size !== undefined && !PAX_DECIMAL.test(pax.size)) this.paxError ??= `an invalid size "${pax.size}"`
    if (this.paxError !== undefined) {
      throw new UserError(`The slug's tar stream is damaged: the pax header of ${terminalSafe(path)} has ${terminalSafe(this.paxError)}.`)
    }

    const realSize = pax.size === undefined ? size : Number(pax.size)
    const type = entryType(typeflag)

    this.pax = {}
    this.longName = undefined
    this.longLink = undefined

    // Links and directories carry no data even when a writer fills in a size.
    const dataSize = type === 'file' || type === 'other' ? realSize : 0
    this.handler.entry({
      path,
      type,
      size: type === 'file' ? realSize : 0,
      ...(type === 'symlink' || type === 'hardlink' ? {linkTarget: link} : {}),
    })
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

function isZeroBlock(h: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 8) {
    if (h.readBigUInt64LE(i) !== 0n) return false
  }

  return true
}

function checksumMatches(h: Buffer): boolean {
  const stored = parseOctal(h.subarray(148, 156))
  let unsigned = 0
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : h[i]
  if (stored === unsigned) return true
  // Some old writers summed signed bytes.
  let signed = 0
  for (let i = 0; i < BLOCK; i++) signed += i >= 148 && i < 156 ? 32 : (h[i] << 24) >> 24
  return stored === signed
}

function parseOctal(field: Buffer): number {
  const text = field.toString('latin1').replaceAll(/[\0 ]+$/g, '').trim()
  if (text === '' || !/^[0-7]+$/.test(text)) return -1
  return Number.parseInt(text, 8)
}

/** Sizes over 8 GiB use GNU base-256: the high bit of the first byte is set. */
function readSize(field: Buffer): number {
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f
    for (let i = 1; i < field.length; i++) value = (value * 256) + field[i]
    return value
  }

  const value = parseOctal(field)
  if (value < 0) {
    const text = field.toString('latin1').replaceAll('\0', '').trim()
    if (text === '') return 0
    throw new UserError('The slug\'s tar stream is damaged: an entry has an unreadable size.')
  }

  return value
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0)
  return buf.toString('utf8', 0, end === -1 ? buf.length : end)
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
