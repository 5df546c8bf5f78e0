import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {sameChecksum} from '../s3/checksum.js'
import type {ObjectHead, ObjectStore} from '../s3/store.js'
import {UserError} from '../shared/errors.js'
import type {ManifestEntry} from '../plan/offload/manifest.js'
import type {ObjectToUpload} from '../plan/offload/objects.js'
import type {OffloadPlan} from '../plan/offload/plan.js'

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

/** What an offload did: its plan, each upload, and whether the config vars changed. */
export interface OffloadResult extends OffloadPlan {
  uploads: UploadOutcome[]
  bytesUploaded: number
  /** unfinished multipart uploads that earlier, interrupted runs left under the prefix, now aborted; null: the keys may not list them */
  abortedUploads: null | number
  /** true when the config vars changed (one release) */
  released: boolean
}
