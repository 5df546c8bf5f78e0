import {dependentsFromEdges} from '../../analyze/python/dependencies.js'
import {packageFindings} from '../../analyze/package-findings.js'
import {compareVersions} from '../../analyze/versions.js'
import type {PackageRow, Usage} from '../../analyze/rows.js'
import {SLUG_LIMIT, SLUG_WARNING, type ReportSource, type SlugReport} from '../../analyze/report.js'
import {formatBytes} from '../../shared/bytes.js'
import {MAX_LOG_LINE_CHARS} from './parse.js'
import type {ParsedBuildLog, PipDownload} from './log.js'

/** How many buildpack errors a report repeats; the rest are in the log. */
const MAX_ERROR_NOTES = 8

/** A wheel's bytes stand for both sizes: unpacked it is larger, but the limit counts compressed bytes. */
function packageRow(name: string, version: string | undefined, bytes: number): PackageRow {
  return {compressed: bytes, ecosystem: 'python', evidence: 'build-log', files: 0, name, size: bytes, version}
}

export interface PackagesFromLog {
  packages: PackageRow[]
  /** downloads pip threw away (other versions tried while resolving) */
  discarded: PipDownload[]
  /** installed packages the log gives no archive size for */
  unsized: string[]
  /** packages whose size is that of a source archive, not a wheel */
  sdists: string[]
}

/**
 * One row per package pip installed, sized by its wheel. When the log lists what was installed, only
 * those versions count (pip may download several versions while resolving); when it does not (the build
 * failed or the log was cut first), every downloaded archive counts, the last one per name.
 */
export function packagesFromLog(log: ParsedBuildLog): PackagesFromLog {
  const installed = new Map(log.installed.map(p => [p.name, p]))
  const chosen = new Map<string, PipDownload>()
  const discarded: PipDownload[] = []
  for (const download of log.downloads) {
    const wanted = installed.get(download.name)
    if (installed.size > 0 && (!wanted || (wanted.version && download.version && compareVersions(wanted.version, download.version) !== 0))) {
      discarded.push(download)
      continue
    }

    const previous = chosen.get(download.name)
    // a wheel pip built from an sdist is not in the log; a wheel it downloaded beats the sdist
    if (!previous || previous.kind === download.kind || download.kind === 'wheel') chosen.set(download.name, download)
  }

  const packages = [...chosen.values()].map(d => packageRow(d.name, installed.get(d.name)?.version ?? d.version, d.size ?? 0))
  const unsized = [...installed.values()].filter(p => !chosen.has(p.name) || chosen.get(p.name)!.size === undefined).map(p => p.name)
  for (const p of installed.values()) {
    if (!chosen.has(p.name)) packages.push(packageRow(p.name, p.version, 0))
  }

  packages.sort((a, b) => b.compressed - a.compressed || a.name.localeCompare(b.name))
  const sdists = [...chosen.values()].filter(d => d.kind === 'sdist').map(d => d.name)
  return {discarded, packages, sdists, unsized}
}

export interface LimitVerdict {
  total: number
  limit: number
  /** bytes over the limit, 0 when under */
  over: number
  savings: number
  /** the size once every finding is applied */
  after: number
  /** after - limit: negative when the findings bring it under */
  afterVsLimit: number
}

export function limitVerdict(total: number, savings: number, limit: number): LimitVerdict {
  const after = Math.max(0, total - savings)
  return {after, afterVsLimit: after - limit, limit, over: Math.max(0, total - limit), savings, total}
}

/** One sentence on where the findings leave a slug that is over the limit. */
function verdictNote(v: LimitVerdict, findings: number): string {
  if (findings === 0) return `No finding applies to these packages: ${formatBytes(v.over)} has to go some other way (see the largest packages).`
  const saves = `The findings save about ${formatBytes(v.savings)} (estimated from wheel sizes)`
  if (v.afterVsLimit <= 0) {
    return `${saves}: that brings the slug to about ${formatBytes(v.after)}, ${formatBytes(-v.afterVsLimit)} under the ${formatBytes(v.limit)} limit.`
  }

  return `${saves}: the slug would still be about ${formatBytes(v.after)}, ${formatBytes(v.afterVsLimit)} over the ${formatBytes(v.limit)} limit; more has to go.`
}

function environmentNote(log: ParsedBuildLog): string | undefined {
  const parts: string[] = []
  if (log.pythonVersion) parts.push(`Python ${log.pythonVersion}${log.pythonVersionSource ? ` (${log.pythonVersionSource})` : ''}`)
  if (log.stack) parts.push(`on ${log.stack}`)
  if (log.buildpacks.length > 0) parts.push(`buildpacks: ${log.buildpacks.join(', ')}`)
  return parts.length > 0 ? `Build: ${parts.join(', ')}.` : undefined
}

function sizeNotes(log: ParsedBuildLog, wheels: number, total: number, limit: number): string[] {
  const notes: string[] = []
  if (log.compiledSize !== undefined) {
    const over = `the build was ${formatBytes(log.compiledSize - limit)} over the ${formatBytes(limit)} limit`
    notes.push(`Compressed size ${formatBytes(log.compiledSize)} as Heroku's slug compiler reported it ("Compiled slug size"): ${over}.`)
  } else if (log.doneSize === undefined) {
    const also = "the slug would also hold the Python runtime and the app's own files"
    notes.push(`The log has no slug size (the build stopped before compressing): the total is the sum of the wheels, an estimate; ${also}.`)
  } else {
    notes.push(`Compressed size ${formatBytes(log.doneSize)} as Heroku's slug compiler reported it ("Compressing... Done").`)
  }

  if (total === wheels) {
    if (total > limit) notes.push(`The wheels alone add up to ${formatBytes(total)}: ${formatBytes(total - limit)} over the ${formatBytes(limit)} limit.`)
  } else if (wheels > total) {
    notes.push(`The wheels add up to ${formatBytes(wheels)}, more than the slug: a wheel somewhat overstates what its files cost in the slug.`)
  } else if (wheels > 0) {
    const rest = "the rest is the Python runtime, the app's own files and whatever else the buildpacks installed"
    notes.push(`Wheels account for ${formatBytes(wheels)} of the ${formatBytes(total)}; ${rest}.`)
  }

  if (log.softLimit) {
    notes.push(`Heroku warned that the slug (${formatBytes(log.softLimit.size)}) exceeds its ${formatBytes(log.softLimit.limit)} soft limit, which may slow dyno boots.`)
  }

  return notes
}

function caveatNotes(log: ParsedBuildLog, found: PackagesFromLog): string[] {
  const notes: string[] = []
  if (log.longLinesSkipped > 0) {
    const lines = log.longLinesSkipped === 1 ? '1 line longer than' : `${log.longLinesSkipped} lines longer than`
    const was = log.longLinesSkipped === 1 ? 'was' : 'were'
    notes.push(`${lines} ${MAX_LOG_LINE_CHARS.toLocaleString('en-US')} characters ${was} skipped: no build prints such a line, so the log may not be a build's output.`)
  }

  if (log.truncated) {
    const cut = log.downloads.filter(d => !d.complete).map(d => d.file)
    notes.push(`The log ends before the build finished${cut.length > 0 ? ` (while downloading ${cut.join(', ')})` : ''}: anything pip would have installed after that point is missing.`)
  }

  if (found.discarded.length > 0) {
    notes.push(`${found.discarded.length} downloaded archive(s) were not installed (pip tried other versions while resolving) and are left out: ${found.discarded.map(d => d.file).join(', ')}.`)
  }

  if (found.sdists.length > 0) {
    notes.push(`Built from source archives, sized by the archive (a rough estimate): ${found.sdists.join(', ')}.`)
  }

  if (found.unsized.length > 0) {
    notes.push(`The log gives no download size for ${found.unsized.length} installed package(s), shown as 0 B: ${found.unsized.join(', ')}.`)
  }

  if (log.alreadySatisfied.length > 0) {
    notes.push(`${log.alreadySatisfied.length} package(s) were already installed from the build cache, so the log does not show their size: ${log.alreadySatisfied.join(', ')}.`)
  }

  return notes
}

const sumUsage = (rows: PackageRow[]): Usage => ({
  compressed: rows.reduce((s, r) => s + r.compressed, 0),
  files: 0,
  size: rows.reduce((s, r) => s + r.size, 0),
})

/**
 * The slug:inspect report for a build log: packages ranked by wheel size, the same package findings as a
 * slug gets, and notes on how far the build was over the limit and whether the findings bring it under.
 * A log has no files or folders; every size in it is a prediction.
 */
export function reportFromBuildLog(log: ParsedBuildLog, source: ReportSource): SlugReport {
  const found = packagesFromLog(log)
  const wheels = sumUsage(found.packages)
  const findings = packageFindings(found.packages, {dependents: dependentsFromEdges(log.requiredBy), gpu: false})
  const limit = log.maxSize ?? SLUG_LIMIT
  const total = log.compiledSize ?? log.doneSize ?? wheels.compressed
  // packageFindings claims each package once, so the savings of its findings add up without overlap
  const verdict = limitVerdict(total, findings.reduce((sum, f) => sum + (f.condition ? 0 : f.savings), 0), limit)

  const notes = [
    'Predicted from a build log: each package\'s size is its wheel as pip downloaded it, and the wheel (a zip) stands in for the package\'s compressed share of the slug.',
    ...sizeNotes(log, wheels.compressed, total, limit),
  ]
  if (verdict.over > 0) notes.push(verdictNote(verdict, findings.length))
  else if (total > SLUG_WARNING && findings.length > 0) {
    const where = verdict.after <= SLUG_WARNING ? 'under' : 'still over'
    notes.push(`The findings save about ${formatBytes(verdict.savings)}: that brings the slug to about ${formatBytes(verdict.after)}, ${where} the ${formatBytes(SLUG_WARNING)} warning.`)
  }

  if (log.slugignoreDeleted !== undefined) {
    notes.push(`Heroku deleted ${log.slugignoreDeleted} file(s) matching .slugignore patterns before the build.`)
  }

  const environment = environmentNote(log)
  if (environment) notes.push(environment)
  const errors = log.errors.filter(e => !/^Compiled slug size/i.test(e))
  for (const error of errors.slice(0, MAX_ERROR_NOTES)) notes.push(`Build error: ${error}`)
  if (errors.length > MAX_ERROR_NOTES) notes.push(`... and ${errors.length - MAX_ERROR_NOTES} more errors in the log.`)
  notes.push(...caveatNotes(log, found))

  return {
    categories: found.packages.length > 0 ? [{category: 'python-package', ...wheels}] : [],
    files: [],
    findings,
    folders: [],
    kind: 'build-log',
    notes,
    origins: {buildpack: wheels, repo: {compressed: 0, files: 0, size: 0}},
    packages: found.packages,
    prediction: true,
    source: {...source, stack: source.stack ?? log.stack},
    totals: {compressed: total, files: 0, limit, uncompressed: 0, warning: SLUG_WARNING},
  }
}
