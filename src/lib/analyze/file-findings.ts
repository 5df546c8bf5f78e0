import {modelFormatInfo} from '../knowledge/model-formats.js'
import type {Category, FileRow, Finding, FindingKind} from './rows.js'
import type {OutsideApp} from '../scan/entries.js'
import {formatBytes} from '../shared/bytes.js'
import {isBuildInput} from '../knowledge/file-kinds.js'
import {COMMANDS, severityOf} from './findings.js'
import {savedModelRootsOf} from './models.js'
import {dirName} from './paths.js'

/*
 * Findings about the slug's files rather than its packages: repo files .slugignore can remove (models,
 * data, notebooks, docs and media, caches) and entries outside ./app/. Package findings are in
 * package-findings.ts; what all findings share is in findings.ts.
 */

/** Path findings (and model files) smaller than this, in compressed bytes, are left out as noise. */
export const MIN_PATH_SAVINGS = 100_000

const SOURCES = {
  postCompile: 'https://github.com/heroku/heroku-buildpack-python',
  slugignore: 'https://devcenter.heroku.com/articles/slug-compiler#ignoring-files-with-slugignore',
  slugSize: 'https://devcenter.heroku.com/articles/slug-compiler#slug-size',
}

/** Files that must stay: the build reads them. */
function removable(f: FileRow): boolean {
  return f.origin === 'repo' && !isBuildInput(f.path) && !f.path.startsWith('bin/')
}

function topFolder(path: string): string {
  const slash = path.indexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

/** Number of files under each folder. */
function folderCounts(files: FileRow[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const f of files) {
    for (let dir = dirName(f.path); dir !== ''; dir = dirName(dir)) counts.set(dir, (counts.get(dir) ?? 0) + 1)
  }

  return counts
}

/**
 * The fewest paths covering `selected`: the outermost folder whose every file is selected (written with
 * a trailing `/`), else the file itself.
 */
function coverPaths(selected: FileRow[], totals: Map<string, number>): string[] {
  const chosen = folderCounts(selected)
  const paths = new Set<string>()
  for (const f of selected) {
    let pick = f.path
    for (let end = f.path.indexOf('/'); end !== -1; end = f.path.indexOf('/', end + 1)) {
      const dir = f.path.slice(0, end)
      if (chosen.get(dir) === totals.get(dir)) {
        pick = `${dir}/`
        break
      }
    }

    paths.add(pick)
  }

  return [...paths].sort()
}

function sumCompressed(files: FileRow[]): number {
  return files.reduce((sum, f) => sum + f.compressed, 0)
}

const REPO_FINDINGS: ReadonlyArray<{category: Category; kind: FindingKind; what: string; remedy: string}> = [
  {
    category: 'data',
    kind: 'data-in-repo',
    remedy:
      'Add them to .slugignore (`heroku slug:diet`). If the app reads them at run time, keep them in object storage '
      + '(S3) and fetch them when the dyno starts instead.',
    what: 'Data files',
  },
  {
    category: 'notebook',
    kind: 'notebooks-in-repo',
    remedy: 'The app does not run notebooks: add them to .slugignore (`heroku slug:diet`).',
    what: 'Jupyter notebooks',
  },
  {
    category: 'docs-media',
    kind: 'docs-media-in-repo',
    remedy:
      'Documentation and media the app does not serve: add them to .slugignore (`heroku slug:diet`). '
      + 'Media the app serves belongs on a CDN or in S3.',
    what: 'Documentation and media',
  },
  {
    category: 'cache',
    kind: 'caches',
    remedy: 'Caches committed with the code (__pycache__, .pytest_cache, .ipynb_checkpoints...): add them to .slugignore and .gitignore (`heroku slug:diet`).',
    what: 'Caches',
  },
]

function modelFinding(models: FileRow[]): Finding | undefined {
  const roots = savedModelRootsOf(models.filter(f => f.modelFormat === 'savedmodel').map(f => f.path)).filter(r => r !== '')
  const units = new Map<string, {format: string; bytes: number}>()
  for (const f of models) {
    const root = f.modelFormat === 'savedmodel' ? roots.find(r => f.path.startsWith(`${r}/`)) : undefined
    const path = root === undefined ? f.path : `${root}/`
    const unit = units.get(path) ?? {bytes: 0, format: f.modelFormat ?? 'model'}
    unit.bytes += f.compressed
    units.set(path, unit)
  }

  const kept = [...units.entries()].filter(([, u]) => u.bytes >= MIN_PATH_SAVINGS).sort((a, b) => b[1].bytes - a[1].bytes)
  if (kept.length === 0) return undefined
  const savings = kept.reduce((sum, [, u]) => sum + u.bytes, 0)
  return {
    command: COMMANDS.offloadModels,
    estimated: false,
    evidence: kept.slice(0, 10).map(([path, u]) => `${path} (${modelFormatInfo(u.format)?.label ?? u.format}): ${formatBytes(u.bytes)} compressed`),
    id: 'model-in-repo',
    kind: 'model-in-repo',
    paths: kept.map(([path]) => path).sort(),
    remedy:
      'Keep model files out of the slug: upload them to S3 and download them when the dyno starts. '
      + '`heroku slug:offload-models` uploads them, adds them to .slugignore and writes the loader.',
    savings,
    severity: severityOf(savings),
    source: SOURCES.slugSize,
    title: `${kept.length} model file${kept.length === 1 ? '' : 's'} committed in the repo`,
  }
}

/** Findings about files pushed from the repo: models, data, notebooks, docs and media, caches. */
export function repoFindings(files: FileRow[]): Finding[] {
  const byCategory = new Map<Category, FileRow[]>()
  for (const f of files) {
    if (!removable(f)) continue
    const list = byCategory.get(f.category)
    if (list) list.push(f)
    else byCategory.set(f.category, [f])
  }

  const findings: Finding[] = []
  const models = modelFinding(byCategory.get('model') ?? [])
  if (models) findings.push(models)
  const chosen = REPO_FINDINGS.map(rule => ({rule, selected: byCategory.get(rule.category) ?? []}))
  .map(c => ({...c, savings: sumCompressed(c.selected)}))
  .filter(c => c.savings >= MIN_PATH_SAVINGS)
  if (chosen.length === 0) return findings
  // A folder is "pure" when every file under it, whatever its origin, is selected: only the top folders
  // holding selected files need counting.
  const tops = new Set(chosen.flatMap(c => c.selected.map(f => topFolder(f.path))))
  const totals = folderCounts(files.filter(f => tops.has(topFolder(f.path))))
  for (const {rule, savings, selected} of chosen) {
    const largest = [...selected].sort((a, b) => b.compressed - a.compressed).slice(0, 5)
    findings.push({
      command: COMMANDS.diet,
      estimated: false,
      evidence: [
        `${selected.length} file${selected.length === 1 ? '' : 's'}: ${formatBytes(savings)} compressed`,
        ...largest.map(f => `${f.path}: ${formatBytes(f.compressed)} compressed`),
      ],
      id: rule.kind,
      kind: rule.kind,
      paths: coverPaths(selected, totals),
      remedy: rule.remedy,
      savings,
      severity: severityOf(savings),
      source: SOURCES.slugignore,
      title: `${rule.what} in the repo`,
    })
  }

  return findings
}

/** Entries outside ./app: Heroku never unpacks them, yet they count toward the compressed size. */
export function outsideFinding(outside: OutsideApp): Finding | undefined {
  if (outside.count === 0) return undefined
  return {
    estimated: false,
    evidence: [
      `${outside.count} entr${outside.count === 1 ? 'y' : 'ies'} outside ./app: ${formatBytes(outside.compressed)} compressed (${formatBytes(outside.size)} unpacked)`,
      ...outside.examples.map(e => `e.g. ${e}`),
    ],
    id: 'outside-app',
    kind: 'outside-app',
    remedy:
      'Heroku only unpacks ./app. These entries come from whatever built the tarball (a slug created through the '
      + 'Slug API): build it from inside ./app so they are left out.',
    savings: outside.compressed,
    severity: 'low',
    source: 'https://devcenter.heroku.com/articles/platform-api-deploying-slugs',
    title: 'Entries outside ./app (ignored by Heroku)',
  }
}
