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

type Sdk = typeof import('@aws-sdk/client-s3')
type UploadClass = typeof import('@aws-sdk/lib-storage')['Upload']

/**
 * Opens an S3 (or S3-compatible) store. The AWS SDK is imported here, lazily, so the commands that
 * never touch S3 do not pay for loading it.
 */
export async function openObjectStore(options: StoreOptions): Promise<ObjectStore> {
  // The SDK warns on stderr about Node 20 support ending in 2027: not something a CLI user can act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const sdk = await import('@aws-sdk/client-s3')
  const {Upload} = await import('@aws-sdk/lib-storage')
  return new S3ObjectStore(sdk, Upload, options)
}

interface UnfinishedUpload {
  initiated?: Date
  key: string
  uploadId: string
}

/** The store over one SDK client: each operation one call (or a few), bounded, failing with a one-line UserError. */
class S3ObjectStore implements ObjectStore {
  readonly where: string
  private readonly bucket: string
  private readonly client: InstanceType<Sdk['S3Client']>
  private readonly timeouts: S3Timeouts

  constructor(private readonly sdk: Sdk, private readonly Upload: UploadClass, options: StoreOptions) {
    this.bucket = options.bucket
    this.timeouts = {...DEFAULT_TIMEOUTS, ...options.timeouts}
    this.where = options.endpoint ?? `AWS region ${options.region}`
    this.client = new sdk.S3Client({
      credentials: options.credentials,
      // The SDK waits forever by default. socketTimeout is an idle timeout: it bounds the wait for the
      // first byte of an answer and every pause after it, without capping a long, moving part upload.
      requestHandler: {connectionTimeout: this.timeouts.connectMs, socketTimeout: this.timeouts.idleMs},
      endpoint: options.endpoint,
      followRegionRedirects: true,
      forcePathStyle: Boolean(options.endpoint),
      region: options.region,
    })
  }

  async abortStaleUploads(prefix: string, ours: (key: string) => boolean, before: Date): Promise<number | undefined> {
    try {
      const stale = (await this.listUploads(prefix)).filter(u => ours(u.key) && u.initiated !== undefined && u.initiated < before)
      for (const u of stale) await this.abortUpload(u.key, u.uploadId)
      return stale.length
    } catch (error) {
      if ((error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode === 403) return
      throw this.fail(error, `removing unfinished uploads under ${prefix || 'the bucket root'}`)
    }
  }

  async checkBucket(): Promise<void> {
    try {
      await this.bounded(abortSignal => this.client.send(new this.sdk.HeadBucketCommand({Bucket: this.bucket}), {abortSignal}))
    } catch (error) {
      throw this.fail(error, 'checking the bucket')
    }
  }

  async credentials(): Promise<S3Credentials> {
    try {
      const {accessKeyId, secretAccessKey, sessionToken} = await this.client.config.credentials()
      return {accessKeyId, secretAccessKey, sessionToken}
    } catch (error) {
      throw this.fail(error, 'looking for credentials')
    }
  }

  destroy(): void {
    this.client.destroy()
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const command = new this.sdk.HeadObjectCommand({Bucket: this.bucket, ChecksumMode: 'ENABLED', Key: key})
      const head = await this.bounded(abortSignal => this.client.send(command, {abortSignal}))
      return {checksum: head.ChecksumSHA256, etag: head.ETag, size: head.ContentLength ?? 0}
    } catch (error) {
      const status = (error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode
      if (status === 404) return
      throw this.fail(error, `reading ${key}`)
    }
  }

  async putText(key: string, body: string, contentType: string): Promise<void> {
    try {
      const command = new this.sdk.PutObjectCommand({Body: body, Bucket: this.bucket, ChecksumAlgorithm: 'SHA256', ContentType: contentType, Key: key})
      await this.bounded(abortSignal => this.client.send(command, {abortSignal}))
    } catch (error) {
      throw this.fail(error, `writing ${key}`)
    }
  }

  async uploadFile(key: string, path: string, meta: {size: number}, {onProgress, signal}: {onProgress?: (loaded: number) => void, signal?: AbortSignal} = {}): Promise<UploadedObject> {
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
    const upload = new this.Upload({
      client: this.client,
      params: {Body: body, Bucket: this.bucket, ChecksumAlgorithm: 'SHA256', ContentLength: meta.size, Key: key},
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
        const aborted = await this.abortUploadsOf(key).then(() => true, () => false)
        throw new UploadInterruptedError(key, aborted)
      }

      throw this.fail(error, `uploading ${key}`)
    } finally {
      signal?.removeEventListener('abort', interrupt)
    }
  }

  private async abortUpload(key: string, uploadId: string): Promise<void> {
    const command = new this.sdk.AbortMultipartUploadCommand({Bucket: this.bucket, Key: key, UploadId: uploadId})
    await this.bounded(abortSignal => this.client.send(command, {abortSignal}))
  }

  private async abortUploadsOf(key: string): Promise<void> {
    for (const u of await this.listUploads(key)) {
      if (u.key === key) await this.abortUpload(key, u.uploadId)
    }
  }

  /** One call within the whole-call deadline (S3Timeouts.callMs). */
  private bounded<T>(call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return withinDeadline(this.timeouts.callMs, call)
  }

  private fail(error: unknown, doing: string): Error {
    return s3Error(error, {bucket: this.bucket, doing, timeouts: this.timeouts, where: this.where})
  }

  /** Every unfinished multipart upload under `prefix` (S3 lists them 1,000 at a time). */
  private async listUploads(prefix: string): Promise<UnfinishedUpload[]> {
    const found: UnfinishedUpload[] = []
    let markers: {KeyMarker?: string, UploadIdMarker?: string} = {}
    for (;;) {
      const command = new this.sdk.ListMultipartUploadsCommand({Bucket: this.bucket, Prefix: prefix, ...markers})
      const page = await this.bounded(abortSignal => this.client.send(command, {abortSignal}))
      for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) found.push({initiated: u.Initiated, key: u.Key, uploadId: u.UploadId})
      if (!page.IsTruncated) return found
      markers = {KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker}
    }
  }
}
