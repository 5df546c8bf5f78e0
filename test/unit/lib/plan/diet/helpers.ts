import type {Category, FileRow} from '../../../../../src/lib/analyze/rows.js'

/** A FileRow for planner tests: compressed share defaults to half the size. */
export function row(path: string, size: number, extra: Partial<FileRow> = {}): FileRow {
  const buildpack = path.startsWith('.heroku/') || path.startsWith('node_modules/')
  return {
    category: (buildpack ? 'python-package' : 'app-code') as Category,
    compressed: Math.round(size / 2),
    files: 1,
    origin: buildpack ? 'buildpack' : 'repo',
    path,
    size,
    ...extra,
  }
}

export const SITE = '.heroku/python/lib/python3.11/site-packages'
