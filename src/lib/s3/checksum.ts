import {createHash, type Hash} from 'node:crypto'

/**
 * The sha256 of a file and the SHA256 checksum S3 records for it when it is uploaded in parts of
 * `partSize` (what HeadObject returns with ChecksumMode ENABLED), in one pass over the bytes.
 * S3 keeps a whole-object SHA256 only for a single PutObject; a multipart object's is "composite":
 * the sha256 of its parts' raw sha256 digests, then "-" and the number of parts.
 */
export class S3ChecksumHasher {
  private readonly whole = createHash('sha256')
  private part: Hash = createHash('sha256')
  private inPart = 0
  private total = 0
  private readonly parts: Buffer[] = []

  constructor(private readonly partSize: number) {}

  digest(): {checksum: string, sha256: string} {
    const sha256 = this.whole.digest()
    // lib-storage sends a single PutObject when the body fits in one part.
    if (this.total <= this.partSize) return {checksum: sha256.toString('base64'), sha256: sha256.toString('hex')}
    if (this.inPart > 0) this.parts.push(this.part.digest())
    const composite = createHash('sha256')
    for (const digest of this.parts) composite.update(digest)
    return {checksum: `${composite.digest('base64')}-${this.parts.length}`, sha256: sha256.toString('hex')}
  }

  update(chunk: Buffer): void {
    this.whole.update(chunk)
    this.total += chunk.length
    let offset = 0
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.partSize - this.inPart)
      this.part.update(chunk.subarray(offset, offset + take))
      this.inPart += take
      offset += take
      if (this.inPart === this.partSize) {
        this.parts.push(this.part.digest())
        this.part = createHash('sha256')
        this.inPart = 0
      }
    }
  }
}

/** Whether a checksum S3 reports is the one expected; some S3-compatible stores drop the "-PARTS" suffix. */
export function sameChecksum(held: string | undefined, expected: string): boolean {
  if (!held) return false
  const [heldDigest, heldParts] = held.split('-')
  const [expectedDigest, expectedParts] = expected.split('-')
  return heldDigest === expectedDigest && (heldParts === undefined || heldParts === expectedParts)
}
