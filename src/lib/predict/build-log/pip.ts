import {parseSize} from '../../shared/bytes.js'
import type {InstalledPackage, PipDownload, PipRequirement} from './log.js'

// The one PEP 503 normalisation lives in analyze/python/dist-info.ts; this module keeps exporting it under its own name.

import {normalizePythonName} from '../../analyze/python/dist-info.js'

/** A size as pip prints it: "589.8 MB", "37 kB", "982 bytes", or old pip's "752.0MB". Decimal units. */
export function parsePipSize(text: string): number | undefined {
  const trimmed = text.trim()
  const bytes = /bytes?$/i.exec(trimmed)
  return parseSize(bytes ? `${trimmed.slice(0, bytes.index).trimEnd()}B` : trimmed)
}

const SDIST = /\.(?:tar\.gz|tar\.bz2|tgz|zip)$/i

/** Name, version and kind from a wheel or sdist file name; undefined for anything else (e.g. `.whl.metadata`). */
export function archiveFromFileName(file: string): Pick<PipDownload, 'kind' | 'name' | 'version'> | undefined {
  if (file.endsWith('.whl')) {
    // {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl
    const parts = file.slice(0, -4).split('-')
    if (parts.length < 5 || parts.length > 6) return undefined
    return {kind: 'wheel', name: normalizePythonName(parts[0]), version: parts[1]}
  }

  const sdist = SDIST.exec(file)
  if (!sdist) return undefined
  const base = file.slice(0, sdist.index)
  const dash = base.lastIndexOf('-')
  if (dash <= 0 || !/^\d/.test(base.slice(dash + 1))) return undefined
  return {kind: 'sdist', name: normalizePythonName(base.slice(0, dash)), version: base.slice(dash + 1)}
}

/** The file name at the end of a URL or path, without query or fragment, percent-decoded ("%2Bcpu" -> "+cpu"). */
function fileNameOf(token: string): string {
  const path = token.replace(/[?#].*$/, '')
  const base = path.slice(path.lastIndexOf('/') + 1)
  try {
    return decodeURIComponent(base)
  } catch {
    return base
  }
}

// Lines come trimmed at the end (cleanLogLines); numbers and gaps are bounded so that a crafted line cannot backtrack.
const DOWNLOAD = /^\s*(Downloading|Using cached)\s+(\S+)(?: {1,8}\((\d{1,12}(?:\.\d{1,6})? ?(?:bytes|[kMG]B))\))?$/

/** `Downloading x.whl (589.8 MB)`, `Downloading https://.../x.whl (779.1 MB)`, `Using cached x.whl (18.0 MB)`. */
export function parseDownloadLine(line: string, lineNumber: number): PipDownload | undefined {
  const m = DOWNLOAD.exec(line)
  if (!m) return undefined
  const file = fileNameOf(m[2])
  const archive = archiveFromFileName(file)
  if (!archive) return undefined
  return {
    ...archive,
    cached: m[1] === 'Using cached',
    complete: true,
    file,
    line: lineNumber,
    size: m[3] ? parsePipSize(m[3]) : undefined,
  }
}

export interface DownloadProgress {
  received: number
  total?: number
}

// pip >= 22 (rich): "━━━━━━━━━━╸━━━━━━ 312.5/731.7 MB 48.2 MB/s eta 0:00:09"
const RICH_PROGRESS = /^\s*[━╸╺─]+ {1,8}(\d{1,12}(?:\.\d{1,6})?)\/(\d{1,12}(?:\.\d{1,6})?) {1,8}(bytes|[kMG]B)\b/
// older pip: "|████████████████████████████████| 589.8MB 1.6MB/s"
const BAR_PROGRESS = /^\s*\|([^|]*)\| {0,8}(\d{1,12}(?:\.\d{1,6})? ?(?:bytes|[kMG]B))\b/

/** A download progress bar line; `total` is only known from pip's newer bars. */
export function parseProgressLine(line: string): DownloadProgress | undefined {
  const rich = RICH_PROGRESS.exec(line)
  if (rich) {
    const unit = rich[3]
    return {received: parsePipSize(`${rich[1]} ${unit}`)!, total: parsePipSize(`${rich[2]} ${unit}`)!}
  }

  const bar = BAR_PROGRESS.exec(line)
  if (bar && /^[\s█▉▊▋▌▍▎▏]*$/.test(bar[1])) {
    const received = parsePipSize(bar[2])!
    // a full bar has no blank cells: the amount shown is then the whole file
    return bar[1].includes(' ') ? {received} : {received, total: received}
  }

  return undefined
}

const COLLECTING = /^\s*Collecting\s+([A-Za-z0-9][\w.-]*)(?:\[[^\]]*\])?/
const FROM = /^\(from\s/

/**
 * `Collecting numpy<2.0.0,>=1.23.5 (from tensorflow==2.16.1->-r requirements.txt (line 1))`. The part after the
 * name is split by hand: a specifier up to `;` or `(`, an environment marker up to `(`, then `(from ...)` to the
 * end; anything else in parentheses is not a Collecting line. (One regex for all of it backtracked on long lines.)
 */
export function parseCollectingLine(line: string, lineNumber: number): PipRequirement | undefined {
  const m = COLLECTING.exec(line)
  if (!m) return undefined
  const rest = line.slice(m[0].length)
  const paren = rest.indexOf('(')
  const beforeParen = paren === -1 ? rest : rest.slice(0, paren)
  const semicolon = beforeParen.indexOf(';')
  const specifier = (semicolon === -1 ? beforeParen : beforeParen.slice(0, semicolon)).trim()
  let from: string | undefined
  if (paren !== -1) {
    const tail = rest.slice(paren).trimEnd()
    if (!FROM.test(tail) || !tail.endsWith(')')) return undefined
    from = tail.slice(5, -1).trim()
    if (from === '') return undefined
  }

  const parent = from && !from.startsWith('-') ? /^([A-Za-z0-9][\w.-]*)/.exec(from)?.[1] : undefined
  return {
    line: lineNumber,
    name: normalizePythonName(m[1]),
    requiredBy: parent ? normalizePythonName(parent) : undefined,
    specifier,
  }
}

/** `Successfully installed Flask-3.1.0 Jinja2-3.1.5 nvidia-cublas-cu12-12.1.3.1` */
export function parseInstalledLine(line: string): InstalledPackage[] | undefined {
  const m = /^\s*Successfully installed\s+(.+)$/.exec(line)
  if (!m) return undefined
  return m[1].trim().split(/\s+/).map(token => {
    const dash = token.lastIndexOf('-')
    const version = dash > 0 ? token.slice(dash + 1) : ''
    const displayName = /^\d/.test(version) ? token.slice(0, dash) : token
    return {displayName, name: normalizePythonName(displayName), version: /^\d/.test(version) ? version : undefined}
  })
}

/** `Requirement already satisfied: numpy==1.26.4 in /app/.heroku/python/lib/python3.12/site-packages` */
export function parseAlreadySatisfiedLine(line: string): string | undefined {
  const m = /^\s*Requirement already satisfied:\s+([A-Za-z0-9][\w.-]*)/.exec(line)
  return m ? normalizePythonName(m[1]) : undefined
}

/** The length of the package name at `from` (PEP 508: a letter or digit, then letters, digits, `._-`), 0 for none. */
function nameLength(text: string, from: number): number {
  if (!/[A-Za-z0-9]/.test(text[from] ?? '')) return 0
  let end = from + 1
  while (end < text.length && /[\w.-]/.test(text[end])) end++
  return end - from
}

const REQUIRED_BY_PREFIXES = ['Collecting ', 'Requirement already satisfied: ']

/**
 * Who required what: `Collecting tensorflow<2.19,>=2.18 (from tf-keras==2.18.0->-r requirements.txt (line 2))`
 * and `Requirement already satisfied: numpy>=1.26 in /app/... (from tensorflow==2.18.0->...) (2.0.2)` name the
 * package that asked for it first in the `(from ...)` chain. Undefined for a top-level requirement
 * (`from -r requirements.txt`) and any other line. Plain string scanning: linear in the line's length.
 */
export function parseRequiredByLine(line: string): {name: string; requiredBy: string} | undefined {
  const text = line.trimStart()
  const prefix = REQUIRED_BY_PREFIXES.find(p => text.startsWith(p))
  if (!prefix) return undefined
  const length = nameLength(text, prefix.length)
  if (length === 0) return undefined
  const from = text.indexOf(' (from ', prefix.length + length)
  if (from === -1) return undefined
  const start = from + ' (from '.length
  const parent = nameLength(text, start)
  if (parent === 0) return undefined
  return {name: normalizePythonName(text.slice(prefix.length, prefix.length + length)), requiredBy: normalizePythonName(text.slice(start, start + parent))}
}
