import {gzipSync} from 'node:zlib'

import {BLOCK, blockPadding, gnuLongName, paxRecord, tarHeaderBlock} from '../../scripts/synthetic/tar.js'

/** An entry of a fixture slug. Paths are written as given: pass './app/...' for entries Heroku unpacks. */
export interface FixtureEntry {
  path: string
  type?: 'directory' | 'file' | 'hardlink' | 'symlink'
  content?: Buffer | string
  linkTarget?: string
  /** how a name too long for the 100-byte field is written */
  longName?: 'gnu' | 'pax'
  /** extra pax records written before the entry, as given (e.g. a malformed size) */
  pax?: Record<string, string>
  /** a pax header body written verbatim (to test damaged records) */
  paxBody?: string
}

/** Fixture entries' mtime: 0o14000000000 s (January 2021). */
const MTIME = 0o14_000_000_000

/** A POSIX ustar header, uid/gid 0, mode 0644 for every entry type. */
function header(name: string, typeflag: string, size: number, linkname = ''): Buffer {
  return tarHeaderBlock({format: 'ustar', linkname, mode: 0o644, mtime: MTIME, name, size, typeflag})
}

function padded(data: Buffer): Buffer[] {
  const pad = blockPadding(data.length)
  return pad ? [data, Buffer.alloc(pad)] : [data]
}

/** Builds an uncompressed tar (ustar, with GNU or pax long names) from fixture entries. */
export function buildTar(entries: FixtureEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const e of entries) {
    const type = e.type ?? 'file'
    const flag = {directory: '5', file: '0', hardlink: '1', symlink: '2'}[type]
    const data = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0)
    let name = e.path
    const records = Object.entries(e.pax ?? {})
    if (Buffer.byteLength(name) > 99) {
      if (e.longName === 'gnu') {
        const long = gnuLongName(name)
        parts.push(header('././@LongLink', 'L', long.length), ...padded(long))
      } else {
        records.unshift(['path', name])
      }

      name = name.slice(0, 99)
    }

    if (records.length > 0 || e.paxBody !== undefined) {
      const pax = Buffer.from(e.paxBody ?? records.map(([key, value]) => paxRecord(key, value)).join(''))
      parts.push(header('PaxHeader', 'x', pax.length), ...padded(pax))
    }

    parts.push(header(name, flag, data.length, e.linkTarget ?? ''))
    if (data.length > 0) parts.push(...padded(data))
  }

  parts.push(Buffer.alloc(BLOCK * 2))
  return Buffer.concat(parts)
}

/** A gzip-compressed fixture slug. */
export function buildSlug(entries: FixtureEntry[], level = 6): Buffer {
  return gzipSync(buildTar(entries), {level})
}

/** Deterministic bytes that do not compress (a stand-in for model weights and shared libraries). */
export function incompressible(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }

  return out
}
