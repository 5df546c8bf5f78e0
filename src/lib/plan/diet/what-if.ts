import {type LimitBand, limitBand, SLUG_LIMIT, SLUG_WARNING} from '../../analyze/report.js'

export interface WhatIfLine {
  label: string
  /** compressed bytes */
  savings: number
  /** true when the figure comes from a knowledge table or a sampled estimate, not the slug's measured shares */
  estimated: boolean
  /** written by this run (true) or advice the user applies (false) */
  applied: boolean
  /** where the figure comes from, in words: the slug's measured shares, a local compression, a knowledge table */
  basis: string
  source?: string
}

export interface WhatIf {
  /** the compressed slug today (measured for a slug, predicted for a build log or a repo) */
  before: number
  beforeEstimated: boolean
  lines: WhatIfLine[]
  /** after the changes this run writes */
  after: number
  /** after those and all the advice */
  afterAll: number
  estimated: boolean
  limit: number
  warning: number
  status: {before: LimitBand; after: LimitBand; afterAll: LimitBand}
}

/**
 * The compressed slug size after the plan. Lines must not overlap (the planners see to it: repo files,
 * installed files and packages are disjoint), so their savings add up.
 */
export function predictAfter(
  before: {compressed: number; estimated: boolean},
  lines: WhatIfLine[],
  limits?: {limit: number; warning: number},
): WhatIf {
  const limit = limits?.limit ?? SLUG_LIMIT
  const warning = limits?.warning ?? SLUG_WARNING
  const kept = lines.filter(l => l.savings > 0)
  const sum = (ls: WhatIfLine[]) => ls.reduce((n, l) => n + l.savings, 0)
  const after = Math.max(0, before.compressed - sum(kept.filter(l => l.applied)))
  const afterAll = Math.max(0, before.compressed - sum(kept))
  return {
    after,
    afterAll,
    before: before.compressed,
    beforeEstimated: before.estimated,
    estimated: before.estimated || kept.some(l => l.estimated),
    limit,
    lines: kept,
    status: {after: limitBand(after, limit, warning), afterAll: limitBand(afterAll, limit, warning), before: limitBand(before.compressed, limit, warning)},
    warning,
  }
}
