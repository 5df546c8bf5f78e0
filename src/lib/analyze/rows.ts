/**
 * Who put a file in the slug: only repo files can be removed with .slugignore. `buildpack` is everything the build
 * wrote: buildpacks, and the install and build scripts they run (node_modules, a Puppeteer download, .next/cache).
 */
export type Origin = 'buildpack' | 'repo'

export type Category = 'app-code' | 'cache' | 'data' | 'docs-media' | 'model' | 'node-package' | 'notebook' | 'other' | 'python-package' | 'ruby-gem' | 'runtime' | 'tests'

export type Ecosystem = 'node' | 'python' | 'ruby' | 'runtime'

/** Bytes of a group of files: uncompressed, their share of the compressed slug, and how many. */
export interface Usage {
  size: number
  compressed: number
  files: number
}

export interface FileRow extends Usage {
  path: string
  origin: Origin
  category: Category
  /** the installed package this file belongs to, as "ecosystem:name" */
  package?: string
  /** recognised model format (keras-h5, keras-zip, savedmodel, tflite, onnx, safetensors, pytorch, pickle...) */
  modelFormat?: string
}

export interface FolderRow extends Usage {
  path: string
}

export interface PackageRow extends Usage {
  ecosystem: Ecosystem
  name: string
  version?: string
  /** where it is installed, relative to /app (a site-packages dir, node_modules/x, vendor/bundle/...) */
  location?: string
  /** how the bytes were known: installed files in a slug, a wheel in a build log, a local environment */
  evidence: 'build-log' | 'installed' | 'requirement'
}

/** `installed-files`: files inside installed packages that bin/post_compile prunes (headers, static libraries, docs) */
export type FindingKind = 'caches' | 'cuda-on-dyno' | 'data-in-repo' | 'dev-package' | 'docs-media-in-repo' | 'heavy-package' | 'inference-runtime' | 'installed-files'
	| 'model-in-repo' | 'notebooks-in-repo' | 'outside-app' | 'package-tests'
	// Node.js slugs (analyze/node/slug-findings.ts)
	| 'browser-download' | 'build-cache' | 'dev-dependencies' | 'duplicate-versions' | 'foreign-binaries' | 'node-runtime' | 'source-maps'
	// Ruby slugs (analyze/ruby/slug-findings.ts)
	| 'gem-cache' | 'node-modules-after-assets' | 'ruby-tmp-cache' | 'tests-in-repo'

export interface Finding {
  /** stable id, e.g. "heavy-package:tensorflow" */
  id: string
  kind: FindingKind
  severity: 'high' | 'low' | 'medium'
  title: string
  /** what was seen, one line each */
  evidence: string[]
  /** what to do, in words */
  remedy: string
  /** the command that applies it, when one exists */
  command?: string
  /** compressed bytes this saves (the limit counts compressed bytes) */
  savings: number
  /** true when savings come from a knowledge-table estimate rather than measured shares */
  estimated: boolean
  /** where the knowledge behind the finding comes from (URL) */
  source?: string
  /** what the remedy removes, relative to /app: files, or folders written with a trailing '/' */
  paths?: string[]
  /** normalized names of the packages the remedy removes or replaces */
  packages?: string[]
  /**
   * Installed packages that require what the remedy replaces: while they do, pip would install both and the
   * slug would grow, so the remedy is refused (savings 0, no command) until they are replaced or dropped.
   */
  blockedBy?: string[]
  /**
   * The remedy applies only under a condition the evidence cannot check (the app only runs inference): its
   * savings are shown, and left out of what all findings save together (they overlap the others').
   */
  condition?: string
}

export interface CategoryRow extends Usage {
  category: Category
}

export interface Analysis {
  files: FileRow[]
  folders: FolderRow[]
  packages: PackageRow[]
  categories: CategoryRow[]
  findings: Finding[]
  /** repo-origin vs buildpack-origin totals */
  origins: Record<Origin, Usage>
}
