import {createCipheriv, createHash} from 'node:crypto'

/**
 * sfc32, a small seedable PRNG: the same seed gives the same slug, byte for byte, on any machine.
 * Math.random cannot be seeded, and crypto randomness cannot be replayed.
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number
  private spareNormal?: number

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest()
    this.a = h.readUInt32LE(0)
    this.b = h.readUInt32LE(4)
    this.c = h.readUInt32LE(8)
    this.d = h.readUInt32LE(12)
    for (let i = 0; i < 12; i++) this.next()
  }

  /** a float in [0, 1) */
  next(): number {
    const t = (this.a + this.b + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = (this.b ^ (this.b >>> 9)) >>> 0
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t / 4_294_967_296
  }

  /** an integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal
      this.spareNormal = undefined
      return z
    }

    const u = 1 - this.next()
    const v = this.next()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /**
   * A log-normal size with the given mean: many small files and a few large ones, the shape of a
   * real package's file sizes.
   */
  size(mean: number, sigma = 1.2): number {
    const median = mean / Math.exp((sigma * sigma) / 2)
    return Math.max(1, Math.round(median * Math.exp(sigma * this.normal())))
  }
}

const ZEROES = Buffer.alloc(1024 * 1024)

/**
 * Deterministic bytes that do not compress, standing for machine code and float weights: the
 * AES-128-CTR keystream of a key derived from the seed and the file's path. It runs at GB/s in
 * OpenSSL, where a JavaScript PRNG filling bytes one by one would dominate the generation time.
 */
export class Noise {
  private readonly cipher

  constructor(key: string) {
    const digest = createHash('sha256').update(key).digest()
    this.cipher = createCipheriv('aes-128-ctr', digest.subarray(0, 16), digest.subarray(16, 32))
  }

  /** the next `n` bytes of the stream */
  bytes(n: number): Buffer {
    const parts: Buffer[] = []
    for (let left = n; left > 0; left -= ZEROES.length) parts.push(this.cipher.update(ZEROES.subarray(0, Math.min(left, ZEROES.length))))
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  }
}
