import type {Category, PackageRow, Usage} from '../../analyze/rows.js'
import type {SlugReport} from '../../analyze/report.js'
import {isNodeFallback, type NodeDependencies, type NodeFallback} from './predict.js'

const add = (usage: Usage, rows: PackageRow[]): Usage => ({
  compressed: usage.compressed + rows.reduce((sum, r) => sum + r.compressed, 0),
  files: usage.files + rows.reduce((sum, r) => sum + r.files, 0),
  size: usage.size + rows.reduce((sum, r) => sum + r.size, 0),
})

function addCategory(report: SlugReport, category: Category, rows: PackageRow[]): void {
  if (rows.length === 0) return
  const row = report.categories.find(c => c.category === category)
  if (row) Object.assign(row, add(row, rows))
  else report.categories.push({category, ...add({compressed: 0, files: 0, size: 0}, rows)})
}

/**
 * A repo's prediction with the node_modules a build would install and the Node runtime: their estimated shares
 * join the totals and the category and origin rows; the declared package.json rows (without sizes) give way to
 * them. `replacedNotes` are the repo prediction's notes the prediction answers. On a fallback, the report is
 * unchanged but for the line saying why.
 */
export function withNodeDependencies(report: SlugReport, predicted: NodeDependencies | NodeFallback | undefined, replacedNotes: readonly string[]): SlugReport {
  if (!predicted) return report
  if (isNodeFallback(predicted)) return {...report, notes: [...report.notes, predicted.fallback, ...predicted.notes]}
  const kept = report.packages.filter(p => !(p.ecosystem === 'node' && p.evidence === 'requirement' && p.compressed === 0))
  const packages = [...kept, ...predicted.packages].sort((a, b) => b.compressed - a.compressed || a.name.localeCompare(b.name))
  const next: SlugReport = {
    ...report,
    categories: report.categories.map(c => ({...c})),
    origins: {...report.origins, buildpack: add(report.origins.buildpack, predicted.packages)},
    packages,
    totals: {
      ...report.totals,
      compressed: report.totals.compressed + predicted.packages.reduce((sum, r) => sum + r.compressed, 0),
      files: report.totals.files + predicted.packages.reduce((sum, r) => sum + r.files, 0),
      uncompressed: report.totals.uncompressed + predicted.packages.reduce((sum, r) => sum + r.size, 0),
    },
  }
  addCategory(next, 'node-package', predicted.packages.filter(p => p.ecosystem === 'node'))
  addCategory(next, 'runtime', predicted.packages.filter(p => p.ecosystem === 'runtime'))
  next.categories.sort((a, b) => b.compressed - a.compressed)
  // package.json's own line about pruned devDependencies is said again, with what they are, by the prediction.
  next.notes = [...report.notes.filter(n => !replacedNotes.includes(n) && !/^package\.json: \d+ devDependencies are pruned/.test(n)), ...predicted.notes]
  return next
}
