import {createHash} from 'node:crypto'
import {join} from 'node:path'

import {UserError} from '../../shared/errors.js'
import {readRegularText} from '../../shared/read-file.js'

export const MANIFEST_VERSION = 1
/** The local copy, in the repo root: slug:diet reads it to know which models live in S3. */
export const LOCAL_MANIFEST = 'models.manifest.json'

export interface ManifestEntry {
  /** where the loader puts the file, relative to the app root */
  path: string
  key: string
  size: number
  sha256: string
  /** the model this file belongs to: itself, or its SavedModel folder */
  model: string
}

export interface ModelManifest {
  version: typeof MANIFEST_VERSION
  bucket: string
  prefix: string
  models: ManifestEntry[]
}

/**
 * The manifest for `entries`, keeping the models of an earlier run to the same bucket and prefix,
 * so offloading one more model never makes the loader forget the others. No timestamps: the same
 * models give the same bytes.
 */
export function buildManifest(bucket: string, prefix: string, entries: ManifestEntry[], previous?: ModelManifest): ModelManifest {
  const byPath = new Map<string, ManifestEntry>()
  if (previous && previous.bucket === bucket && previous.prefix === prefix) {
    for (const entry of previous.models) byPath.set(entry.path, entry)
  }

  for (const entry of entries) byPath.set(entry.path, entry)
  const models = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : (a.path > b.path ? 1 : 0)))
  return {bucket, models, prefix, version: MANIFEST_VERSION}
}

export function serializeManifest(manifest: ModelManifest): string {
  const {bucket, models, prefix, version} = manifest
  const ordered = {
    version, bucket, prefix, models: models.map(m => ({path: m.path, key: m.key, size: m.size, sha256: m.sha256, model: m.model})),
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

/** The manifest's own sha256, which names its object in S3. */
export function manifestSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function isEntry(value: unknown): value is ManifestEntry {
  const e = value as ManifestEntry
  if (typeof e?.path !== 'string' || typeof e.key !== 'string' || typeof e.model !== 'string') return false
  return Number.isInteger(e.size) && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)
}

export function parseManifest(text: string, source: string): ModelManifest {
  let data: Partial<ModelManifest>
  try {
    data = JSON.parse(text)
  } catch {
    throw new UserError(`${source} is not valid JSON: fix or delete it, then run slug:offload-models again.`)
  }

  if (data?.version !== MANIFEST_VERSION) {
    throw new UserError(`${source} has manifest version ${String(data?.version)}; this plugin reads version ${MANIFEST_VERSION}.`)
  }

  if (typeof data.bucket !== 'string' || typeof data.prefix !== 'string' || !Array.isArray(data.models) || !data.models.every(m => isEntry(m))) {
    throw new UserError(`${source} is not a model manifest (bucket, prefix and models with path, key, size, sha256, model).`)
  }

  return data as ModelManifest
}

/** The repo's models.manifest.json, or undefined when there is none. */
export async function readLocalManifest(root: string): Promise<ModelManifest | undefined> {
  let text: string
  try {
    text = await readRegularText(join(root, LOCAL_MANIFEST))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new UserError(`Cannot read ${LOCAL_MANIFEST}: ${(error as Error).message}`)
  }

  return parseManifest(text, LOCAL_MANIFEST)
}
