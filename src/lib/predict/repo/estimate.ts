import {open, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {deflateRawSync} from 'node:zlib'

import {constants, DeflateRaw} from 'minizlib'

import {UserError} from '../../shared/errors.js'
import {mapLimit} from '../../shared/map-limit.js'

/**
 * Each file's share of a compressed slug, predicted without building one and without compressing
 * gigabytes.
 *
 * Files up to `exactLimit` go, in path order, through ONE deflate stream at gzip's default level 6, with
 * tar headers and padding around them, as in a real slug: inside a slug small text files cost 25-35%
 * less than compressed alone (shared window, no per-file header; README, Precision), and the shared stream gets
 * that right without a calibration factor. Output bytes are split across the files whose input
 * preceded them, in proportion to that input, which is how the scanner splits a real slug's bytes.
 * Larger files are sampled: `slices` evenly spaced slices, each deflated with the 32 KiB before it as
 * the dictionary (the window it would have in the stream), and the ratio extrapolated to the file.
 *
 * A large environment holds hundreds of MB of small files (deflate runs at ~15 MB/s on a shared core),
 * so the stream has a byte budget: past it, files over 1 MiB are sampled too, and only evenly spaced
 * runs of the small files (1 MiB of consecutive files each) go through the stream; every other small
 * file gets the ratio measured on streamed files like it (same extension).
 * On the fixtures of test/unit/lib/repo/estimate.test.ts the total comes within 1% of a real slug
 * (within 2% with the budget forcing run sampling).
 */
export interface EstimateOptions {
  /** files up to this size are compressed whole (default 4 MiB) */
  exactLimit?: number
  /** slices sampled from a larger file: at least this many (default 8), one per 512 KiB up to 128 */
  slices?: number
  /** bytes per slice (default 128 KiB) */
  sliceBytes?: number
  /** files read ahead of the stream (default 8) */
  readAhead?: number
  /** bytes of small files deflated in the stream at most (default 64 MiB); past it, runs are sampled */
  streamBudget?: number
}

export interface EstimateFile {
  path: string
  type: 'file' | 'symlink'
  size: number
  linkTarget?: string
}

export const EXACT_LIMIT = 4 * 1024 * 1024
const SLICES = 8
const SLICE_BYTES = 128 * 1024
const READ_AHEAD = 8
const WINDOW = 32 * 1024
const LEVEL = 6
/** input fed to the deflater at a time: output is attributed at this granularity */
const PIECE = 16 * 1024
const BLOCK = 512
/** files at least this big end their deflate block (see StreamMeter.add) */
const FLUSH_AFTER = 64 * 1024
const SAMPLE_CONCURRENCY = 2
export const STREAM_BUDGET = 64 * 1024 * 1024
/** over budget, files larger than this are slice-sampled rather than streamed */
const RUN_FILE_MAX = 1024 * 1024
/** over budget, consecutive small files are streamed or skipped in runs of about this many bytes */
const RUN_BYTES = 1024 * 1024
const MAX_SLICES = 128
const SLICE_SPACING = 512 * 1024
/** slices never shrink below this, so a slice still holds a window's worth of matches */
const MIN_SLICE = 32 * 1024

/** A ustar header like the one the slug's tar writes before each entry; only its compressed cost matters. */
function tarHeader(path: string, size: number, type: 'directory' | EstimateFile['type'], linkTarget = ''): Buffer {
  const h = Buffer.alloc(BLOCK)
  h.write(`./app/${path}`, 0, 100, 'utf8')
  h.write('0000644\0', 100, 'latin1')
  h.write('0000000\0', 108, 'latin1')
  h.write('0000000\0', 116, 'latin1')
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1')
  h.write('14000000000\0', 136, 'latin1')
  h.write('        ', 148, 'latin1')
  h.write({directory: '5', file: '0', symlink: '2'}[type], 156, 'latin1')
  h.write(linkTarget, 157, 100, 'utf8')
  h.write('ustar\0', 257, 'latin1')
  h.write('00', 263, 'latin1')
  return h
}

/** The deflate stream of the small files, with each output byte credited to the input it came from. */
class StreamMeter {
  private readonly deflate = new DeflateRaw({level: LEVEL})
  private pending = new Map<number, number>()
  private pendingBytes = 0
  private carry = 0
  private last?: {bytes: number; files: Map<number, number>}
  private readonly directories = new Set<string>()

  constructor(private readonly shares: number[]) {
    this.deflate.on('data', (out: Buffer) => this.credit(out.length))
  }

  add(index: number, file: EstimateFile, content: Buffer): void {
    // The slug's tar has an entry for every directory too.
    const parts = file.path.split('/')
    for (let d = 1; d < parts.length; d++) {
      const directory = `${parts.slice(0, d).join('/')}/`
      if (this.directories.has(directory)) continue
      this.directories.add(directory)
      this.deflate.write(tarHeader(directory, 0, 'directory'))
    }

    this.deflate.write(tarHeader(file.path, content.length, file.type, file.linkTarget))
    for (let i = 0; i < content.length; i += PIECE) {
      const piece = content.subarray(i, Math.min(i + PIECE, content.length))
      this.pending.set(index, (this.pending.get(index) ?? 0) + piece.length)
      this.pendingBytes += piece.length
      this.deflate.write(piece)
    }

    // Deflate emits a block's bytes only once the block ends, often while the NEXT file is written: after
    // a big file, end the block so its last bytes are not credited to the small file that follows
    // (without this, a 19-byte requirements.txt after a 400 kB model was given 7 kB). Costs a block header.
    if (content.length >= FLUSH_AFTER) this.deflate.flush(constants.Z_BLOCK)
    const pad = (BLOCK - (content.length % BLOCK)) % BLOCK
    if (pad > 0) this.deflate.write(Buffer.alloc(pad))
  }

  finish(): void {
    // Output of a stream with no content at all (only empty files) stays with nobody.
    this.deflate.end()
  }

  private credit(bytes: number): void {
    const total = bytes + this.carry
    // Output lags input: bytes arriving when no content is pending belong to what was written last
    // (or, before any content, to the first content: they are headers).
    const target = this.pendingBytes > 0 ? {bytes: this.pendingBytes, files: this.pending} : this.last
    if (!target) {
      this.carry = total
      return
    }

    const perByte = total / target.bytes
    for (const [index, n] of target.files) this.shares[index] += n * perByte
    if (this.pendingBytes > 0) this.last = target
    this.pending = new Map()
    this.pendingBytes = 0
    this.carry = 0
  }
}

function unreadable(path: string, error: unknown): UserError {
  return new UserError(`Cannot read ${path}: ${(error as Error).message}`)
}

/** Compressed size of a large file, extrapolated from evenly spaced slices. */
async function sampledSize(absolute: string, size: number, minSlices: number, maxSlice: number): Promise<number> {
  // Big binaries (shared libraries, model files) are not uniform: 8 slices missed a 25 MB OpenBLAS library by
  // 24%, one slice per 512 KiB (a quarter of the file, 16 MiB at most) came within 1%.
  const slices = Math.max(minSlices, Math.min(MAX_SLICES, Math.ceil(size / SLICE_SPACING)))
  // Slices cover at most half of a mid-size file: sampling must stay cheaper than compressing it whole.
  const sliceBytes = Math.max(MIN_SLICE, Math.min(maxSlice, Math.floor(size / (2 * slices))))
  const handle = await open(absolute, 'r').catch(error => {
    throw unreadable(absolute, error)
  })
  try {
    let input = 0
    let output = 0
    for (let j = 0; j < slices; j++) {
      const offset = slices === 1 ? 0 : Math.round((j * (size - sliceBytes)) / (slices - 1))
      const start = Math.max(0, offset - WINDOW)
      const buffer = Buffer.alloc(offset - start + sliceBytes)
      const {bytesRead} = await handle.read(buffer, 0, buffer.length, start)
      const dictionary = buffer.subarray(0, Math.min(offset - start, bytesRead))
      const slice = buffer.subarray(dictionary.length, bytesRead)
      if (slice.length === 0) continue
      const compressed = deflateRawSync(slice, dictionary.length > 0 ? {dictionary, level: LEVEL} : {level: LEVEL})
      input += slice.length
      output += compressed.length
    }

    return input === 0 ? 0 : (output / input) * size
  } finally {
    await handle.close()
  }
}

/** Splits path-ordered small files into runs and keeps evenly spaced runs worth about `budget` bytes. */
function sampleRuns(indices: number[], files: readonly EstimateFile[], budget: number): {streamed: number[]; unmeasured: number[]} {
  const total = indices.reduce((sum, i) => sum + files[i].size, 0)
  const fraction = Math.min(1, budget / Math.max(1, total))
  const streamed: number[] = []
  const unmeasured: number[] = []
  let credit = 0.5
  let run: number[] = []
  let runBytes = 0
  const close = (): void => {
    credit += fraction
    if (credit >= 1) {
      credit -= 1
      streamed.push(...run)
    } else {
      unmeasured.push(...run)
    }

    run = []
    runBytes = 0
  }

  for (const i of indices) {
    run.push(i)
    runBytes += files[i].size
    if (runBytes >= RUN_BYTES) close()
  }

  if (run.length > 0) close()
  return {streamed, unmeasured}
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? '' : name.slice(dot).toLowerCase()
}

/**
 * Compressed/uncompressed ratio for files that were not streamed: measured on streamed files with the
 * same extension, else on all streamed files.
 */
function ratioLookup(streamed: number[], files: readonly EstimateFile[], shares: number[]): (path: string) => number {
  const sums = new Map<string, {input: number; output: number}>()
  const all = {input: 0, output: 0}
  for (const i of streamed) {
    const key = extensionOf(files[i].path)
    const sum = sums.get(key) ?? {input: 0, output: 0}
    sum.input += files[i].size
    sum.output += shares[i]
    sums.set(key, sum)
    all.input += files[i].size
    all.output += shares[i]
  }

  const overall = all.input > 0 ? all.output / all.input : 1
  return path => {
    const sum = sums.get(extensionOf(path))
    // An extension seen in under 64 KiB of streamed files says little: the overall ratio is safer.
    return sum && sum.input >= 64 * 1024 ? sum.output / sum.input : overall
  }
}

/**
 * Predicted compressed share of each file under `root` (same order as `files`), in bytes. Symlinks and
 * empty files get 0, as the scanner gives them; their headers' cost goes to the next file's content.
 */
export async function estimateCompressedSizes(root: string, files: readonly EstimateFile[], options: EstimateOptions = {}): Promise<number[]> {
  const exactLimit = options.exactLimit ?? EXACT_LIMIT
  const slices = options.slices ?? SLICES
  const sliceBytes = options.sliceBytes ?? SLICE_BYTES
  const readAhead = options.readAhead ?? READ_AHEAD
  const shares = files.map(() => 0)

  const order = files.map((_, i) => i).sort((a, b) => (files[a].path < files[b].path ? -1 : (files[a].path > files[b].path ? 1 : 0)))
  const small = (i: number): boolean => files[i].type === 'symlink' || files[i].size <= exactLimit
  let streamed = order.filter(i => small(i))
  const sampled = order.filter(i => !small(i))
  let unmeasured: number[] = []
  const budget = options.streamBudget ?? STREAM_BUDGET
  if (streamed.reduce((sum, i) => sum + files[i].size, 0) > budget) {
    sampled.push(...streamed.filter(i => files[i].size > RUN_FILE_MAX));
    ({streamed, unmeasured} = sampleRuns(streamed.filter(i => files[i].size <= RUN_FILE_MAX), files, budget))
  }

  const meter = new StreamMeter(shares)
  const reads: Array<Promise<Buffer | Error> | undefined> = []
  const startRead = (k: number): void => {
    const file = files[streamed[k]]
    reads[k]
      = file.type === 'symlink' || file.size === 0
        ? Promise.resolve(Buffer.alloc(0))
        : readFile(join(root, file.path)).catch((error: unknown) => unreadable(file.path, error))
  }

  for (let k = 0; k < Math.min(readAhead, streamed.length); k++) startRead(k)
  for (let k = 0; k < streamed.length; k++) {
    const content = await reads[k]!
    reads[k] = undefined
    if (k + readAhead < streamed.length) startRead(k + readAhead)
    if (content instanceof Error) throw content
    meter.add(streamed[k], files[streamed[k]], content)
  }

  meter.finish()
  const ratio = ratioLookup(streamed, files, shares)
  for (const i of unmeasured) shares[i] = files[i].size * ratio(files[i].path)

  await mapLimit(sampled, SAMPLE_CONCURRENCY, async i => {
    shares[i] = await sampledSize(join(root, files[i].path), files[i].size, slices, sliceBytes)
  })
  return shares
}
