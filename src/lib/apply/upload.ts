import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {S3ChecksumHasher, sameChecksum} from './s3/checksum.js'
import {type ObjectHead, type ObjectStore, partSize} from './s3/store.js'
import {UserError} from '../shared/errors.js'
import {objectKey} from '../plan/offload/destination.js'
import type {ModelUnit} from '../plan/offload/find.js'
import type {ManifestEntry} from '../plan/offload/manifest.js'

/** A file to upload: its manifest entry and the SHA256 checksum S3 will report for it. */
export interface ObjectToUpload extends ManifestEntry {
  /** base64, "-PARTS" for a multipart upload (see S3ChecksumHasher) */
  checksum: string
}

export interface UploadOutcome extends ObjectToUpload {
  /** skipped: S3 already held the object, with the same size and SHA256 checksum */
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

/** Stopped by Ctrl-C or SIGTERM between two files: nothing after the uploads ran. */
export class InterruptedError extends UserError {
  constructor() {
    super('Interrupted: nothing was set or written; what was uploaded stays and is skipped next time. Run the command again to finish.', 130)
  }
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, {highWaterMark: 1024 * 1024})) hash.update(chunk)
  return hash.digest('hex')
}

async function hashForS3(path: string, size: number): Promise<{checksum: string, sha256: string}> {
  const hasher = new S3ChecksumHasher(partSize(size))
  for await (const chunk of createReadStream(path, {highWaterMark: 1024 * 1024})) hasher.update(chunk as Buffer)
  return hasher.digest()
}

/** One entry per file of each model, with its sha256, its content-addressed S3 key and S3's checksum for it. */
export async function describeObjects(root: string, models: ModelUnit[], prefix: string): Promise<ObjectToUpload[]> {
  const entries: ObjectToUpload[] = []
  for (const model of models) {
    for (const file of model.files) {
      let hashed: {checksum: string, sha256: string}
      try {
        hashed = await hashForS3(join(root, file.path), file.size)
      } catch (error) {
        const {code} = (error as NodeJS.ErrnoException)
        throw new UserError(`Cannot read ${file.path}${code === 'EACCES' || code === 'EPERM' ? ' (permission denied)' : `: ${(error as Error).message}`}.`)
      }

      const {checksum, sha256} = hashed
      entries.push({checksum, key: objectKey(prefix, sha256), model: model.path, path: file.path, sha256, size: file.size})
    }
  }

  return entries
}

function holds(head: ObjectHead | undefined, entry: ObjectToUpload): boolean {
  return head !== undefined && head.size === entry.size && sameChecksum(head.checksum, entry.checksum)
}

/**
 * Uploads each file unless S3 already holds it (same size and S3's own SHA256 checksum), then
 * checks S3's checksum of what it stored. Keys are content-addressed, so an object is only ever
 * written with the bytes its key names. Files go one after another; each one's parts in parallel.
 */
export async function uploadObjects(store: ObjectStore, root: string, entries: ObjectToUpload[], {reporter, signal}: {reporter?: UploadReporter, signal?: AbortSignal} = {}): Promise<UploadOutcome[]> {
  const outcomes: UploadOutcome[] = []
  const stored = new Set<string>()
  for (const entry of entries) {
    if (signal?.aborted) throw new InterruptedError()
    const started = performance.now()
    reporter?.start(entry)
    if (stored.has(entry.key) || holds(await store.head(entry.key), entry)) {
      const outcome: UploadOutcome = {...entry, bytesSent: 0, seconds: 0, status: 'skipped'}
      reporter?.finish(outcome)
      outcomes.push(outcome)
      stored.add(entry.key)
      continue
    }

    const sent = await store.uploadFile(entry.key, join(root, entry.path), entry, {onProgress: loaded => reporter?.progress(entry, loaded), signal})
    if (sent.sentSha256 !== entry.sha256) {
      throw new UserError(`${entry.path} changed while it was being uploaded. Run the command again once nothing writes to it.`)
    }

    const head = await store.head(entry.key)
    if (!holds(head, entry)) {
      const held = head ? `${head.size} bytes, SHA256 checksum ${head.checksum ?? 'not kept'}` : 'no object'
      throw new UserError(`S3 does not hold what was sent for ${entry.path} (${held}; expected ${entry.size} bytes, ${entry.checksum}). Run the command again.`)
    }

    stored.add(entry.key)
    const outcome: UploadOutcome = {
      ...entry, bytesSent: entry.size, etag: head?.etag ?? sent.etag, seconds: (performance.now() - started) / 1000, status: 'uploaded',
    }
    reporter?.finish(outcome)
    outcomes.push(outcome)
  }

  return outcomes
}
