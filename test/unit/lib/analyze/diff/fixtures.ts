import {createHash} from 'node:crypto'

import {SlugScanner} from '../../../../../src/lib/scan/scanner.js'
import type {ScanResult} from '../../../../../src/lib/scan/entries.js'
import {buildSlug, type FixtureEntry, incompressible} from '../../../../helpers/slug-builder.js'

export const SITE = './app/.heroku/python/lib/python3.12/site-packages'

/** Text that compresses like source code: varied lines, not one repeated byte. */
export function sourceText(bytes: number, seed: number): string {
  const lines: string[] = []
  let length = 0
  for (let i = 0; length < bytes; i++) {
    const line = `def handler_${seed}_${i}(event, context):  # ${createHash('md5').update(`${seed}:${i}`).digest('hex')}\n`
    lines.push(line)
    length += line.length
  }

  return lines.join('').slice(0, bytes)
}

/** A Python distribution installed by pip: its files plus a dist-info with METADATA and RECORD. */
export function wheel(name: string, version: string, files: Record<string, Buffer | string>): FixtureEntry[] {
  const info = `${name}-${version}.dist-info`
  const record = Object.entries(files).map(([path, content]) => `${path},sha256=x,${Buffer.byteLength(content)}`)
  const metadata = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`
  return [
    ...Object.entries(files).map(([path, content]) => ({content, path: `${SITE}/${path}`})),
    {content: metadata, path: `${SITE}/${info}/METADATA`},
    {content: `${[...record, `${info}/METADATA,,`, `${info}/RECORD,,`].join('\n')}\n`, path: `${SITE}/${info}/RECORD`},
  ]
}

/**
 * Two releases of the same app: a model moved from models/ to assets/models/, a tokenizer added,
 * data/old.csv removed, static/bundle.js grown, settings.py rewritten at the same size, and
 * requests upgraded from 2.31.0 to 2.32.3 with a bigger api.py.
 */
export const BEFORE: FixtureEntry[] = [
  {path: './app/', type: 'directory'},
  {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
  {content: sourceText(3000, 1), path: './app/app.py'},
  {content: `SETTINGS = 1\n${sourceText(2000, 2)}`, path: './app/settings.py'},
  {content: incompressible(200_000, 7), path: './app/models/classifier.h5'},
  {content: sourceText(50_000, 3), path: './app/data/old.csv'},
  {content: sourceText(20_000, 4), path: './app/static/bundle.js'},
  ...wheel('requests', '2.31.0', {'requests/__init__.py': sourceText(1500, 5), 'requests/api.py': sourceText(6000, 6)}),
]

export const AFTER: FixtureEntry[] = [
  {path: './app/', type: 'directory'},
  {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
  {content: sourceText(3000, 1), path: './app/app.py'},
  {content: `SETTINGS = 2\n${sourceText(2000, 2)}`, path: './app/settings.py'},
  {content: incompressible(100_000, 8), path: './app/models/tokenizer.bin'},
  {content: incompressible(200_000, 7), path: './app/assets/models/classifier.h5'},
  {content: sourceText(60_000, 4), path: './app/static/bundle.js'},
  ...wheel('requests', '2.32.3', {'requests/__init__.py': sourceText(1500, 5), 'requests/api.py': sourceText(9000, 6)}),
]

export function scanFixture(entries: FixtureEntry[]): ScanResult {
  const bytes = buildSlug(entries)
  const chunk = 64 * 1024
  // As slug:diff scans: with content hashes.
  const scanner = new SlugScanner({contentHashes: true})
  for (let i = 0; i < bytes.length; i += chunk) scanner.write(bytes.subarray(i, i + chunk))
  return scanner.end()
}
