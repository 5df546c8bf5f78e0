import {normalizePythonName} from '../../analyze/python/dist-info.js'
import {parseSize} from '../../shared/bytes.js'
import type {InstalledPackage, PipDownload} from './log.js'

/*
 * uv, which the Python buildpack installs with when the app has a uv.lock, prints when its output is
 * not a terminal one line as each download over 1 MiB starts and one as it ends, and the packages it
 * installed (https://github.com/astral-sh/uv/pull/11165):
 *     Downloading torch (731.1MiB)
 *      Downloaded torch
 *      + torch==2.6.0
 * Sizes are in binary units. Smaller downloads print nothing: those packages are installed unsized.
 */
// Lines come trimmed at the end (cleanLogLines); gaps and numbers are bounded so that no line can make these backtrack.
const DOWNLOADING = /^\s*Downloading {1,8}([A-Za-z0-9][\w.-]*) {1,8}\((\d{1,12}(?:\.\d{1,6})? ?(?:B|KiB|MiB|GiB))\)$/
const DOWNLOADED = /^\s*Downloaded {1,8}([A-Za-z0-9][\w.-]*)$/
const INSTALLED = /^\s*\+ {1,8}([A-Za-z0-9][\w.-]*)(?:\[[^\]]*\])?(?:==(\S+)| {1,8}@ {1,8}\S+)?$/

/** `Downloading torch (731.1MiB)`: a wheel uv started to fetch, complete once its `Downloaded` line comes. */
export function parseUvDownloadLine(line: string, lineNumber: number): PipDownload | undefined {
  const m = DOWNLOADING.exec(line)
  if (!m) return undefined
  return {cached: false, complete: false, file: m[1], kind: 'wheel', line: lineNumber, name: normalizePythonName(m[1]), size: parseSize(m[2])}
}

/** ` Downloaded torch`: the normalised name of the download that finished. */
export function parseUvDownloadedLine(line: string): string | undefined {
  const m = DOWNLOADED.exec(line)
  return m ? normalizePythonName(m[1]) : undefined
}

/** ` + torch==2.6.0` (or ` + pkg @ git+https://...`, with no version): a package uv installed. */
export function parseUvInstalledLine(line: string): InstalledPackage | undefined {
  const m = INSTALLED.exec(line)
  if (!m) return undefined
  return {displayName: m[1], name: normalizePythonName(m[1]), version: m[2]}
}
