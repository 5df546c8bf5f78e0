import {addPredictedPackages} from '../../analyze/add-packages.js'
import type {SlugReport} from '../../analyze/report.js'
import {isNodeFallback, type NodeDependencies, type NodeFallback} from './predict.js'

/**
 * A repo's prediction with the node_modules a build would install and the Node runtime: their estimated shares
 * join the totals and the category and origin rows; the declared package.json rows (without sizes) give way to
 * them. `replacedNotes` are the repo prediction's notes the prediction answers. On a fallback, the report is
 * unchanged but for the line saying why.
 */
export function withNodeDependencies(report: SlugReport, predicted: NodeDependencies | NodeFallback | undefined, replacedNotes: readonly string[]): SlugReport {
  if (!predicted) return report
  if (isNodeFallback(predicted)) return {...report, notes: [...report.notes, predicted.fallback, ...predicted.notes]}
  const next = addPredictedPackages(report, 'node', 'node-package', predicted.packages)
  // package.json's own line about pruned devDependencies is said again, with what they are, by the prediction.
  next.notes = [...report.notes.filter(n => !replacedNotes.includes(n) && !/^package\.json: \d+ devDependencies are pruned/.test(n)), ...predicted.notes]
  return next
}
