import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {Transform} from 'node:stream'

import type {S3Credentials} from '../offload/destination.js'
import {s3Error} from './errors.js'

/** Bounds on every S3 request, so an endpoint that stops answering never hangs the command. */
export interface S3Timeouts {
  /** to open the TCP (and TLS) connection */
  connectMs: number
  /** with nothing sent or received on the socket: the first byte of an answer, or the next one */
  idleMs: number
}

export const DEFAULT_TIMEOUTS: S3Timeouts = {connectMs: 10_000, idleMs: 60_000}

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
  /** the sha256 stored with the object as x-amz-meta-sha256 */
  sha256?: string
  etag?: string
}

export interface UploadedObject {
  etag?: string
  /** sha256 of the bytes that were actually sent */
  sentSha256: string
}

/** The few S3 operations the offload needs, each failing with a one-line UserError. */
export interface ObjectStore {
  readonly where: string
  checkBucket(): Promise<void>
  credentials(): Promise<S3Credentials>
  destroy(): void
  head(key: string): Promise<ObjectHead | undefined>
  putText(key: string, body: string, contentType: string): Promise<void>
  uploadFile(key: string, path: string, meta: {sha256: string, size: number}, onProgress?: (loaded: number) => void): Promise<UploadedObject>
}

const MIN_PART = 8 * 1024 * 1024
/** S3 allows 10,000 parts; a margin keeps huge files under it. */
const MAX_PARTS = 9000
const PARALLEL_PARTS = 4

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

  return {
    where,

    async checkBucket() {
      try {
        await client.send(new sdk.HeadBucketCommand({Bucket: bucket}))
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
        const head = await client.send(new sdk.HeadObjectCommand({Bucket: bucket, Key: key}))
        return {etag: head.ETag, sha256: head.Metadata?.sha256, size: head.ContentLength ?? 0}
      } catch (error) {
        const status = (error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode
        if (status === 404) return
        throw fail(error, `reading ${key}`)
      }
    },

    async putText(key, body, contentType) {
      try {
        await client.send(new sdk.PutObjectCommand({Body: body, Bucket: bucket, ContentType: contentType, Key: key}))
      } catch (error) {
        throw fail(error, `writing ${key}`)
      }
    },

    async uploadFile(key, path, meta, onProgress) {
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
      const upload = new Upload({
        client,
        params: {Body: body, Bucket: bucket, ContentLength: meta.size, Key: key, Metadata: {sha256: meta.sha256}},
        partSize: partSize(meta.size),
        queueSize: PARALLEL_PARTS,
      })
      if (onProgress) upload.on('httpUploadProgress', p => onProgress(p.loaded ?? 0))
      try {
        const done = await upload.done()
        return {etag: done.ETag, sentSha256: hash.digest('hex')}
      } catch (error) {
        file.destroy()
        throw fail(error, `uploading ${key}`)
      }
    },
  }
}
