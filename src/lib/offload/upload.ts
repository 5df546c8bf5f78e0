import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import type {ObjectStore} from '../s3/store.js'
import {UserError} from '../util/errors.js'
import {objectKey} from './destination.js'
import type {ModelUnit} from './find.js'
import type {ManifestEntry} from './manifest.js'

export interface UploadOutcome extends ManifestEntry {
  /** skipped: S3 already held the same size and sha256 */
  status: 'skipped' | 'uploaded'
  bytesSent: number
  seconds: number
  /** the object's ETag after the upload; a multipart upload's ends in -PARTS */
  etag?: string
}

/** Told about each file so a terminal can draw a bar per file; never called with --json. */
export interface UploadReporter {
  start(entry: ManifestEntry): void
  progress(entry: ManifestEntry, sent: number): void
  finish(outcome: UploadOutcome): void
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, {highWaterMark: 1024 * 1024})) hash.update(chunk)
  return hash.digest('hex')
}

/** One manifest entry per file of each model, with its S3 key and sha256. */
export async function describeObjects(root: string, models: ModelUnit[], prefix: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = []
  for (const model of models) {
    for (const file of model.files) {
      let sha256: string
      try {
        sha256 = await hashFile(join(root, file.path))
      } catch (error) {
        throw new UserError(`Cannot read ${file.path}: ${(error as Error).message}`)
      }

      entries.push({key: objectKey(prefix, file.path), model: model.path, path: file.path, sha256, size: file.size})
    }
  }

  return entries
}

function holds(head: {sha256?: string, size: number} | undefined, entry: ManifestEntry): boolean {
  return head !== undefined && head.size === entry.size && head.sha256 === entry.sha256
}

/**
 * Uploads each file unless S3 already holds it (same size and sha256), then checks what S3 holds
 * against the file. Files go one after another; each one's parts go in parallel.
 */
export async function uploadObjects(store: ObjectStore, root: string, entries: ManifestEntry[], reporter?: UploadReporter): Promise<UploadOutcome[]> {
  const outcomes: UploadOutcome[] = []
  for (const entry of entries) {
    const started = performance.now()
    reporter?.start(entry)
    if (holds(await store.head(entry.key), entry)) {
      const outcome: UploadOutcome = {...entry, bytesSent: 0, seconds: 0, status: 'skipped'}
      reporter?.finish(outcome)
      outcomes.push(outcome)
      continue
    }

    const sent = await store.uploadFile(entry.key, join(root, entry.path), entry, loaded => reporter?.progress(entry, loaded))
    if (sent.sentSha256 !== entry.sha256) {
      throw new UserError(`${entry.path} changed while it was being uploaded. Run the command again once nothing writes to it.`)
    }

    const head = await store.head(entry.key)
    if (!holds(head, entry)) {
      const held = head ? `${head.size} bytes, sha256 ${head.sha256 ?? 'not recorded'}` : 'no object'
      throw new UserError(`S3 does not hold what was sent for ${entry.path} (${held}; expected ${entry.size} bytes). Run the command again.`)
    }

    const outcome: UploadOutcome = {
      ...entry, bytesSent: entry.size, etag: head?.etag ?? sent.etag, seconds: (performance.now() - started) / 1000, status: 'uploaded',
    }
    reporter?.finish(outcome)
    outcomes.push(outcome)
  }

  return outcomes
}
