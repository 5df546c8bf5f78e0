import type {Analysis} from './rows.js'

/** Heroku's limits on the compressed slug. */
export const SLUG_LIMIT = 500 * 1000 * 1000
export const SLUG_WARNING = 300 * 1000 * 1000

/** Where a compressed size stands: over the limit (the build is rejected), over the warning, or under it. */
export type LimitBand = 'over-limit' | 'over-warning' | 'under-warning'

export function limitBand(compressed: number, limit = SLUG_LIMIT, warning = SLUG_WARNING): LimitBand {
  if (compressed > limit) return 'over-limit'
  if (compressed > warning) return 'over-warning'
  return 'under-warning'
}

/** Where the evidence came from. A slug is measured; a build log or a repo is a prediction. */
export type ReportKind = 'build-log' | 'repo' | 'slug'

export interface ReportSource {
  app?: string
  release?: number
  slugId?: string
  stack?: string
  commit?: string
  file?: string
  buildId?: string
  dir?: string
}

export interface ReportTotals {
  /** compressed slug bytes, what the limit counts (measured for a slug, estimated otherwise) */
  compressed: number
  uncompressed: number
  files: number
  limit: number
  warning: number
  /** entries outside ./app/, ignored by Heroku */
  outside?: {count: number; size: number; compressed: number; examples: string[]}
}

/** Everything `slug:inspect` knows: the terminal view, --json and the HTML report render this one object. */
export interface SlugReport extends Analysis {
  kind: ReportKind
  /** true when sizes are predicted rather than measured */
  prediction: boolean
  source: ReportSource
  totals: ReportTotals
  /** free-form notes for the reader (what was estimated and how, what was skipped) */
  notes: string[]
  /** for an app's slug over the warning: how it grew over the app's last releases */
  growth?: SlugGrowth
}

/** A release that ran a slug: its version and slug id, before the slug's size is known. */
export interface SlugRelease {
  version: number
  slugId: string
}

/** A release in a slug's history, with its slug's compressed size. */
export interface ReleaseSize extends SlugRelease {
  size: number
}

/** How an app's slug changed over its recent releases. */
export interface SlugGrowth {
  /** the releases measured, oldest first: each succeeded release with a slug, up to the current one */
  releases: ReleaseSize[]
  /** compressed bytes the slug grew from the first of them to the last (negative when it shrank) */
  growth: number
  /** that growth over the releases between the first and the last (0 with a single release) */
  perRelease: number
  /** the release whose slug grew the most over the one before it; absent when none grew */
  biggestJump?: {version: number; bytes: number}
}

/**
 * What a report was read from, in words, for a header: "the build log of build B of APP", "the slug of APP v42",
 * "the slug file slug.tgz", "the repo DIR (predicted)". `name` styles the app's name (color.app on a terminal).
 */
export function describeEvidence(evidence: {kind: ReportKind; source: ReportSource}, name: (app: string) => string = app => app): string {
  const {kind, source: s} = evidence
  const ofApp = s.app ? ` of ${name(s.app)}` : ''
  if (kind === 'build-log') return s.buildId ? `the build log of build ${s.buildId}${ofApp}` : `the build log ${s.file ?? ''}`.trim()
  if (kind === 'slug') {
    if (s.file) return `the slug file ${s.file}`
    if (s.release !== undefined) return `the slug${ofApp} v${s.release}`
    return s.slugId ? `slug ${s.slugId}${ofApp}` : `the slug${ofApp}`
  }

  return s.dir ? `the repo ${s.dir} (predicted)` : 'the repo (predicted)'
}
