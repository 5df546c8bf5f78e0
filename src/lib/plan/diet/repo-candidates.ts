import {baseName, extensionOf} from '../../analyze/paths.js'
import {BUILD_INPUT_FILES, LOCK_FILE, TEST_DIRS} from '../../knowledge/file-kinds.js'

/** Kinds of repo files a dyno does not need at run time (what `.slugignore` may remove). */
export type CandidateKind = 'ci-editor' | 'data' | 'docs-media' | 'large-file' | 'notebook' | 'offloaded-model' | 'tests'

export interface CandidateKindInfo {
  kind: CandidateKind
  why: string
  source: string
}

const SLUGIGNORE_DOC = 'https://devcenter.heroku.com/articles/slug-compiler#ignoring-files-with-slugignore'

export const CANDIDATE_KINDS: Record<CandidateKind, CandidateKindInfo> = {
  'ci-editor': {
    kind: 'ci-editor',
    source: 'https://docs.github.com/en/actions/writing-workflows/about-workflows',
    why: 'CI and editor settings are read by CI services and editors, never by the running app',
  },
  data: {
    kind: 'data',
    source: SLUGIGNORE_DOC,
    why: 'data sets no source file, template, Procfile or config refers to',
  },
  'docs-media': {
    kind: 'docs-media',
    source: SLUGIGNORE_DOC,
    why: 'design files, documents and videos (Heroku\'s own example: PSD files, design documents)',
  },
  'large-file': {
    kind: 'large-file',
    source: SLUGIGNORE_DOC,
    why: 'large files no source file, template, Procfile or config refers to',
  },
  notebook: {
    kind: 'notebook',
    source: 'https://docs.jupyter.org/en/latest/what_is_jupyter.html',
    why: 'Jupyter notebooks are opened in a notebook server, not run by the web or worker process',
  },
  'offloaded-model': {
    kind: 'offloaded-model',
    source: 'https://devcenter.heroku.com/articles/s3',
    why: 'offloaded to S3 by slug:offload-models (models.manifest.json); the loader fetches it when the dyno starts',
  },
  tests: {
    kind: 'tests',
    source: SLUGIGNORE_DOC,
    why: 'test suites are run by CI, not by the dyno (Heroku\'s own example: unit tests)',
  },
}

/** Whole folders that only CI services and editors read. */
const CI_EDITOR_DIRS = new Set(['.circleci', '.devcontainer', '.github', '.gitlab', '.idea', '.vscode'])
const CI_EDITOR_FILES = new Set(['.gitlab-ci.yml', '.pre-commit-config.yaml', '.travis.yml', 'azure-pipelines.yml', 'bitbucket-pipelines.yml'])
const NOTEBOOK = new Set(['.ipynb'])
const DOCS_MEDIA = new Set([
  '.ai',
  '.avi',
  '.doc',
  '.docx',
  '.fig',
  '.indd',
  '.key',
  '.m4v',
  '.mkv',
  '.mov',
  '.mp4',
  '.pdf',
  '.ppt',
  '.pptx',
  '.psd',
  '.sketch',
  '.webm',
  '.wmv',
  '.xcf',
  '.xd',
])
/** Images are only media to drop inside documentation folders; elsewhere a template may serve them. */
const DOC_IMAGES = new Set(['.gif', '.jpeg', '.jpg', '.png', '.svg', '.webp'])
const DOC_DIRS = new Set(['doc', 'docs', 'documentation'])
const DATA = new Set([
  '.arrow',
  '.avro',
  '.csv',
  '.db',
  '.feather',
  '.jsonl',
  '.ndjson',
  '.npy',
  '.npz',
  '.orc',
  '.parquet',
  '.sqlite',
  '.sqlite3',
  '.tsv',
  '.xls',
  '.xlsx',
])
/** Folders whose files a web app serves or renders: media in them is never proposed. */
const WEB_DIRS = new Set(['assets', 'media', 'public', 'static', 'templates', 'views', 'www'])
/** Executable or loadable content: never proposed as a "large file", whatever its size. */
const CODE_LIKE = /\.(?:jar|js|mjs|node|py|pyc|rb|so|wasm|war)$|\.so\.[\d.]+$/i
export const LARGE_FILE_BYTES = 10e6

/** Why a path must stay in the slug as a build or start-up input, or undefined. */
export function buildInputReason(path: string): string | undefined {
  const name = baseName(path)
  if (path.startsWith('bin/')) return 'bin/ holds the build hooks and scripts the Procfile runs'
  if (path.startsWith('.profile.d/')) return '.profile.d/ scripts run when a dyno starts'
  if (!path.includes('/') && BUILD_INPUT_FILES.has(name)) return `${name} is a build input`
  if (LOCK_FILE.test(name)) return `${name} is a lock file (a build input)`
  return undefined
}

function segments(path: string): string[] {
  return path.split('/').slice(0, -1)
}

/** What kind of removable file this is, from its path (and whether it is offloaded or large), or undefined. */
export function candidateKind(path: string, size: number, options: {keepTests: boolean; models: Set<string>; offloaded: Set<string>}): CandidateKind | undefined {
  if (options.offloaded.has(path)) return 'offloaded-model'
  if (options.models.has(path)) return undefined
  const dirs = segments(path)
  const name = baseName(path)
  const ext = extensionOf(path)
  if ((dirs.length > 0 && CI_EDITOR_DIRS.has(dirs[0])) || (dirs.length === 0 && CI_EDITOR_FILES.has(name))) return 'ci-editor'
  if (!options.keepTests && dirs.some(d => TEST_DIRS.has(d))) return 'tests'
  if (NOTEBOOK.has(ext) || dirs.includes('.ipynb_checkpoints')) return 'notebook'
  const served = dirs.some(d => WEB_DIRS.has(d))
  if (!served && (DOCS_MEDIA.has(ext) || (DOC_IMAGES.has(ext) && dirs.some(d => DOC_DIRS.has(d))))) return 'docs-media'
  if (!served && DATA.has(ext)) return 'data'
  if (!served && size >= LARGE_FILE_BYTES && !CODE_LIKE.test(name)) return 'large-file'
  return undefined
}
