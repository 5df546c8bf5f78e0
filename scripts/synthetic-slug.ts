/**
 * A synthetic Heroku slug of a TensorFlow app, made locally so the plugin can be demonstrated and
 * benchmarked with no Heroku account: `node --import tsx scripts/synthetic-slug.ts --scale 0.05 --out slug.tgz`.
 * Scale 1 is ~500 MB compressed, ~1.4 GB uncompressed, ~25k entries; sizes and counts grow linearly.
 * The slug is streamed (tar items -> 1 MiB chunks -> gzip level 6, as Heroku compresses -> file).
 */
import {createHash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, readdir, readFile, rename, rm, stat} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {createGzip} from 'node:zlib'

import {formatBytes} from '../src/lib/shared/bytes.js'
import {parseScriptArgs, positiveNumber, runScript, ScriptError, UsageError} from './cli-args.js'
import {SlugLayout} from './synthetic/layout.js'
import {tarChunks, type TarStats} from './synthetic/tar.js'

export const DEFAULT_SEED = 'heroku-slug-diet'

export interface SyntheticSlugOptions {
  out: string
  /** 1 = ~500 MB compressed; 2 doubles; 0.05 is small */
  scale?: number
  /** scales the big files' sizes alone (default: scale): more bytes, the same files */
  bytesScale?: number
  seed?: number | string
}

export interface SyntheticSlug {
  path: string
  /** tar entries under ./app/ (files, folders, symlinks) */
  entries: number
  files: number
  uncompressedBytes: number
  compressedBytes: number
}

/** The slug's uncompressed tar, as a stream of 1 MiB chunks made on demand. */
export function syntheticTar(options: {scale?: number; bytesScale?: number; seed?: number | string}, stats?: TarStats): Readable {
  const layout = new SlugLayout(options.scale ?? 1, String(options.seed ?? DEFAULT_SEED), options.bytesScale)
  return Readable.from(tarChunks(layout.items(), stats), {objectMode: false})
}

/** Writes a synthetic slug to `out` (through a temp file, so a cut run never leaves a half slug there). */
export async function writeSyntheticSlug(options: SyntheticSlugOptions): Promise<SyntheticSlug> {
  const scale = options.scale ?? 1
  if (!(scale > 0)) throw new Error(`scale must be a positive number, not ${scale}`)
  if (options.bytesScale !== undefined && !(options.bytesScale > 0)) throw new Error(`bytes scale must be a positive number, not ${options.bytesScale}`)
  await mkdir(dirname(options.out), {recursive: true})
  const tmp = `${options.out}.${process.pid}.partial`
  const stats: TarStats = {bytes: 0, entries: 0, files: 0}
  try {
    await pipeline(syntheticTar({bytesScale: options.bytesScale, scale, seed: options.seed}, stats), createGzip({chunkSize: 256 * 1024, level: 6}), createWriteStream(tmp))
    await rename(tmp, options.out)
  } catch (error) {
    await rm(tmp, {force: true})
    throw error
  }

  const {size} = await stat(options.out)
  return {compressedBytes: size, entries: stats.entries, files: stats.files, path: options.out, uncompressedBytes: stats.bytes}
}

/** A hash of the generator's own source: a cached slug is reused only if the code that made it is unchanged. */
async function generatorFingerprint(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url))
  const files = [join(here, 'synthetic-slug.ts'), ...(await readdir(join(here, 'synthetic'))).sort().map(f => join(here, 'synthetic', f))]
  const hash = createHash('sha256')
  for (const file of files) hash.update(await readFile(file))
  return hash.digest('hex').slice(0, 10)
}

export interface CachedSlug {
  path: string
  /** false when an earlier run's slug was reused */
  generated: boolean
  compressedBytes: number
}

/** A synthetic slug in `dir`, keyed by scale(s), seed and generator version: made once, then reused. */
export async function cachedSyntheticSlug(options: {dir: string; scale: number; bytesScale?: number; seed?: string}): Promise<CachedSlug> {
  const seed = options.seed ?? DEFAULT_SEED
  const bytes = options.bytesScale === undefined || options.bytesScale === options.scale ? '' : `-b${options.bytesScale}`
  const path = join(options.dir, `slug-s${options.scale}${bytes}-${seed.replaceAll(/[^\w.-]/g, '_')}-${await generatorFingerprint()}.tgz`)
  const existing = await stat(path).catch(() => null)
  if (existing) return {compressedBytes: existing.size, generated: false, path}
  const slug = await writeSyntheticSlug({bytesScale: options.bytesScale, out: path, scale: options.scale, seed})
  return {compressedBytes: slug.compressedBytes, generated: true, path}
}

const USAGE = `usage: node --import tsx scripts/synthetic-slug.ts --out PATH [--scale S] [--bytes-scale B] [--seed SEED]

Writes a synthetic Heroku slug of a TensorFlow app to PATH (a gzip tar, as Heroku builds them).
  --out PATH          where to write the slug (.tgz)
  --scale S           size and file count; 1 is ~500 MB compressed, ~25k entries (default 1)
  --bytes-scale B     scales the big files' sizes alone (default: S)
  --seed SEED         the same seed gives the same bytes (default ${DEFAULT_SEED})`

async function main(): Promise<void> {
  const args = parseScriptArgs(process.argv.slice(2), {
    'bytes-scale': {type: 'string'}, out: {type: 'string'}, scale: {default: '1', type: 'string'}, seed: {default: DEFAULT_SEED, type: 'string'},
  })
  if (args.help) {
    console.log(USAGE)
    return
  }

  if (!args.out) throw new UsageError('--out PATH is required')
  const scale = positiveNumber('--scale', args.scale)
  const bytesScale = args['bytes-scale'] === undefined ? undefined : positiveNumber('--bytes-scale', args['bytes-scale'])
  const started = Date.now()
  const slug = await writeSyntheticSlug({bytesScale, out: args.out, scale, seed: args.seed}).catch((error: NodeJS.ErrnoException) => {
    // fs errors read "ENOTDIR: not a directory, mkdir '...'": keep the reason, the path is said once.
    if (error.code) throw new ScriptError(`cannot write ${args.out}: ${error.message.split(',')[0]}`)
    throw error
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const sizes = `${formatBytes(slug.uncompressedBytes)} uncompressed, ${formatBytes(slug.compressedBytes)} compressed`
  console.log(`${slug.path}: ${slug.entries.toLocaleString('en-US')} entries, ${sizes} (${seconds} s)`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runScript('synthetic-slug', main)
