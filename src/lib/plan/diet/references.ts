import {join} from 'node:path'
import {readRegularFile} from '../../shared/read-file.js'

import {baseName, extensionOf} from '../../analyze/paths.js'
import {SOURCE_EXTENSIONS} from '../../knowledge/file-kinds.js'

/**
 * Before a repo file is proposed for `.slugignore`, the app's code, templates, Procfile and config are
 * searched for its name or path. A dynamic path (`f"data/{name}.csv"`) names its folder, so any folder on
 * a file's path counts too: a file is only proposed when nothing the app runs mentions it or where it lives.
 */
const SOURCE_NAMES = new Set(['app.json', 'config.ru', 'Dockerfile', 'Gemfile', 'Procfile', 'Rakefile'])
/** Test and lint tool settings: they mention test folders for tools, not for the app. */
const TOOL_CONFIGS = new Set(['.coveragerc', '.flake8', '.pylintrc', 'conftest.py', 'mypy.ini', 'noxfile.py', 'pytest.ini', 'tox.ini'])
/** Sections of pyproject.toml / setup.cfg that configure the same tools. */
const TOOL_SECTION = /^\[(?:tool[.:])?(?:black|codespell|coverage|flake8|isort|mypy|pylint|pyright|pytest|ruff|tox)\b/
/** Sources larger than this are not read: generated bundles, not hand-written references. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024

export function isReferenceSource(path: string, size: number): boolean {
  const name = baseName(path)
  if (size > MAX_SOURCE_BYTES || TOOL_CONFIGS.has(name)) return false
  return SOURCE_NAMES.has(name) || SOURCE_EXTENSIONS.has(extensionOf(path))
}

/** Reads the repo's reference sources (code, templates, Procfile, config), by path. */
export async function readReferenceTexts(root: string, files: {path: string; size: number; type?: string}[]): Promise<Record<string, string>> {
  const texts: Record<string, string> = {}
  for (const file of files) {
    if (file.type === 'symlink' || !isReferenceSource(file.path, file.size)) continue
    const buffer = await readRegularFile(join(root, file.path)).catch(() => {})
    if (!buffer || buffer.subarray(0, 8000).includes(0)) continue
    texts[file.path] = buffer.toString('utf8')
  }

  return texts
}

function withoutToolSections(text: string): string {
  const out: string[] = []
  let skipping = false
  for (const line of text.split('\n')) {
    if (/^\s*\[/.test(line)) skipping = TOOL_SECTION.test(line.trim())
    if (!skipping) out.push(line)
  }

  return out.join('\n')
}

const QUOTED = /(["'`])((?:\\.|(?!\1)[^\\\n])*)\1/g
/** Unquoted things that look like paths or file names (Procfile commands, YAML values). */
// Each alternative starts only where its run of characters starts: tried inside a long word, it rescanned the rest of the word at every position.
const BARE = /(?<![\w.@-])[\w.@-]*\/[\w./@{}-]+|(?<![\w-])[\w-]+\.[A-Za-z]\w{0,7}\b/g

/** Every way a string could name a file: itself, each folder on it, each trailing part of it. */
function pathForms(raw: string): string[] {
  const s = raw.trim().replaceAll('\\', '/').replace(/^\.\//, '')
  if (s === '' || s.length > 400) return []
  const parts = s.split('/').filter(p => p !== '' && p !== '.')
  const forms: string[] = []
  for (let i = 0; i < parts.length; i++) {
    forms.push(parts.slice(i).join('/'), parts[i])
    for (let j = i + 1; j < parts.length; j++) forms.push(parts.slice(i, j + 1).join('/'))
  }

  return forms
}

/** Each string that could name a repo file, with the first source that mentions it. */
export type ReferenceIndex = Map<string, string>

export function buildReferenceIndex(texts: Record<string, string>, skip: (path: string) => boolean = () => false): ReferenceIndex {
  const index: ReferenceIndex = new Map()
  for (const [path, raw] of Object.entries(texts)) {
    if (skip(path)) continue
    const name = baseName(path)
    const text = name === 'pyproject.toml' || name === 'setup.cfg' ? withoutToolSections(raw) : raw
    const strings = [...text.matchAll(QUOTED)].map(m => m[2])
    for (const m of text.matchAll(BARE)) strings.push(m[0])
    for (const s of strings) {
      for (const form of pathForms(s)) if (!index.has(form)) index.set(form, path)
    }
  }

  return index
}

export interface Reference {
  /** what was mentioned: the file's name, its path, its stem, or a folder it lives in */
  mentioned: string
  /** the file that mentions it */
  by: string
}

/**
 * How the app could reach `path`: a mention of its name, of a trailing part of its path, of its name without
 * the extension, or of a folder it lives in. Undefined when nothing mentions it.
 */
export function findReference(index: ReferenceIndex, path: string): Reference | undefined {
  const parts = path.split('/')
  const name = parts.at(-1)!
  const stem = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ''
  const forms: string[] = []
  for (let i = 0; i < parts.length; i++) forms.push(parts.slice(i).join('/'))
  if (stem.length > 1) forms.push(stem)
  // folders on the path, whole and by their trailing parts: data, data/raw, raw
  for (let end = parts.length - 1; end > 0; end--) {
    for (let start = 0; start < end; start++) forms.push(parts.slice(start, end).join('/'))
  }

  for (const form of forms) {
    const by = index.get(form)
    if (by !== undefined && by !== path) return {by, mentioned: form}
  }

  return undefined
}
