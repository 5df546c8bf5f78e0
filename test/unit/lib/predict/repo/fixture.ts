import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {incompressible} from '../../../../helpers/slug-builder.js'

/** A seeded PRNG (mulberry32): fixtures are the same bytes on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const KEYWORDS = ['def', 'return', 'import', 'from', 'class', 'self', 'if', 'else', 'for', 'in', 'with', 'as', 'None', 'True']
const SYLLABLES = ['ten', 'sor', 'lay', 'er', 'con', 'fig', 'mod', 'el', 'ar', 'ray', 'da', 'ta', 'shape', 'ker', 'nel', 'opt', 'grad', 'step']

/** Python-like source: indented lines of keywords, invented identifiers and numbers. */
export function pythonSource(bytes: number, random: () => number): Buffer {
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]
  const ident = (): string => Array.from({length: 1 + Math.floor(random() * 3)}, () => pick(SYLLABLES)).join('_')
  let out = ''
  while (out.length < bytes) {
    const indent = '    '.repeat(Math.floor(random() * 3))
    const kind = random()
    if (kind < 0.2) out += `${indent}def ${ident()}(self, ${ident()}, ${ident()}=${Math.floor(random() * 100)}):\n`
    else if (kind < 0.4) out += `${indent}${ident()} = ${ident()}.${ident()}(${ident()}, ${(random() * 10).toFixed(3)})\n`
    else if (kind < 0.5) out += `${indent}# ${Array.from({length: 6}, () => ident()).join(' ')}\n`
    else out += `${indent}${pick(KEYWORDS)} ${ident()} ${pick(KEYWORDS)} ${ident()}:\n`
  }

  return Buffer.from(out.slice(0, bytes))
}

function csv(bytes: number, random: () => number): Buffer {
  const rows = ['id,timestamp,value,label']
  let size = rows[0].length + 1
  for (let i = 0; size < bytes; i++) {
    const date = `2024-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}T${Math.floor(random() * 24)}:00`
    const row = `${i},${date},${(random() * 1000).toFixed(4)},${SYLLABLES[Math.floor(random() * SYLLABLES.length)]}`
    rows.push(row)
    size += row.length + 1
  }

  return Buffer.from(`${rows.join('\n')}\n`).subarray(0, bytes)
}

/** Float32 weights with few distinct values: compresses somewhat, like real checkpoints of small models. */
function weights(bytes: number, random: () => number): Buffer {
  const out = Buffer.alloc(bytes - (bytes % 4))
  for (let i = 0; i < out.length; i += 4) out.writeFloatLE(Math.round((random() - 0.5) * 200) / 100, i)
  return out
}

/**
 * A repo-like tree: ~300 Python files, JSON configs, a 10 MB CSV, a 12 MB incompressible model, 6 MB of
 * float weights, a 3 MB bundle, small images. Returns each file's path and size.
 */
export function writeMixedTree(dir: string): Map<string, number> {
  const random = prng(42)
  const files = new Map<string, Buffer>()
  for (let i = 0; i < 300; i++) {
    files.set(`app/module${i % 12}/part${i}.py`, pythonSource(200 + Math.floor(random() * 30_000), random))
  }

  for (let i = 0; i < 40; i++) {
    const config = {id: i, layers: Array.from({length: 1 + (i % 7)}, (_, j) => ({name: `dense_${j}`, units: 2 ** (4 + j), activation: j % 2 ? 'relu' : 'tanh'}))}
    files.set(`config/model${i}.json`, Buffer.from(JSON.stringify(config, null, 2)))
  }

  for (let i = 0; i < 12; i++) files.set(`static/img/icon${i}.png`, incompressible(2000 + (i * 4000), 100 + i))
  files.set('static/bundle.js', pythonSource(3_000_000, random))
  files.set('data/train.csv', csv(10_000_000, random))
  files.set('models/model.h5', incompressible(12_000_000, 7))
  files.set('models/weights.npy', weights(6_000_000, random))
  files.set('README.md', pythonSource(4000, random))
  const sizes = new Map<string, number>()
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
    sizes.set(path, content.length)
  }

  return sizes
}

/** A slug of `dir` as Heroku's slug compiler packs one: GNU tar, gzip -6, entries under ./app/. */
export function tarSlug(dir: string, out: string): void {
  execFileSync('tar', ['-C', dir, '-czf', out, '--transform', String.raw`s,^\./,./app/,`, '.'])
}

/** Runs git in `dir` with a fixed identity (the machine may have none configured). */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', '-c', 'init.defaultBranch=main', '-C', dir, ...args], {
    encoding: 'utf8',
  })
}
