/**
 * `npm run bench:precision`: how close the scanner's per-entry compressed share is to what the bytes
 * cost, measured against `gzip -6 -c FILE | wc -c` for files of 1 MiB and more, and against gzip of a
 * tar of a package's files (in slug order) for package totals. Two slugs: a synthetic one
 * (default scale 1, shared with `npm run bench`) and a small one made by GNU tar from a few known
 * files. The slug is extracted once with `tar -xzf` (equivalent to `tar -xzOf slug PATH` per file,
 * without inflating the whole slug once per file). Writes a section of bench/RESULTS.md.
 */
import {execFileSync, spawn} from 'node:child_process'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {cachedSyntheticSlug, DEFAULT_SEED} from '../scripts/synthetic-slug.js'
import {csvText, HDF5_SIGNATURE, noisePieces, TextPools} from '../scripts/synthetic/content.js'
import {Random} from '../scripts/synthetic/random.js'
import {PIECE_BYTES} from '../src/lib/scan/scanner.js'
import {scanSlugFile} from '../src/lib/source/slug-reader.js'
import type {ScanResult, SlugEntry} from '../src/lib/scan/entries.js'
import {formatBytes} from '../src/lib/shared/bytes.js'
import {median, WORK} from './lib/measure.js'
import {writeSection} from './lib/results.js'

const MIB = 1024 * 1024
const SITE = '.heroku/python/lib/python3.12/site-packages'

const {values} = parseArgs({options: {scale: {default: '1', type: 'string'}, seed: {default: DEFAULT_SEED, type: 'string'}}})

/** Bytes a shell pipeline writes to stdout, like `... | wc -c`. */
function outputBytes(command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'inherit']})
  let bytes = 0
  child.stdout!.on('data', (d: Buffer) => {
    bytes += d.length
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => (code === 0 ? resolve(bytes) : reject(new Error(`${command} exited ${code}`))))
  })
}

/** `gzip -6 -c FILE | wc -c` */
const gzipBytes = (file: string) => outputBytes('gzip', ['-6', '-c', file])

/** What these entries cost as a tar of their own: `tar -c --no-recursion -T LIST | gzip -6 | wc -c`. */
async function tarGzipBytes(root: string, paths: string[]): Promise<number> {
  const list = join(root, '.entries')
  await writeFile(list, paths.map(p => `./app/${p}`).join('\n'))
  try {
    return await outputBytes('sh', ['-c', 'tar -c --format=gnu --no-recursion -C "$1" -T "$2" | gzip -6 -c', 'sh', root, list])
  } finally {
    await rm(list, {force: true})
  }
}

interface Comparison {
  name: string
  size: number
  share: number
  gzip: number
  /** (share - gzip) / gzip */
  error: number
}

function compare(name: string, share: number, size: number, gzip: number): Comparison {
  return {error: (share - gzip) / gzip, gzip, name, share, size}
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`
const noise = (key: string, size: number, head?: Buffer) => Buffer.concat([...noisePieces(key, size, head)])

function summary(label: string, rows: Comparison[]): string {
  if (rows.length === 0) return `| ${label} | 0 | | | |`
  const abs = rows.map(r => Math.abs(r.error))
  const worst = rows.reduce((a, b) => (Math.abs(b.error) > Math.abs(a.error) ? b : a))
  const detail = `${formatBytes(worst.size)}: share ${formatBytes(worst.share)}, gzip ${formatBytes(worst.gzip)}`
  return `| ${label} | ${rows.length} | ${percent(Math.max(...abs))} | ${percent(median(abs))} | \`${worst.name}\` (${detail}) |`
}

async function extract(slug: string, dir: string): Promise<void> {
  await rm(dir, {force: true, recursive: true})
  await mkdir(dir, {recursive: true})
  execFileSync('tar', ['-xzf', slug, '-C', dir])
}

const isFile = (e: SlugEntry) => e.type === 'file'

async function largeFiles(scan: ScanResult, root: string): Promise<Comparison[]> {
  const rows: Comparison[] = []
  for (const e of scan.entries.filter(e => isFile(e) && e.size >= MIB)) rows.push(compare(e.path, e.compressed, e.size, await gzipBytes(join(root, 'app', e.path))))
  return rows
}

/**
 * Each distribution's files (from its RECORD) against a tar of just those files in slug order, gzipped:
 * in a slug a package also pays for its tar headers, which the scanner folds into the next file's share.
 */
async function packageTotals(scan: ScanResult, root: string): Promise<Comparison[]> {
  const order = new Map(scan.entries.map((e, i) => [e.path, i]))
  const byPath = new Map(scan.entries.map(e => [e.path, e]))
  const rows: Comparison[] = []
  for (const [record, text] of Object.entries(scan.captured)) {
    if (!record.endsWith('.dist-info/RECORD')) continue
    const paths = text.trim().split('\n').map(line => {
      const rel = line.split(',')[0]
      return rel.startsWith('../../../') ? `.heroku/python/${rel.slice(9)}` : `${SITE}/${rel}`
    }).filter(p => byPath.get(p)?.type === 'file' && byPath.get(p)!.size > 0)
    paths.sort((a, b) => order.get(a)! - order.get(b)!)
    const share = paths.reduce((sum, p) => sum + byPath.get(p)!.compressed, 0)
    const size = paths.reduce((sum, p) => sum + byPath.get(p)!.size, 0)
    if (size < MIB) continue
    rows.push(compare(record.slice(SITE.length + 1, -'/RECORD'.length), share, size, await tarGzipBytes(root, paths)))
  }

  return rows
}

/** Small text files alone (each its own gzip stream) against their share inside the slug. */
async function smallText(scan: ScanResult, root: string): Promise<{count: number; inside: number; alone: number}> {
  const small = scan.entries.filter(e => isFile(e) && e.path.endsWith('.py') && e.size >= 512 && e.size < 64 * 1024)
  const sample = small.filter((_, i) => i % Math.max(1, Math.floor(small.length / 400)) === 0)
  let inside = 0
  let alone = 0
  for (const e of sample) {
    inside += e.compressed
    alone += await gzipBytes(join(root, 'app', e.path))
  }

  return {alone, count: sample.length, inside}
}

/** A slug made by GNU tar + gzip -6 (not by our generator) from a few files of known kinds. */
async function knownSlug(dir: string): Promise<string> {
  await rm(dir, {force: true, recursive: true})
  const app = join(dir, 'app')
  await mkdir(join(app, 'lib'), {recursive: true})
  const pools = new TextPools('known')
  const rng = new Random('known')
  await writeFile(join(app, 'weights.bin'), noise('weights', 8 * MIB))
  await writeFile(join(app, 'model.h5'), noise('h5', 3 * MIB, HDF5_SIGNATURE))
  await writeFile(join(app, 'generated_ops.py'), pools.text('python', 4 * MIB, rng))
  await writeFile(join(app, 'table.csv'), csvText(3 * MIB, rng))
  await writeFile(join(app, 'tensor.h'), pools.text('header', 2 * MIB, rng))
  for (let i = 0; i < 200; i++) await writeFile(join(app, 'lib', `module_${i}.py`), pools.text('python', 2000 + rng.int(20_000), rng))
  const slug = join(dir, 'known.tgz')
  execFileSync('tar', ['-czf', slug, '-C', dir, './app'])
  return slug
}

const scale = Number(values.scale)
const generated = await cachedSyntheticSlug({dir: WORK, scale, seed: values.seed})
console.log(`synthetic slug ${generated.path} (${formatBytes(generated.compressedBytes)})`)
const genScan = await scanSlugFile(generated.path)
const genRoot = join(WORK, 'extract-synthetic')
await extract(generated.path, genRoot)
const genLarge = await largeFiles(genScan, genRoot)
const genPackages = await packageTotals(genScan, genRoot)
const small = await smallText(genScan, genRoot)
await rm(genRoot, {force: true, recursive: true})

const knownDir = join(WORK, 'known')
const knownPath = await knownSlug(knownDir)
const knownScan = await scanSlugFile(knownPath)
const knownLarge = await largeFiles(knownScan, knownDir)
await rm(knownDir, {force: true, recursive: true})

const body = `## Compressed-share precision (\`npm run bench:precision\`)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. The scanner feeds the inflater ${PIECE_BYTES / 1024} KiB compressed pieces
and splits each piece's bytes across the entries whose contents it produced (tar headers and padding weigh nothing).
Reference: \`gzip -6 -c FILE | wc -c\` for a file; for a package, \`tar -c --no-recursion -T LIST | gzip -6 | wc -c\` over its
RECORD's files in slug order (a package pays for its tar headers too; the scanner folds a header's bytes into the next file).
Error = (share - gzip) / gzip.

| what | count | max abs error | median abs error | worst |
|---|---|---|---|---|
${summary(`synthetic slug (scale ${scale}, ${formatBytes(generated.compressedBytes)}): files >= 1 MiB`, genLarge)}
${summary('... of which incompressible (gzip saves < 5%: .so, weights)', genLarge.filter(r => r.gzip > r.size * 0.95))}
${summary('... of which compressible (text, csv, notebooks)', genLarge.filter(r => r.gzip <= r.size * 0.95))}
${summary('synthetic slug: package totals (distributions >= 1 MiB)', genPackages)}
${summary('known files, slug made by GNU tar -czf: files >= 1 MiB', knownLarge)}

Small text files cost less inside a slug than alone: ${small.count} \`.py\` files of 0.5-64 KiB from the synthetic slug take
${formatBytes(small.inside)} of the slug but ${formatBytes(small.alone)} as separate \`gzip -6 -c\` files
(${((1 - (small.inside / small.alone)) * 100).toFixed(0)}% less inside: one shared 32 KiB window across files, no per-file gzip header
or trailer). So a single small file's share is not "what gzip says for that file", and removing many small files saves
their share, not the sum of their standalone gzip sizes. Incompressible files (weights, \`.so\`) match standalone gzip closely.
`
await writeSection('precision', body)
console.log(body)
