import {Noise, Random} from './random.js'

/** Kinds of text, each with its own pool of lines. */
export type TextFlavor = 'header' | 'js' | 'prose' | 'python'

const WORDS = (
  'tensor shape grad optimizer layer kernel dtype batch input output weight bias conv pool dense norm scale axis '
  + 'index value name graph session device strategy replica gradient variable constant placeholder dataset iterator '
  + 'function module config state loss metric callback model summary event checkpoint saver restore export signature '
  + 'spec dimension rank size buffer stream context scope op node edge attr proto registry handle resource queue reader '
  + 'writer parser token string float int bool list dict tuple map filter reduce sum mean max min prod concat split '
  + 'stack unstack gather scatter reshape transpose squeeze expand tile pad slice cast round floor ceil abs sign sqrt '
  + 'exp log sin cos tanh sigmoid relu softmax dropout embedding lookup sparse ragged random seed uniform normal '
  + 'truncated shuffle repeat prefetch cache zip window group bucket compile fit evaluate predict train step epoch '
  + 'learning rate decay momentum beta epsilon clip global local distributed mirrored tpu gpu cpu host worker task cluster'
).split(' ')

/** Lines of each flavor, built from a vocabulary: text that deflates about as well as real code (~4.5x in a slug). */
const TEMPLATES: Record<TextFlavor, Array<(w: Words) => string>> = {
  header: [
    w => `#include "tensorflow/core/${w.id()}/${w.id()}.h"`,
    w => `namespace ${w.id()} {`,
    w => `class ${w.pascal()} : public ${w.pascal()} {`,
    w => `  explicit ${w.pascal()}(const ${w.pascal()}& ${w.id()});`,
    w => `  Status ${w.pascal()}(OpKernelContext* ctx, const Tensor& ${w.id()}) override;`,
    w => `  // ${w.words(8)}.`,
    w => `template <typename ${w.pascal()}, int ${w.upper()}>`,
    w => `  EIGEN_DEVICE_FUNC EIGEN_STRONG_INLINE ${w.pascal()}(const ${w.pascal()}& ${w.id()}) {`,
    w => `    return ${w.id()}_ * ${w.id()} + ${w.num()};`,
    w => `  }  // ${w.id()}`,
    w => `#define TF_${w.upper()} ${w.num()}`,
    w => `  std::vector<${w.pascal()}> ${w.id()}_;`,
    w => `  absl::Status ${w.pascal()}(absl::string_view ${w.id()}, int64_t ${w.id()});`,
  ],
  js: [
    w => `function ${w.id()}(e,t){return ${w.id()}.${w.id()}(e,t)||${w.num()}}`,
    w => `var ${w.id()}=n(${w.num()}),${w.id()}=n.n(${w.id()});`,
    w => `const ${w.pascal()}=class extends ${w.pascal()}{constructor(e){super(e),this._${w.id()}=e.${w.id()}}}`,
    w => `e.exports={${w.id()}:${w.id()},${w.id()}:${w.id()}};`,
    w => `/* ${w.words(7)} */`,
    w => `if(!${w.id()})throw new Error("${w.words(5)}");`,
    w => `return ${w.id()}.map(t=>t.${w.id()}).filter(Boolean);`,
  ],
  prose: [
    w => `${w.pascal()} ${w.words(12)}.`,
    w => `* ${w.words(9)}`,
    () => '',
    w => `   ${w.id()}: ${w.words(10)}`,
    w => `See https://www.tensorflow.org/api_docs/python/tf/${w.id()} for ${w.words(4)}.`,
  ],
  python: [
    w => `def ${w.id()}(${w.id()}, ${w.id()}=None, ${w.id()}=${w.num()}):`,
    w => `  """${w.words(6)}.`,
    () => '  Args:',
    w => `    ${w.id()}: ${w.words(8)}.`,
    () => '  """',
    w => `  ${w.id()} = ${w.id()}.${w.id()}(${w.id()}, ${w.id()}=${w.id()})`,
    w => `  if ${w.id()} is None:`,
    w => `    raise ValueError("${w.words(5)} %s" % ${w.id()})`,
    w => `  return ${w.id()}`,
    () => '',
    w => `# ${w.words(9)}`,
    w => `class ${w.pascal()}(${w.pascal()}):`,
    w => `from tensorflow.python.${w.id()} import ${w.id()}`,
    w => `    self._${w.id()} = ${w.id()}`,
    w => `  for ${w.id()} in ${w.id()}:`,
    w => `    ${w.id()}.append(${w.id()}[${w.num()}])`,
    w => `@tf_export("${w.id()}.${w.id()}")`,
  ],
}

class Words {
  constructor(private readonly rng: Random) {}

  id(): string {
    const n = 1 + this.rng.int(3)
    const parts: string[] = []
    for (let i = 0; i < n; i++) parts.push(this.rng.pick(WORDS))
    return parts.join('_')
  }

  pascal(): string {
    return this.id()
    .split('_')
    .map(w => w[0].toUpperCase() + w.slice(1))
    .join('')
  }

  upper(): string {
    return this.id().toUpperCase()
  }

  num(): string {
    return String(this.rng.int(1000))
  }

  words(n: number): string {
    const parts: string[] = []
    for (let i = 0; i < n; i++) parts.push(this.rng.pick(WORDS))
    return parts.join(' ')
  }
}

/** A name made of vocabulary words, for files and folders. */
export function wordName(rng: Random, parts = 2): string {
  const out: string[] = []
  for (let i = 0; i < parts; i++) out.push(rng.pick(WORDS))
  return out.join('_')
}

/** Lines per pool: with ~2,000 distinct lines, deflate's 32 KiB window finds repeats about as often as in real code. */
const POOL_LINES = 2000

interface Pool {
  text: Buffer
  /** byte offset of each line, plus the end */
  offsets: number[]
}

/** Pools of lines, one per flavor, made once per seed; files are runs of lines taken from them. */
export class TextPools {
  private readonly pools = new Map<TextFlavor, Pool>()

  constructor(private readonly seed: string) {}

  /** exactly `size` bytes of text of a flavor: the preamble (a license header, say), then runs of pool lines */
  text(flavor: TextFlavor, size: number, rng: Random, preamble = ''): Buffer {
    const pool = this.pool(flavor)
    const out = Buffer.allocUnsafe(size)
    let fill = out.write(preamble.slice(0, size), 0, 'utf8')
    const lines = pool.offsets.length - 1
    while (fill < size) {
      const start = rng.int(lines)
      const end = Math.min(lines, start + 3 + rng.int(20))
      fill += pool.text.copy(out, fill, pool.offsets[start], pool.offsets[end])
    }

    if (size > 0) out[size - 1] = 0x0a
    return out
  }

  private pool(flavor: TextFlavor): Pool {
    let pool = this.pools.get(flavor)
    if (!pool) {
      const rng = new Random(`${this.seed}:pool:${flavor}`)
      const w = new Words(rng)
      const templates = TEMPLATES[flavor]
      const lines: Buffer[] = []
      const offsets = [0]
      for (let i = 0; i < POOL_LINES; i++) {
        const line = Buffer.from(`${rng.pick(templates)(w)}\n`)
        lines.push(line)
        offsets.push(offsets.at(-1)! + line.length)
      }

      pool = {offsets, text: Buffer.concat(lines)}
      this.pools.set(flavor, pool)
    }

    return pool
  }
}

/** A table of measurements: digits deflate to about a third. Exactly `size` bytes. */
export function csvText(size: number, rng: Random): Buffer {
  const rows: string[] = ['timestamp,sensor_id,temperature,pressure,humidity,vibration,label']
  let length = rows[0].length + 1
  let t = Date.UTC(2023, 0, 1) / 1000
  while (length < size) {
    t += 60 + rng.int(5)
    const row = [
      new Date(t * 1000).toISOString().slice(0, 19),
      `S${String(rng.int(400)).padStart(4, '0')}`,
      (15 + (rng.next() * 20)).toFixed(3),
      (990 + (rng.next() * 40)).toFixed(2),
      (rng.next() * 100).toFixed(2),
      (rng.next() * 2).toFixed(5),
      rng.pick(['ok', 'ok', 'ok', 'warn', 'fault']),
    ].join(',')
    rows.push(row)
    length += row.length + 1
  }

  const out = Buffer.from(`${rows.join('\n')}\n`).subarray(0, size)
  if (size > 0) out[size - 1] = 0x0a
  return out
}

/** A Jupyter notebook: code cells and, like real ones, base64 PNG outputs, which barely compress. */
export function notebookJson(approxSize: number, rng: Random, pools: TextPools): Buffer {
  const cells: unknown[] = []
  let size = 0
  for (let i = 0; size < approxSize; i++) {
    const code = pools.text('python', 300 + rng.int(1500), rng).toString('utf8')
    const cell: Record<string, unknown> = {
      cell_type: 'code',
      execution_count: i + 1,
      id: `cell-${i}`,
      metadata: {},
      outputs: [] as unknown[],
      source: code.split('\n').map(line => `${line}\n`),
    }
    size += code.length + 120
    if (rng.next() < 0.4) {
      const png = Buffer.concat([Buffer.from('\u0089PNG\r\n\u001A\n', 'latin1'), new Noise(`notebook:${rng.int(2 ** 32)}`).bytes(20_000 + rng.int(120_000))])
      const b64 = png.toString('base64');
      (cell.outputs as unknown[]).push({data: {'image/png': b64, 'text/plain': ['<Figure size 640x480 with 1 Axes>']}, metadata: {}, output_type: 'display_data'})
      size += b64.length + 150
    }

    cells.push(cell)
  }

  const nb = {
    cells,
    metadata: {kernelspec: {display_name: 'Python 3', language: 'python', name: 'python3'}, language_info: {name: 'python', version: '3.12.3'}},
    nbformat: 4,
    nbformat_minor: 5,
  }
  return Buffer.from(JSON.stringify(nb, null, 1))
}

/**
 * Pieces of a binary file: `head`, then incompressible bytes, then `tail`, `size` bytes in all, made
 * as they are consumed so a 100 MB library never sits in memory.
 */
export function * noisePieces(key: string, size: number, head: Buffer = Buffer.alloc(0), tail: Buffer = Buffer.alloc(0)): Generator<Buffer> {
  const noise = new Noise(key)
  const body = size - head.length - tail.length
  if (body < 0) throw new Error(`${key}: ${size} bytes cannot hold its ${head.length + tail.length}-byte head and tail`)
  if (head.length > 0) yield head
  const piece = 1024 * 1024
  for (let left = body; left > 0; left -= piece) yield noise.bytes(Math.min(piece, left))
  if (tail.length > 0) yield tail
}

/** The first bytes of a 64-bit little-endian ELF shared object. */
export const ELF_HEAD = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0x3e, 0, 0x01, 0, 0, 0])
/** HDF5's format signature: what Keras `.h5` weights start with. */
export const HDF5_SIGNATURE = Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1')
export const PDF_HEAD = Buffer.from('%PDF-1.7\n%\u00E2\u00E3\u00CF\u00D3\n', 'latin1')
export const PDF_TAIL = Buffer.from('\nstartxref\n116\n%%EOF\n', 'latin1')
/** A protobuf-encoded field 1 varint, the way a SavedModel's saved_model.pb begins. */
const SAVED_MODEL_HEAD = Buffer.from([0x08, 0x01, 0x12])

/** saved_model.pb: a graph of op names and attributes, binary but fairly compressible. */
export function savedModelPb(size: number, rng: Random, pools: TextPools): Buffer {
  const text = pools.text('python', Math.max(0, size - SAVED_MODEL_HEAD.length), rng)
  return Buffer.concat([SAVED_MODEL_HEAD, text]).subarray(0, size)
}

interface ZipMember {
  name: string
  size: number
  crc: number
  pieces: () => Iterable<Buffer>
}

function zipLocalHeader(m: ZipMember): Buffer {
  const name = Buffer.from(m.name)
  const h = Buffer.alloc(30)
  h.writeUInt32LE(0x04034b50, 0)
  h.writeUInt16LE(20, 4)
  h.writeUInt16LE(0, 6)
  h.writeUInt16LE(0, 8) // stored: the weights would not deflate anyway
  h.writeUInt16LE(0x6000, 10)
  h.writeUInt16LE(0x58a1, 12)
  h.writeUInt32LE(m.crc, 14)
  h.writeUInt32LE(m.size, 18)
  h.writeUInt32LE(m.size, 22)
  h.writeUInt16LE(name.length, 26)
  return Buffer.concat([h, name])
}

function zipCentralHeader(m: ZipMember, offset: number): Buffer {
  const name = Buffer.from(m.name)
  const h = Buffer.alloc(46)
  h.writeUInt32LE(0x02014b50, 0)
  h.writeUInt16LE(20, 4)
  h.writeUInt16LE(20, 6)
  h.writeUInt16LE(0x6000, 12)
  h.writeUInt16LE(0x58a1, 14)
  h.writeUInt32LE(m.crc, 16)
  h.writeUInt32LE(m.size, 20)
  h.writeUInt32LE(m.size, 24)
  h.writeUInt16LE(name.length, 28)
  h.writeUInt32LE(offset, 42)
  return Buffer.concat([h, name])
}

/** A stored zip archive, streamed member by member; its size is known before any byte is made. */
export function zipArchive(members: ZipMember[]): {size: number; pieces: () => Generator<Buffer>} {
  const locals = members.map(m => zipLocalHeader(m))
  const offsets: number[] = []
  let offset = 0
  for (const [i, m] of members.entries()) {
    offsets.push(offset)
    offset += locals[i].length + m.size
  }

  const central = Buffer.concat(members.map((m, i) => zipCentralHeader(m, offsets[i])))
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(members.length, 8)
  end.writeUInt16LE(members.length, 10)
  end.writeUInt32LE(central.length, 12)
  end.writeUInt32LE(offset, 16)
  return {
    size: offset + central.length + end.length,
    * pieces() {
      for (const [i, m] of members.entries()) {
        yield locals[i]
        yield * m.pieces()
      }

      yield central
      yield end
    },
  }
}

const CRC_TABLE = Array.from({length: 256}, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** CRC-32 as zip stores it (zlib.crc32 needs Node 20.15; the plugin supports all of Node 20). */
function crc32(data: Buffer, previous = 0): number {
  let crc = ~previous >>> 0
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return ~crc >>> 0
}

/** A zip member from bytes in memory. */
export function zipText(name: string, text: string): ZipMember {
  const data = Buffer.from(text)
  return {crc: crc32(data), name, pieces: () => [data], size: data.length}
}

/** A zip member of incompressible bytes, its CRC computed by a first pass over the same deterministic stream. */
export function zipNoise(name: string, key: string, size: number, head?: Buffer): ZipMember {
  let crc = 0
  for (const piece of noisePieces(key, size, head)) crc = crc32(piece, crc)
  return {crc, name, pieces: () => noisePieces(key, size, head), size}
}
