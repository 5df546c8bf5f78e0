// The floor for any streaming reader: node's zlib inflating the slug into nothing.
// Plain JavaScript, so no TypeScript loader adds to its start-up time or memory.
import {createReadStream} from 'node:fs'
import {Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'

await pipeline(
  createReadStream(process.argv[2], {highWaterMark: 1024 * 1024}),
  // 64 KiB output chunks: the default 16 KiB makes a threadpool round trip per chunk (see design.md).
  createGunzip({chunkSize: 64 * 1024}),
  new Writable({
    write(_chunk, _encoding, done) {
      done()
    },
  }),
)
