import type {SlugReport} from './report.js'
import {formatBytes, parseSize} from '../shared/bytes.js'
import {UserError} from '../shared/errors.js'

/** Fails when the compressed size is over the budget: `--max-size` makes slug:inspect a CI gate. */
export function checkBudget(report: SlugReport, budget: number | undefined): void {
  if (budget === undefined) return
  const size = report.totals.compressed
  if (size > budget) {
    throw new UserError(`The compressed slug is ${formatBytes(size)}, over the --max-size budget of ${formatBytes(budget)} by ${formatBytes(size - budget)}.`)
  }
}

/** Parses a budget flag (--max-size, --max-growth) up front, so a typo fails before a long download. */
export function parseBudget(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined
  const size = parseSize(text)
  if (size === undefined || size <= 0) throw new UserError(`${flag} takes a size such as 400MB or 1.5GB, not "${text}".`)
  return size
}
