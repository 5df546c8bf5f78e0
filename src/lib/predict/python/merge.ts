import {finalizeFindings} from '../../analyze/findings.js'
import {knowledgeFindings} from '../../analyze/package-findings.js'
import {addPredictedPackages} from '../../analyze/add-packages.js'
import type {FindingKind, PackageRow} from '../../analyze/rows.js'
import type {SlugReport} from '../../analyze/report.js'
import {formatBytes} from '../../shared/bytes.js'
import {isFallback, type StackDependencies, type StackFallback} from './predict.js'

/** Findings that come from the package list alone: recomputed once the packages have sizes. */
const PACKAGE_FINDINGS = new Set<FindingKind>(['cuda-on-dyno', 'dev-package', 'heavy-package', 'inference-runtime'])

/**
 * The findings describe a package row by its installed files; a resolved package has none, only its
 * wheel: say that, and that the share is an estimate.
 */
function resolvedEvidence(line: string, rows: PackageRow[]): string {
  for (const p of rows) {
    const installed = `${p.version ? `${p.name} ${p.version}` : p.name}: ${formatBytes(p.compressed)} compressed (${formatBytes(p.size)} unpacked, ${p.files} files)`
    if (line.startsWith(installed)) {
      return `${p.version ? `${p.name} ${p.version}` : p.name}: ${formatBytes(p.compressed)} compressed (estimate, from its ${formatBytes(p.size)} wheel)${line.slice(installed.length)}`
    }
  }

  return line
}

/**
 * A repo's prediction with the packages a build would install (resolved for the stack) and the Python
 * runtime: their estimated shares join the totals, the category and origin rows, and the package
 * findings (heavy packages, CUDA wheels, dev-only packages) are made again from the sized packages.
 * `replacedNotes` are the repo prediction's notes that the resolution answers (packages without size).
 * On a fallback, the report is unchanged but for the line saying why.
 */
export function withStackDependencies(report: SlugReport, resolved: StackDependencies | StackFallback | undefined, replacedNotes: readonly string[]): SlugReport {
  if (!resolved) return report
  if (isFallback(resolved)) return {...report, notes: [resolved.fallback, ...resolved.notes, ...report.notes]}

  const next = addPredictedPackages(report, 'python', 'python-package', resolved.packages)
  const python = resolved.packages.filter(p => p.ecosystem === 'python')
  const findings = knowledgeFindings(next.packages.filter(p => p.ecosystem === 'python'), {requested: resolved.requested, requires: resolved.requires})
  // Every figure of a resolved package is an estimate, and so is what a finding on it saves.
  const estimated = findings.map(f => ({...f, estimated: true, evidence: f.evidence.map(line => resolvedEvidence(line, python))}))
  next.findings = finalizeFindings([...report.findings.filter(f => !PACKAGE_FINDINGS.has(f.kind)), ...estimated])
  next.notes = [...report.notes.filter(n => !replacedNotes.includes(n)), ...resolved.notes]
  return next
}
