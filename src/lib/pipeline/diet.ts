import type {HerokuApi} from '../heroku/client.js'
import {resolve} from 'node:path'

import {detectModelFormat, savedModelRootsOf} from '../analyze/models.js'
import type {FileRow} from '../analyze/rows.js'
import {type DeclaredDependencies, readDeclaredDependencies} from '../source/repo-dependencies.js'
import {readLocalManifest} from '../plan/offload/manifest.js'
import {estimateCompressedSizes} from '../predict/repo/estimate.js'
import {listRepo, type RepoFile, type RepoListing} from '../source/repo-files.js'
import type {ScanCache} from '../scan/cache/store.js'
import {type EvidenceChoice, type Inspection, inspectEvidence} from './evidence.js'
import type {NodePredictOptions} from '../predict/node/predict.js'
import type {StackResolveOptions} from '../predict/python/predict.js'
import type {ScanProgress} from '../source/slug-reader.js'
import {writeFailureReason} from '../shared/atomic-write.js'
import {UserError} from '../shared/errors.js'
import {readRegularFile} from '../shared/read-file.js'
import {readReferenceTexts} from '../plan/diet/references.js'
import {convertedOriginals} from '../plan/convert/naming.js'

/** What slug:diet knows about the repo before it looks at any slug. */
export interface RepoState {
  root: string
  /** what git ls-files gave, kept so the repo prediction does not list and read the repo again */
  listing: RepoListing
  repoFiles: RepoFile[]
  texts: Record<string, string>
  existing: Partial<Record<string, string>>
  models: {path: string; format: string}[]
  offloaded: string[]
  /** models slug:convert-models replaced with ONNX ones (their .onnx is beside them) */
  converted: string[]
  declared: DeclaredDependencies[]
}

/** A file the plan may rewrite: undefined when absent; unreadable or binary is the user's to fix first. */
export async function readExisting(root: string, path: string): Promise<string | undefined> {
  let buffer: Buffer
  try {
    buffer = await readRegularFile(resolve(root, path))
  } catch (error) {
    const {code} = (error as NodeJS.ErrnoException)
    if (code === 'ENOENT') return undefined
    throw new UserError(`Cannot read ${path}: ${writeFailureReason(error)}. Nothing was written.`)
  }

  if (buffer.includes(0)) throw new UserError(`${path} is not a text file. Nothing was written.`)
  return buffer.toString('utf8')
}

/** Models by content (the same detection as slug:inspect), every file of a SavedModel folder included. */
function repoModels(files: RepoFile[]): {path: string; format: string}[] {
  const roots = savedModelRootsOf(files.map(f => f.path))
  const models: {path: string; format: string}[] = []
  for (const f of files) {
    if (f.type !== 'file') continue
    const inSavedModel = roots.some(r => f.path.startsWith(`${r}/`))
    const format = inSavedModel ? 'savedmodel' : detectModelFormat(f.path, f.peek)
    if (format) models.push({format, path: f.path})
  }

  return models
}

/** Reads the repo holding `dir` (it must be a git repository) and the files the plan may change. */
export async function loadRepoState(dir: string, paths: string[]): Promise<RepoState> {
  const listing = await listRepo(dir)
  const {files, root} = listing
  const existing: Partial<Record<string, string>> = {}
  for (const path of paths) existing[path] = await readExisting(root, path)
  const manifest = await readLocalManifest(root)
  const models = repoModels(files)
  return {
    converted: convertedOriginals(models, files.map(f => f.path)),
    declared: await readDeclaredDependencies(root),
    existing,
    listing,
    models,
    offloaded: manifest?.models.map(m => m.path) ?? [],
    repoFiles: files,
    root,
    texts: await readReferenceTexts(root, files),
  }
}

/** The same evidence slug:inspect reads: an app's slug, a slug file, a build log, or else the repo itself. */
export async function inspectForDiet(
  heroku: HerokuApi,
  choice: Omit<EvidenceChoice, 'dir' | 'sitePackages'>,
  repo: RepoState,
  {cache, connections, node, progress, resolve}: {cache?: ScanCache; connections?: number; node?: NodePredictOptions; progress?: ScanProgress; resolve?: StackResolveOptions} = {},
): Promise<Inspection & {files: FileRow[]}> {
  const elsewhere = choice.app ?? choice.file ?? choice.log ?? choice.build ?? choice.slugId
  const {captured, files, report} = await inspectEvidence(heroku, {...choice, dir: elsewhere === undefined ? repo.root : undefined}, {
    analyze: {depth: 2, top: 20},
    cache,
    connections,
    known: {declared: repo.declared, listing: repo.listing},
    node,
    progress,
    resolve,
  })
  // The plan weighs every file, not just the report's top N.
  return {captured, files: files ?? [], report}
}

/** Estimates the compressed share of repo files the evidence has none for. */
export function repoEstimator(repo: RepoState): (paths: string[]) => Promise<Map<string, number>> {
  return async paths => {
    const wanted = new Set(paths)
    const files = repo.repoFiles.filter(f => wanted.has(f.path))
    const shares = await estimateCompressedSizes(repo.root, files)
    return new Map(files.map((f, i) => [f.path, Math.round(shares[i])]))
  }
}
