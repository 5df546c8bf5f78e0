import type {ScanResult} from '../scan/entries.js'
import {type Classified, classify} from './classify.js'
import {dependentsOf, requestedRequirements} from './python/dependencies.js'
import {folderRollup} from './folders.js'
import {outsideFinding, repoFindings} from './file-findings.js'
import {finalizeFindings} from './findings.js'
import {nodeSlugFindings} from './node/slug-findings.js'
import {rubySlugFindings} from './ruby/slug-findings.js'
import {knowledgeFindings, postCompileFindings} from './package-findings.js'
import {largest} from '../shared/largest.js'
import type {Analysis, Category, CategoryRow, FileRow, Finding, Origin, Usage} from './rows.js'

export interface AnalyzeOptions {
  /** how many of the largest files to list */
  top: number
  /** how many folder levels to roll up */
  depth: number
}

function byShare(a: FileRow, b: FileRow): number {
  return b.compressed - a.compressed || b.size - a.size || a.path.localeCompare(b.path)
}

function categoryTotals(files: FileRow[]): CategoryRow[] {
  const rows = new Map<Category, CategoryRow>()
  for (const f of files) {
    const row = rows.get(f.category) ?? {category: f.category, compressed: 0, files: 0, size: 0}
    row.compressed += f.compressed
    row.size += f.size
    row.files++
    rows.set(f.category, row)
  }

  return [...rows.values()].sort((a, b) => b.compressed - a.compressed || a.category.localeCompare(b.category))
}

function originTotals(files: FileRow[]): Record<Origin, Usage> {
  const totals: Record<Origin, Usage> = {buildpack: {compressed: 0, files: 0, size: 0}, repo: {compressed: 0, files: 0, size: 0}}
  for (const f of files) {
    const t = totals[f.origin]
    t.compressed += f.compressed
    t.size += f.size
    t.files++
  }

  return totals
}

function outsideNodeModules(path?: string): boolean {
  return !path?.startsWith('node_modules/')
}

/**
 * Ruby's and Node's findings. A Ruby slug's node_modules is one Ruby finding (left after assets:precompile): the
 * Node findings then leave it out, so no byte is counted twice.
 */
function ecosystemFindings(scan: ScanResult, files: FileRow[], packages: Analysis['packages']): Finding[] {
  const ruby = rubySlugFindings(files)
  if (!ruby.some(f => f.kind === 'node-modules-after-assets')) return [...ruby, ...nodeSlugFindings({captured: scan.captured, files, packages})]
  const input = {captured: scan.captured, files: files.filter(f => outsideNodeModules(f.path)), packages: packages.filter(p => outsideNodeModules(p.location))}
  return [...ruby, ...nodeSlugFindings(input)]
}

/**
 * Everything slug:inspect reports about a scanned slug. O(n · path depth) plus sorts. A caller that also
 * needs every file's row passes the classification it made, so the slug is classified once.
 */
export function analyzeScan(scan: ScanResult, options: AnalyzeOptions, classified: Classified = classify(scan)): Analysis {
  const {dependencies, files, packages, pythonVersion, requires} = classified
  const claimed = new Set<string>()
  const roots = requestedRequirements(scan.captured['requirements.txt'])
  const installed = new Set(packages.filter(p => p.ecosystem === 'python').map(p => p.name))
  const dependents = dependentsOf({dependencies, installed, pythonVersion, requested: roots})
  const requested = roots.map(r => r.name)
  // knowledge findings first: the packages they claim are left out of the post_compile findings
  const findings: Finding[] = [...knowledgeFindings(packages, {dependents, files, requested, requires}, claimed)]
  findings.push(...postCompileFindings(files, claimed), ...repoFindings(files), ...ecosystemFindings(scan, files, packages))
  const outside = outsideFinding(scan.outside)
  if (outside) findings.push(outside)

  return {
    categories: categoryTotals(files),
    files: largest(files, options.top, byShare),
    findings: finalizeFindings(findings),
    folders: folderRollup(files, options.depth),
    origins: originTotals(files),
    packages,
  }
}
