import type {SlugReport} from './report.js'
import type {Category, Ecosystem, PackageRow, Usage} from './rows.js'

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
 * A report with the packages a build would install (predicted, sized) added: the declared rows of that
 * ecosystem without sizes give way to them (a lock's packages for other platforms or groups are not
 * installed), and their shares join the totals, the buildpack's origin row and the category rows of the
 * ecosystem's packages and of the runtime. Findings and notes are the caller's.
 */
export function addPredictedPackages(report: SlugReport, ecosystem: Ecosystem, category: Category, predicted: PackageRow[]): SlugReport {
  const kept = report.packages.filter(p => !(p.ecosystem === ecosystem && p.evidence === 'requirement' && p.compressed === 0))
  const next: SlugReport = {
    ...report,
    categories: report.categories.map(c => ({...c})),
    origins: {...report.origins, buildpack: add(report.origins.buildpack, predicted)},
    packages: [...kept, ...predicted].sort((a, b) => b.compressed - a.compressed || a.name.localeCompare(b.name)),
    totals: {
      ...report.totals,
      compressed: report.totals.compressed + predicted.reduce((sum, r) => sum + r.compressed, 0),
      files: report.totals.files + predicted.reduce((sum, r) => sum + r.files, 0),
      uncompressed: report.totals.uncompressed + predicted.reduce((sum, r) => sum + r.size, 0),
    },
  }
  addCategory(next, category, predicted.filter(p => p.ecosystem === ecosystem))
  addCategory(next, 'runtime', predicted.filter(p => p.ecosystem === 'runtime'))
  next.categories.sort((a, b) => b.compressed - a.compressed)
  return next
}
