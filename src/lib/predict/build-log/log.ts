/** One archive pip (or uv) downloaded or took from its cache during the build. */
export interface PipDownload {
  /** the file name as pip printed it (URL-decoded, no path), e.g. tensorflow-2.16.1-cp312-...whl; uv prints the package name */
  file: string
  /** PEP 503 normalised distribution name, e.g. "nvidia-cublas-cu12" */
  name: string
  version?: string
  kind: 'sdist' | 'wheel'
  /** bytes as pip printed them (decimal units; uv's are binary); undefined when pip did not know the length */
  size?: number
  /** "Using cached ..." rather than "Downloading ..." */
  cached: boolean
  /** false when the log ends while this download's progress bar is still short of its total (uv: before its Downloaded line) */
  complete: boolean
  /** 1-based line number in the cleaned log */
  line: number
}

/** A `Collecting X==1.2 (from ...)` line: what was asked for, and by whom. */
export interface PipRequirement {
  name: string
  /** the version specifier as written, e.g. "==2.16.1" or ">=1.23.5,<2.0.0"; empty when unpinned */
  specifier: string
  /** the package that pulled it in; undefined for a top-level requirement */
  requiredBy?: string
  line: number
}

export interface InstalledPackage {
  name: string
  /** the name as pip printed it (case kept), e.g. "Flask" */
  displayName: string
  version?: string
}

/** A group of consecutive ` !     ` lines from the buildpack or the slug compiler, joined into one message. */
export type BuildMessage = string

export type BuildOutcome = 'failed' | 'succeeded' | 'unknown'

/** What a build log says about a build, all sizes in bytes. */
export interface ParsedBuildLog {
  /** e.g. "heroku-24" */
  stack?: string
  /** buildpacks named in the log, e.g. ["heroku/python"] */
  buildpacks: string[]
  /** languages the buildpacks detected, e.g. ["Python"] */
  detected: string[]
  /** the Python version that was installed (or requested, when the install did not happen) */
  pythonVersion?: string
  /** where the version came from: ".python-version", "runtime.txt", "buildpack default", ... */
  pythonVersionSource?: string
  downloads: PipDownload[]
  requirements: PipRequirement[]
  /** from pip's `Successfully installed ...`, or uv's ` + name==version` lines */
  installed: InstalledPackage[]
  /** `Requirement already satisfied` lines: installed from a cached environment, size unknown */
  alreadySatisfied: string[]
  /** who required what, from the `(from ...)` of Collecting and Requirement already satisfied lines */
  requiredBy: Array<{name: string; requiredBy: string}>
  /** `Compiled slug size: X is too large (max is Y)` */
  compiledSize?: number
  maxSize?: number
  /** `Compressing... Done: X` */
  doneSize?: number
  /** `Your slug size (X) exceeds our soft limit (Y)` */
  softLimit?: {size: number; limit: number}
  /** `Deleting N files matching .slugignore patterns.` */
  slugignoreDeleted?: number
  /** buildpack ` !` blocks that are not warnings, pip `ERROR:` lines, runtime-not-available lines */
  errors: BuildMessage[]
  /** buildpack ` !     Warning: ...` blocks */
  warnings: BuildMessage[]
  outcome: BuildOutcome
  /** the log stops before the build reached an end (no compress result, no rejection, no launch) */
  truncated: boolean
  /** how many lines the parser recognised; 0 means this is not a build log */
  recognisedLines: number
  totalLines: number
  /** lines longer than any a build prints (MAX_LOG_LINE_CHARS), skipped unread */
  longLinesSkipped: number
}
