// The subpath modules: the package root also loads its Postgres and SSH helpers.
import * as color from '@heroku/heroku-cli-util/color'
import * as hux from '@heroku/heroku-cli-util/hux'

import type {Finding, Usage} from '../analyze/rows.js'
import {formatBytes, formatPercent, formatSignedBytes} from '../shared/bytes.js'
import {terminalSafeDeep} from '../shared/terminal-safe.js'
import {limitBand, type SlugGrowth, type SlugReport} from '../analyze/report.js'

type Print = (line: string) => void

/** Where the compressed size stands against Heroku's 300 MB warning and 500 MB limit. */
export function limitStatus(compressed: number, report: Pick<SlugReport, 'totals'>): string {
  const {limit, warning} = report.totals
  const share = formatPercent(compressed, limit)
  const band = limitBand(compressed, limit, warning)
  if (band === 'over-limit') return `${share} of the ${formatBytes(limit)} limit: over by ${formatBytes(compressed - limit)}, Heroku rejects this build`
  if (band === 'over-warning') return `${share} of the ${formatBytes(limit)} limit: over the ${formatBytes(warning)} warning, boots may be slow`
  return `${share} of the ${formatBytes(limit)} limit`
}

function title(report: SlugReport): string {
  const {source} = report
  const what = report.kind === 'slug' ? 'Slug' : (report.kind === 'build-log' ? 'Build log' : 'Predicted slug')
  if (source.app) {
    const release = source.release === undefined ? '' : ` v${source.release}`
    return `${what} of ${color.app(source.app)}${release}`
  }

  return `${what} ${source.file ?? source.dir ?? ''}`.trim()
}

function header(report: SlugReport): Record<string, string> {
  const {source, totals} = report
  const rows: Record<string, string> = {}
  if (source.slugId) rows.Slug = source.slugId
  if (source.buildId) rows.Build = source.buildId
  if (source.stack) rows.Stack = source.stack
  if (source.commit) rows.Commit = source.commit.slice(0, 12)
  const estimate = report.prediction ? ' (estimate)' : ''
  rows.Compressed = `${formatBytes(totals.compressed)}${estimate}, ${limitStatus(totals.compressed, report)}`
  if (report.growth) rows.Growth = growthLine(report.growth)
  if (totals.uncompressed > 0) rows.Uncompressed = formatBytes(totals.uncompressed)
  if (totals.files > 0) rows.Files = totals.files.toLocaleString('en-US')
  if (totals.outside && totals.outside.count > 0) {
    rows['Outside ./app'] = `${totals.outside.count} entries, ${formatBytes(totals.outside.size)} (Heroku ignores them)`
  }

  return rows
}

/** "+94.0 MB over the last 5 releases (v120 to v124), +23.5 MB per release; biggest jump v123: +84.0 MB" */
export function growthLine(growth: SlugGrowth): string {
  const {biggestJump: jump, releases} = growth
  const span = `over the last ${releases.length} releases (v${releases[0].version} to v${releases.at(-1)!.version})`
  const jumped = jump ? `; biggest jump v${jump.version}: ${formatSignedBytes(jump.bytes)}` : ''
  return `${formatSignedBytes(growth.growth)} ${span}, ${formatSignedBytes(growth.perRelease)} per release${jumped}`
}

/** The three size cells every table shares, already formatted. */
function usageCells(r: Usage, total: number) {
  return {size: formatBytes(r.size), compressed: formatBytes(r.compressed), share: formatPercent(r.compressed, total)}
}

const USAGE_COLUMNS = {size: {header: 'Size'}, compressed: {header: 'Compressed'}, share: {header: '% of slug'}}

/** Findings read as a numbered list: their remedies are sentences, too long for table cells. */
function printFindings(findings: Finding[], print: Print): void {
  for (const [i, f] of findings.entries()) {
    const saves = `saves ${f.estimated ? 'about ' : ''}${formatBytes(f.savings)}${f.estimated ? ' (estimate)' : ''}${f.condition ? ` ${f.condition}, not in the total below` : ''}`
    print(`${i + 1}. [${f.severity}] ${f.title}: ${saves}`)
    for (const line of f.evidence) print(`   - ${line}`)
    print(`   ${f.remedy}`)
    if (f.command) print(`   Run: ${color.cyan(f.command)}`)
    print('')
  }
}

/** The terminal view of a report: a header, then files, folders, packages and findings as tables. */
export function renderReport(unsafe: SlugReport, print: Print, options: {maxPackages?: number} = {}): void {
  // Names come from the slug, the log or the API: control characters in them are shown, never sent raw.
  const report = terminalSafeDeep(unsafe)
  const total = report.totals.compressed
  const tableOptions = {printLine: (s: unknown) => print(String(s))}

  hux.styledHeader(title(report))
  hux.styledObject(header(report))
  for (const note of report.notes) print(`  ${note}`)

  if (report.files.length > 0) {
    print('')
    hux.styledHeader('Largest files')
    const rows = report.files.map(f => ({
      path: f.path,
      ...usageCells(f, total),
      origin: f.origin,
      category: f.modelFormat ? `model (${f.modelFormat})` : f.category,
    }))
    hux.table(rows, {path: {header: 'Path'}, ...USAGE_COLUMNS, origin: {header: 'Origin'}, category: {header: 'Category'}}, tableOptions)
  }

  if (report.folders.length > 0) {
    print('')
    hux.styledHeader('Folders')
    const rows = report.folders.map(f => ({path: f.path, ...usageCells(f, total), files: f.files.toLocaleString('en-US')}))
    hux.table(rows, {path: {header: 'Folder'}, ...USAGE_COLUMNS, files: {header: 'Files'}}, tableOptions)
  }

  if (report.packages.length > 0) {
    print('')
    hux.styledHeader('Packages')
    const shown = report.packages.slice(0, options.maxPackages ?? report.packages.length)
    const rows = shown.map(p => ({
      name: p.version ? `${p.name} ${p.version}` : p.name,
      ecosystem: p.ecosystem,
      ...usageCells(p, total),
    }))
    hux.table(rows, {name: {header: 'Package'}, ecosystem: {header: 'Kind'}, ...USAGE_COLUMNS}, tableOptions)
    const hidden = report.packages.length - shown.length
    if (hidden > 0) print(`  ...and ${hidden} smaller packages (--top to show more, --json lists them all)`)
  }

  print('')
  hux.styledHeader('Findings')
  if (report.findings.length === 0) {
    print('No findings: nothing in this slug has a known lighter remedy.')
    return
  }

  printFindings(report.findings, print)
  // A conditional finding alone says what it saves itself: a total of nothing would only confuse.
  if (report.findings.every(f => f.condition)) return
  const saved = report.findings.reduce((sum, f) => sum + (f.condition ? 0 : f.savings), 0)
  const after = Math.max(0, total - saved)
  const about = report.prediction || report.findings.some(f => f.estimated && f.savings > 0) ? 'about ' : ''
  print(`All findings together save ${about}${formatBytes(saved)} compressed: the slug would be ${about}${formatBytes(after)}, ${limitStatus(after, report)}.`)
}
