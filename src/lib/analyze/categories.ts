import {APP_ASSET_EXTENSIONS, isBuildInput, SOURCE_EXTENSIONS, TEST_DIRS} from '../knowledge/file-kinds.js'
import {extensionOf, SITE_PACKAGES} from './paths.js'
import type {Category, Ecosystem} from './rows.js'

/** Text formats that are data once they are large (a 40 MB JSON is a dataset, not configuration). */
export const LARGE_TEXT_BYTES = 1_000_000

const PACKAGE_CATEGORY: Record<Ecosystem, Category> = {
  node: 'node-package',
  python: 'python-package',
  ruby: 'ruby-gem',
  runtime: 'runtime',
}

const CACHE_DIRS = new Set([
  '.cache',
  '.git',
  '.hypothesis',
  '.ipynb_checkpoints',
  '.mypy_cache',
  '.nox',
  '.pytest_cache',
  '.ruff_cache',
  '.tox',
  '__pycache__',
])
const TEST_FILE = /^(?:test_.+\.py|.+_test\.py|conftest\.py|.+_spec\.rb|.+\.(?:test|spec)\.[cm]?[jt]sx?)$/
const DOCS_DIRS = new Set(['doc', 'docs'])
/** Folders a web app serves from or renders: images there are part of the app. */
const WEB_DIRS = new Set(['app', 'assets', 'build', 'client', 'dist', 'frontend', 'public', 'src', 'static', 'staticfiles', 'templates', 'web', 'www'])

const MEDIA = new Set([
  '.aac',
  '.ai',
  '.avi',
  '.doc',
  '.docx',
  '.eps',
  '.fig',
  '.flac',
  '.indd',
  '.key',
  '.m4a',
  '.m4v',
  '.mkv',
  '.mov',
  '.mp3',
  '.mp4',
  '.ogg',
  '.pdf',
  '.ppt',
  '.pptx',
  '.psd',
  '.sketch',
  '.wav',
  '.webm',
  '.wmv',
  '.xcf',
])
const IMAGES = new Set(['.bmp', '.gif', '.jpeg', '.jpg', '.png', '.svg', '.tif', '.tiff', '.webp'])
const DATA = new Set([
  '.7z',
  '.arrow',
  '.avro',
  '.bz2',
  '.csv',
  '.db',
  '.dta',
  '.feather',
  '.gz',
  '.jsonl',
  '.mat',
  '.ndjson',
  '.npy',
  '.npz',
  '.orc',
  '.parquet',
  '.rar',
  '.sav',
  '.sqlite',
  '.sqlite3',
  '.tar',
  '.tfrecord',
  '.tfrecords',
  '.tgz',
  '.tsv',
  '.xls',
  '.xlsx',
  '.xz',
  '.zip',
  '.zst',
])
const LARGE_TEXT = new Set(['.dat', '.html', '.json', '.md', '.rst', '.txt', '.xml', '.yaml', '.yml'])

/**
 * What a file is, for the category table and the repo findings. Packages and runtimes come first (a
 * model inside site-packages is part of its package), then models, then by location and extension.
 */
export function categoryOf(
  path: string,
  size: number,
  owner?: {ecosystem: Ecosystem},
  modelFormat?: string,
): Category {
  if (owner) return PACKAGE_CATEGORY[owner.ecosystem]
  if (SITE_PACKAGES.test(path)) return 'python-package'
  if (path.startsWith('node_modules/') || path.includes('/node_modules/')) return 'node-package'
  if (path.startsWith('vendor/bundle/')) return 'ruby-gem'
  if (isBuildInput(path)) return 'app-code'
  if (modelFormat) return 'model'

  const segments = path.split('/')
  const name = segments.pop()!
  const extension = extensionOf(name)
  if (segments.some(s => CACHE_DIRS.has(s)) || extension === '.pyc') return 'cache'
  if (extension === '.ipynb') return 'notebook'
  if (segments.some(s => TEST_DIRS.has(s)) || TEST_FILE.test(name)) return 'tests'
  if (DOCS_DIRS.has(segments[0] ?? '') || MEDIA.has(extension)) return 'docs-media'
  if (IMAGES.has(extension)) return segments.some(s => WEB_DIRS.has(s)) ? 'app-code' : 'docs-media'
  if (DATA.has(extension)) return 'data'
  if (LARGE_TEXT.has(extension) && size > LARGE_TEXT_BYTES) return extension === '.md' || extension === '.rst' ? 'docs-media' : 'data'
  if (SOURCE_EXTENSIONS.has(extension) || APP_ASSET_EXTENSIONS.has(extension) || /^(?:Procfile|Dockerfile|Makefile|Rakefile|Gemfile|config\.ru)$/.test(name)) return 'app-code'
  return 'other'
}
