import {existsSync, realpathSync} from 'node:fs'
import {isAbsolute, relative, resolve} from 'node:path'

import picomatch from 'picomatch'

import {detectModelFormat, savedModelRootsOf} from '../../analyze/models.js'
import {listRepo, type RepoFile} from '../../source/repo-files.js'
import {formatBytes} from '../../shared/bytes.js'
import {UserError} from '../../shared/errors.js'

const SAVED_MODEL = 'savedmodel'

/** One thing the app loads as a whole: a model file, or a folder (a SavedModel) whose files go together. */
export interface ModelUnit {
  /** repo-relative, '/'-separated; a folder has no trailing '/' */
  path: string
  kind: 'file' | 'folder'
  format: string
  size: number
  files: Array<{path: string, size: number}>
}

export interface FindOptions {
  /** the repo, or a folder inside it */
  dir: string
  /** explicit paths or globs, relative to `cwd`; empty: find by content */
  paths: string[]
  minSize: number
  cwd?: string
  /** what to say when no model is found (default: slug:offload-models' advice) */
  noneFound?: (root: string) => string
}

const GLOB = /[*?[\]]/

function fileUnit(file: RepoFile, format: string): ModelUnit {
  return {files: [{path: file.path, size: file.size}], format, kind: 'file', path: file.path, size: file.size}
}

function folderUnit(path: string, files: RepoFile[], format: string): ModelUnit {
  const inside = files.filter(f => f.path.startsWith(`${path}/`))
  return {
    files: inside.map(f => ({path: f.path, size: f.size})),
    format,
    kind: 'folder',
    path,
    size: inside.reduce((sum, f) => sum + f.size, 0),
  }
}

function outside(rel: string): boolean {
  return rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel)
}

function repoPath(root: string, absolute: string): string {
  return relative(root, absolute).split('\\').join('/')
}

/**
 * The repo path `arg` stands for once symlinks are followed: a committed link to a model elsewhere
 * in the repo means that model. A link leaving the repo is refused: the slug holds only the link.
 */
function followLinks(root: string, arg: string, absolute: string): string | undefined {
  let real: string
  try {
    real = realpathSync(absolute)
  } catch {
    return undefined
  }

  const rel = repoPath(realpathSync(root), real)
  if (outside(rel)) {
    throw new UserError(`${arg} is a symlink to ${real}, outside the repository: the slug holds the link, not the model, so there is nothing to offload.`)
  }

  return rel
}

function underAny(path: string, folders: string[]): boolean {
  return folders.some(f => path.startsWith(`${f}/`))
}

/** Every committed model of at least `minSize`, recognised by its content; a SavedModel folder is one unit. */
function byContent(files: RepoFile[], minSize: number): ModelUnit[] {
  // A SavedModel at the repo root would be the whole repo: not a unit to offload.
  const roots = savedModelRootsOf(files.map(f => f.path)).filter(r => r !== '')
  const units = roots.map(root => folderUnit(root, files, SAVED_MODEL)).filter(u => u.size >= minSize)
  for (const file of files) {
    if (file.size < minSize || underAny(file.path, roots)) continue
    const format = detectModelFormat(file.path, file.peek)
    if (format) units.push(fileUnit(file, format))
  }

  return units
}

/** The units the user named: files, folders (one unit each) or globs over committed files. */
function byName(root: string, files: RepoFile[], args: string[], cwd: string): ModelUnit[] {
  const roots = new Set(savedModelRootsOf(files.map(f => f.path)))
  const units: ModelUnit[] = []
  for (const arg of args) {
    const named = relative(root, resolve(cwd, arg)).split('\\').join('/')
    if (outside(named)) {
      throw new UserError(`${arg} is outside the repository ${root}: only files a push sends can be offloaded.`)
    }

    if (GLOB.test(arg)) {
      // A shell glob, as the user typed it: '*' stays within one folder, '**' crosses folders.
      const matches = picomatch(named, {dot: true})
      const hits = files.filter(f => matches(f.path))
      if (hits.length === 0) throw new UserError(`No committed file matches ${arg}.`)
      for (const file of hits) units.push(fileUnit(file, detectModelFormat(file.path, file.peek) ?? 'file'))
      continue
    }

    const rel = followLinks(root, arg, resolve(cwd, arg)) ?? named
    const file = files.find(f => f.path === rel)
    if (file) {
      units.push(fileUnit(file, detectModelFormat(file.path, file.peek) ?? 'file'))
      continue
    }

    const folder = rel.replace(/\/+$/, '')
    if (files.some(f => f.path.startsWith(`${folder}/`))) {
      units.push(folderUnit(folder, files, roots.has(folder) ? SAVED_MODEL : 'folder'))
      continue
    }

    if (existsSync(resolve(cwd, arg))) {
      throw new UserError(`${arg} is not committed to git, so it is not in the slug: there is nothing to offload.`)
    }

    throw new UserError(`${arg} does not exist.`)
  }

  return units
}

/** Keeps each file in one unit only: a folder wins over a file inside it; the same path named twice counts once. */
function dedupe(units: ModelUnit[]): ModelUnit[] {
  const folders = units.filter(u => u.kind === 'folder').map(u => u.path)
  const seen = new Set<string>()
  const out: ModelUnit[] = []
  for (const unit of units) {
    if (seen.has(unit.path) || (unit.kind === 'file' && underAny(unit.path, folders))) continue
    seen.add(unit.path)
    out.push(unit)
  }

  return out.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1))
}

/** A file git tracks but this user cannot read: one line naming it, instead of a raw errno. */
function unreadable(error: NodeJS.ErrnoException, dir: string): Error {
  if ((error.code !== 'EACCES' && error.code !== 'EPERM') || !error.path) return error
  let root = dir
  try {
    root = realpathSync(dir)
  } catch {}

  const path = outside(repoPath(root, error.path)) ? error.path : repoPath(root, error.path)
  return new UserError(`Cannot read ${path} (permission denied): make it readable, or run from a checkout where it is.`)
}

export interface FoundModels {
  models: ModelUnit[]
  root: string
  /** every committed file's path, for deciding which loader fits the app */
  paths: string[]
}

/** The models to offload from the repo holding `dir`, and the repo's root. */
export async function findModels(options: FindOptions): Promise<FoundModels> {
  const {files: all, root, unreadable: locked = []} = await listRepo(options.dir).catch(error => {
    throw unreadable(error, options.dir)
  })
  // A file that cannot be read cannot be told a model or not: offloading around it would leave a model behind.
  if (locked.length > 0) {
    const more = locked.length > 1 ? ` (and ${locked.length - 1} more)` : ''
    throw new UserError(`Cannot read ${locked[0]}${more} (permission denied): make it readable, or run from a checkout where it is.`)
  }

  const files = all.filter(f => f.type === 'file')
  const cwd = options.cwd ?? process.cwd()
  const models = dedupe(options.paths.length > 0 ? byName(root, files, options.paths, cwd) : byContent(files, options.minSize))
  if (models.length === 0) {
    if (options.noneFound) throw new UserError(options.noneFound(root))
    throw new UserError(`No committed model file of ${formatBytes(options.minSize)} or more was found in ${root}. Name the files (slug:offload-models PATH...), or lower --min-size.`)
  }

  return {models, paths: all.map(f => f.path), root}
}
