import {Gunzip as PortableGunzip} from 'minizlib'
import zlib from 'node:zlib'

/** The two members of node's zlib streams that its own synchronous functions (zlib.gunzipSync) drive. */
interface ZlibInternals {
  _handle: {writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void}
  _writeState: Uint32Array
}

/**
 * `native` drives node's zlib handle into one reused buffer; `portable` is minizlib (what `tar` uses),
 * through public APIs only, at the cost of a fresh buffer per output chunk.
 */
export type InflaterEngine = 'native' | 'portable'

/** Set to `portable` to use minizlib whatever node offers (a test switch, and a way out should a node release break the native path). */
export const INFLATER_ENV = 'HEROKU_SLUG_DIET_INFLATER'

let nativeWorks: boolean | undefined

/**
 * Whether this node's zlib streams still have the internals the native engine drives, with the shapes
 * it expects. They are private: checked once, by inflating a tiny gzip and comparing with gunzipSync.
 */
export function nativeInflaterWorks(): boolean {
  nativeWorks ??= probeNativeInflater()
  return nativeWorks
}

/** The check behind nativeInflaterWorks, on streams from `createGunzip` (tests hand it broken ones). */
export function probeNativeInflater(createGunzip: () => zlib.Gunzip = zlib.createGunzip): boolean {
  try {
    const sample = Buffer.from('heroku-slug-diet inflater probe '.repeat(8))
    const out: Buffer[] = []
    const inflater = new NativeInflater(chunk => out.push(Buffer.from(chunk)), 64, createGunzip())
    inflater.write(zlib.gzipSync(sample))
    inflater.end()
    return Buffer.concat(out).equals(sample)
  } catch {
    return false
  }
}

/** The engine to use: the env switch, else native when it works here. */
export function inflaterEngine(env: NodeJS.ProcessEnv = process.env): InflaterEngine {
  if (env[INFLATER_ENV] === 'portable') return 'portable'
  return nativeInflaterWorks() ? 'native' : 'portable'
}

interface Engine {
  write(input: Buffer): void
  end(): void
}

/**
 * Synchronous streaming gunzip. `onOutput` gets each piece of output as it is produced: it must copy
 * what it keeps, and must not hold on to the chunk after it returns (the native engine reuses it).
 * Errors are zlib's (`code` Z_BUF_ERROR when the input was cut short, Z_DATA_ERROR when corrupt),
 * whichever engine runs.
 */
export class Inflater {
  readonly engine: InflaterEngine
  private readonly impl: Engine

  constructor(onOutput: (chunk: Buffer) => void, outputBytes = 256 * 1024, options: {engine?: InflaterEngine} = {}) {
    this.engine = options.engine ?? inflaterEngine()
    this.impl = this.engine === 'native' ? new NativeInflater(onOutput, outputBytes) : new MinizlibInflater(onOutput, outputBytes)
  }

  /** Inflates `input`, calling onOutput as output fills; throws zlib's error on corrupt data. */
  write(input: Buffer): void {
    this.impl.write(input)
  }

  /** Finishes the stream; throws Z_BUF_ERROR ("unexpected end of file") when the input was cut short. */
  end(): void {
    this.impl.end()
  }
}

/**
 * Reuses one output buffer. Node's public zlib APIs (and minizlib) allocate a new buffer for every
 * output chunk; over a 1.4 GB slug that garbage alone raises peak memory by ~50 MB before the collector
 * catches up. This drives the same native handle the way node's processChunkSync does, but hands out
 * views of a single buffer.
 */
class NativeInflater implements Engine {
  private readonly out: Buffer

  constructor(private readonly onOutput: (chunk: Buffer) => void, outputBytes: number, private readonly stream: zlib.Gunzip = zlib.createGunzip()) {
    this.out = Buffer.allocUnsafe(outputBytes)
    // Failures are read synchronously in failure(); the stream's own 'error' event would be unhandled.
    this.stream.on('error', () => {})
  }

  write(input: Buffer): void {
    this.run(input, zlib.constants.Z_NO_FLUSH)
  }

  end(): void {
    this.run(Buffer.alloc(0), zlib.constants.Z_FINISH)
  }

  private failure(): Error | undefined {
    if (!this.stream.destroyed) return undefined
    // zlib's error handler destroys the stream and keeps the error under a private symbol, synchronously.
    const self = this.stream as unknown as Record<symbol, unknown>
    for (const key of Object.getOwnPropertySymbols(self)) {
      if (self[key] instanceof Error) return self[key]
    }

    return new Error('zlib stopped')
  }

  private run(input: Buffer, flush: number): void {
    const {_handle: handle, _writeState: state} = this.stream as unknown as ZlibInternals
    let inOff = 0
    let availIn = input.length
    for (;;) {
      handle.writeSync(flush, input, inOff, availIn, this.out, 0, this.out.length)
      const error = this.failure()
      if (error) throw error
      const [availOut, availInAfter] = state
      const produced = this.out.length - availOut
      if (produced > 0) this.onOutput(this.out.subarray(0, produced))
      inOff += availIn - availInAfter
      availIn = availInAfter
      // Room left in the output buffer means zlib took all it could from the input.
      if (availOut !== 0) return
    }
  }
}

/** minizlib inflates synchronously inside write() and emits its output as 'data' before write returns. */
class MinizlibInflater implements Engine {
  private readonly gunzip: PortableGunzip
  private error?: Error

  constructor(onOutput: (chunk: Buffer) => void, outputBytes: number) {
    // minizlib hands its options to node's zlib, which takes chunkSize; its own types leave it out.
    const options = {chunkSize: outputBytes} as ConstructorParameters<typeof PortableGunzip>[0]
    this.gunzip = new PortableGunzip(options)
    this.gunzip.on('data', (chunk: Buffer) => onOutput(chunk))
    this.gunzip.on('error', error => {
      this.error ??= error as Error
    })
  }

  write(input: Buffer): void {
    this.check()
    this.gunzip.write(input)
    this.check()
  }

  end(): void {
    this.check()
    this.gunzip.end()
    this.check()
  }

  private check(): void {
    if (this.error) throw this.error
  }
}
