import {lstat, readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {PackageRow} from '../analysis/types.js'
import {mapLimit} from '../repo/limit.js'
import {UserError} from '../util/errors.js'
import {normalizePackageName} from './requirements.js'

const STAT_CONCURRENCY = 32

/** The paths a dist-info RECORD lists (a CSV of path,hash,size; paths with commas are quoted). */
export function recordPaths(record: string): string[] {
  const paths: string[] = []
  for (const line of record.split('\n')) {
    const row = line.replace(/\r$/, '')
    if (row === '') continue
    const m = /^"((?:[^"]|"")*)"/.exec(row)
    paths.push(m ? m[1].replaceAll('""', '"') : row.slice(0, row.includes(',') ? row.indexOf(',') : undefined))
  }

  return paths
}

/** `Name:` and `Version:` from a METADATA file's headers. */
function metadataField(metadata: string, field: string): string | undefined {
  const m = new RegExp(`^${field}:\\s*(.+)$`, 'mi').exec(metadata.split(/\r?\n\r?\n/)[0])
  return m ? m[1].trim() : undefined
}

/**
 * Installed Python distributions in a site-packages folder, each with the real on-disk size of the files
 * its `*.dist-info/RECORD` lists (files listed but absent are skipped; scripts outside site-packages,
 * `../../../bin/x`, are counted since the buildpack installs them into the slug too).
 */
export async function readInstalledPackages(sitePackages: string, location = sitePackages): Promise<PackageRow[]> {
  const entries = await readdir(sitePackages).catch((error: Error) => {
    throw new UserError(`Cannot read the site-packages folder ${sitePackages}: ${error.message}`)
  })
  const distInfos = entries.filter(e => e.endsWith('.dist-info')).sort()
  const rows = await mapLimit(distInfos, 4, async distInfo => {
    const record = await readFile(join(sitePackages, distInfo, 'RECORD'), 'utf8').catch(() => {})
    if (record === undefined) return
    const metadata = (await readFile(join(sitePackages, distInfo, 'METADATA'), 'utf8').catch(() => '')) ?? ''
    const [dirName, dirVersion] = distInfo.replace(/\.dist-info$/, '').split('-')
    const name = metadataField(metadata, 'Name') ?? dirName
    const version = metadataField(metadata, 'Version') ?? dirVersion
    const sizes = await mapLimit([...new Set(recordPaths(record))], STAT_CONCURRENCY, async p => {
      const info = await lstat(join(sitePackages, p)).catch(() => {})
      return info && !info.isDirectory() ? (info.isSymbolicLink() ? 0 : info.size) : -1
    })
    const present = sizes.filter(s => s >= 0)
    const row: PackageRow = {
      compressed: 0,
      ecosystem: 'python',
      evidence: 'installed',
      files: present.length,
      location,
      name: normalizePackageName(name),
      size: present.reduce((a, b) => a + b, 0),
    }
    if (version) row.version = version
    return row
  })
  return rows.filter(r => r !== undefined)
}

/**
 * A virtual environment's site-packages inside the repo (`.venv`, `venv` or `env`, POSIX or Windows
 * layout), undefined when there is none.
 */
export async function findSitePackages(root: string): Promise<string | undefined> {
  for (const venv of ['.venv', 'venv', 'env']) {
    const lib = join(root, venv, 'lib')
    const pythons = (await readdir(lib).catch(() => [] as string[])).filter(d => /^python3(?:\.\d+)?$/.test(d)).sort()
    for (const python of pythons.reverse()) {
      const candidate = join(lib, python, 'site-packages')
      if ((await stat(candidate).catch(() => {}))?.isDirectory()) return candidate
    }

    const windows = join(root, venv, 'Lib', 'site-packages')
    if ((await stat(windows).catch(() => {}))?.isDirectory()) return windows
  }

  return undefined
}
