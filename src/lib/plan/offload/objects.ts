import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {join} from 'node:path'

import {S3ChecksumHasher} from '../../s3/checksum.js'
import {partSize} from '../../s3/store.js'
import {UserError} from '../../shared/errors.js'
import {objectKey} from './destination.js'
import type {ModelUnit} from './find.js'
import type {ManifestEntry} from './manifest.js'

/** A file to upload: its manifest entry and the SHA256 checksum S3 will report for it. */
export interface ObjectToUpload extends ManifestEntry {
  /** base64, "-PARTS" for a multipart upload (see S3ChecksumHasher) */
  checksum: string
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
