import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {Transform} from 'node:stream'

import {UserError} from '../shared/errors.js'
import {S3DeadlineError, s3Error} from './errors.js'
import {DEFAULT_TIMEOUTS, type S3Timeouts} from './timeouts.js'

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface StoreOptions {
  timeouts?: Partial<S3Timeouts>
  bucket: string
  region: string
  endpoint?: string
  /** explicit keys (an add-on's); without them the AWS SDK's default chain is used */
  credentials?: S3Credentials
}

export interface ObjectHead {
  size: number
  /** the SHA256 checksum S3 computed when the object was written (base64; "-N" for N parts); undefined when it kept none */
  checksum?: string
  etag?: string
}

export interface UploadedObject {
  etag?: string
  /** sha256 of the bytes that were actually sent */
  sentSha256: string
}

/** The upload was stopped by the signal passed in (Ctrl-C, SIGTERM); S3 was told to drop its parts. */
export class UploadInterruptedError extends UserError {
  constructor(key: string, aborted: boolean) {
    super(aborted
      ? `Interrupted: the unfinished upload of ${key} was aborted in S3, nothing was set or written. Run the command again to finish.`
      : `Interrupted while uploading ${key}, nothing was set or written; S3 did not confirm dropping the parts sent, the next run removes them. Run the command again to finish.`, 130)
  }
}

/** The few S3 operations the offload needs, each failing with a one-line UserError. */
export interface ObjectStore {
  readonly where: string
  /** aborts unfinished multipart uploads whose keys `ours` accepts, started before `before`: how many, undefined when the keys may not list them */
  abortStaleUploads(prefix: string, ours: (key: string) => boolean, before: Date): Promise<number | undefined>
  checkBucket(): Promise<void>
  credentials(): Promise<S3Credentials>
  destroy(): void
  head(key: string): Promise<ObjectHead | undefined>
  putText(key: string, body: string, contentType: string): Promise<void>
  uploadFile(key: string, path: string, meta: {size: number}, options?: {onProgress?: (loaded: number) => void, signal?: AbortSignal}): Promise<UploadedObject>
}

const MIN_PART = 8 * 1024 * 1024
/** S3 allows 10,000 parts; a margin keeps huge files under it. */
const MAX_PARTS = 9000
const PARALLEL_PARTS = 4

/** One S3 call, its retries included, given `ms` in all: past it, the call is aborted with S3DeadlineError. */
async function withinDeadline<T>(ms: number, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = AbortSignal.timeout(ms)
  try {
    return await call(deadline)
  } catch (error) {
    throw deadline.aborted ? new S3DeadlineError(ms) : error
  }
}

export function partSize(size: number): number {
  return Math.max(MIN_PART, Math.ceil(size / MAX_PARTS))
}

/**
 * Opens an S3 (or S3-compatible) store. The AWS SDK is imported here, lazily, so the commands that
 * never touch S3 do not pay for loading it.
 */
export async function openObjectStore(options: StoreOptions): Promise<ObjectStore> {
  // The SDK warns on stderr about Node 20 support ending in 2027: not something a CLI user can act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const sdk = await import('@aws-sdk/client-s3')
  const {Upload} = await import('@aws-sdk/lib-storage')
  const {bucket} = options
  const timeouts = {...DEFAULT_TIMEOUTS, ...options.timeouts}
  const client = new sdk.S3Client({
    credentials: options.credentials,
    // The SDK waits forever by default. socketTimeout is an idle timeout: it bounds the wait for the
    // first byte of an answer and every pause after it, without capping a long, moving part upload.
    requestHandler: {connectionTimeout: timeouts.connectMs, socketTimeout: timeouts.idleMs},
    endpoint: options.endpoint,
    followRegionRedirects: true,
    forcePathStyle: Boolean(options.endpoint),
    region: options.region,
  })
  const where = options.endpoint ?? `AWS region ${options.region}`
  const fail = (error: unknown, doing: string) => s3Error(error, {bucket, doing, timeouts, where})

  /** Every unfinished multipart upload under `prefix` (S3 lists them 1,000 at a time). */
  async function listUploads(prefix: string): Promise<Array<{initiated?: Date, key: string, uploadId: string}>> {
    const found: Array<{initiated?: Date, key: string, uploadId: string}> = []
    let markers: {KeyMarker?: string, UploadIdMarker?: string} = {}
    for (;;) {
      const page = await withinDeadline(timeouts.callMs, abortSignal => client.send(new sdk.ListMultipartUploadsCommand({Bucket: bucket, Prefix: prefix, ...markers}), {abortSignal}))
      for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) found.push({initiated: u.Initiated, key: u.Key, uploadId: u.UploadId})
      if (!page.IsTruncated) return found
      markers = {KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker}
    }
  }

  async function abortUploadsOf(key: string): Promise<void> {
    for (const u of await listUploads(key)) {
      if (u.key === key) await withinDeadline(timeouts.callMs, abortSignal => client.send(new sdk.AbortMultipartUploadCommand({Bucket: bucket, Key: key, UploadId: u.uploadId}), {abortSignal}))
    }
  }

  return {
    where,

    async abortStaleUploads(prefix, ours, before) {
      try {
        const stale = (await listUploads(prefix)).filter(u => ours(u.key) && u.initiated !== undefined && u.initiated < before)
        for (const u of stale) await withinDeadline(timeouts.callMs, abortSignal => client.send(new sdk.AbortMultipartUploadCommand({Bucket: bucket, Key: u.key, UploadId: u.uploadId}), {abortSignal}))
        return stale.length
      } catch (error) {
        if ((error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode === 403) return
        throw fail(error, `removing unfinished uploads under ${prefix || 'the bucket root'}`)
      }
    },

    async checkBucket() {
      try {
        await withinDeadline(timeouts.callMs, abortSignal => client.send(new sdk.HeadBucketCommand({Bucket: bucket}), {abortSignal}))
      } catch (error) {
        throw fail(error, 'checking the bucket')
      }
    },

    async credentials() {
      try {
        const {accessKeyId, secretAccessKey, sessionToken} = await client.config.credentials()
        return {accessKeyId, secretAccessKey, sessionToken}
      } catch (error) {
        throw fail(error, 'looking for credentials')
      }
    },

    destroy() {
      client.destroy()
    },

    async head(key) {
      try {
        const head = await withinDeadline(timeouts.callMs, abortSignal => client.send(new sdk.HeadObjectCommand({Bucket: bucket, ChecksumMode: 'ENABLED', Key: key}), {abortSignal}))
        return {checksum: head.ChecksumSHA256, etag: head.ETag, size: head.ContentLength ?? 0}
      } catch (error) {
        const status = (error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode
        if (status === 404) return
        throw fail(error, `reading ${key}`)
      }
    },

    async putText(key, body, contentType) {
      try {
        await withinDeadline(timeouts.callMs, abortSignal => client.send(new sdk.PutObjectCommand({Body: body, Bucket: bucket, ChecksumAlgorithm: 'SHA256', ContentType: contentType, Key: key}), {abortSignal}))
      } catch (error) {
        throw fail(error, `writing ${key}`)
      }
    },

    async uploadFile(key, path, meta, {onProgress, signal} = {}) {
      // The bytes are hashed as they are sent, so a file that changed since it was hashed is caught.
      const hash = createHash('sha256')
      const body = new Transform({
        transform(chunk, _encoding, callback) {
          hash.update(chunk)
          callback(null, chunk)
        },
      })
      const file = createReadStream(path, {highWaterMark: 1024 * 1024})
      file.on('error', error => body.destroy(error))
      file.pipe(body)
      // S3 checks each part (and a single put) against the SHA256 the SDK sends with it, and keeps the checksum.
      const upload = new Upload({
        client,
        params: {Body: body, Bucket: bucket, ChecksumAlgorithm: 'SHA256', ContentLength: meta.size, Key: key},
        partSize: partSize(meta.size),
        queueSize: PARALLEL_PARTS,
      })
      if (onProgress) upload.on('httpUploadProgress', p => onProgress(p.loaded ?? 0))
      const interrupt = () => {
        upload.abort()
      }

      if (signal?.aborted) throw new UploadInterruptedError(key, true)
      signal?.addEventListener('abort', interrupt, {once: true})
      try {
        const done = await upload.done()
        return {etag: done.ETag, sentSha256: hash.digest('hex')}
      } catch (error) {
        file.destroy()
        if (signal?.aborted) {
          // Upload.abort() stops the queue but leaves the parts in flight; dropping the upload is ours to do.
          const aborted = await abortUploadsOf(key).then(() => true, () => false)
          throw new UploadInterruptedError(key, aborted)
        }

        throw fail(error, `uploading ${key}`)
      } finally {
        signal?.removeEventListener('abort', interrupt)
      }
    },

  }
}
