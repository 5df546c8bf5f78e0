import {expect} from 'chai'
import zlib from 'node:zlib'

import {Inflater, INFLATER_ENV, inflaterEngine, type InflaterEngine, nativeInflaterWorks, probeNativeInflater} from '../../../../src/lib/scan/inflater.js'
import {SlugScanner} from '../../../../src/lib/scan/scanner.js'
import {buildSlug, incompressible} from '../../../helpers/slug-builder.js'

const engines: InflaterEngine[] = ['native', 'portable']
const withoutHandle = () => Object.assign(zlib.createGunzip(), {_handle: undefined})
const withoutState = () => Object.assign(zlib.createGunzip(), {_writeState: undefined})

/** Inflates `gz` fed in `piece`-byte writes; the output, or the error's code. */
function inflate(gz: Buffer, engine: InflaterEngine, piece = 16 * 1024): {code?: string; out: Buffer} {
  const out: Buffer[] = []
  const inflater = new Inflater(chunk => out.push(Buffer.from(chunk)), 64 * 1024, {engine})
  try {
    for (let i = 0; i < gz.length; i += piece) inflater.write(gz.subarray(i, i + piece))
    inflater.end()
  } catch (error) {
    return {code: (error as NodeJS.ErrnoException).code, out: Buffer.concat(out)}
  }

  return {out: Buffer.concat(out)}
}

const text = Buffer.from(Array.from({length: 20_000}, (_, i) => `line ${i % 97} of some python source\n`).join(''))
const data = Buffer.concat([text, incompressible(300_000), text])
const gz = zlib.gzipSync(data)

describe('Inflater', () => {
  it('the native engine works on this node (its zlib internals are still the ones it drives)', () => {
    expect(nativeInflaterWorks()).to.equal(true)
    expect(inflaterEngine({})).to.equal('native')
  })

  it('falls back to the portable engine when the internals are missing or changed, or when asked to', () => {
    expect(probeNativeInflater(withoutHandle)).to.equal(false)
    expect(probeNativeInflater(withoutState)).to.equal(false)
    expect(inflaterEngine({[INFLATER_ENV]: 'portable'})).to.equal('portable')
  })

  for (const engine of engines) {
    it(`${engine}: inflates the whole stream whatever the write size`, () => {
      for (const piece of [777, 16 * 1024, gz.length]) {
        const {code, out} = inflate(gz, engine, piece)
        expect(code).to.equal(undefined)
        expect(out.equals(data)).to.equal(true)
      }
    })

    it(`${engine}: a cut stream fails with Z_BUF_ERROR, corrupt data with Z_DATA_ERROR`, () => {
      expect(inflate(gz.subarray(0, -100), engine).code).to.equal('Z_BUF_ERROR')
      const corrupt = Buffer.from(gz)
      corrupt.fill(0xff, 200, 400)
      expect(inflate(corrupt, engine).code).to.equal('Z_DATA_ERROR')
    })
  }

  it('the scanner gives identical results with either engine (forced by the env switch)', () => {
    const slug = buildSlug([
      {content: incompressible(400_000), path: './app/models/w.bin'},
      {content: text.toString(), path: './app/app.py'},
      {content: 'flask==3.0\n', path: './app/requirements.txt'},
    ])
    const scan = () => {
      const scanner = new SlugScanner({contentHashes: true})
      for (let i = 0; i < slug.length; i += 50_000) scanner.write(slug.subarray(i, i + 50_000))
      return scanner.end()
    }

    const native = scan()
    const saved = process.env[INFLATER_ENV]
    process.env[INFLATER_ENV] = 'portable'
    try {
      expect(scan()).to.deep.equal(native)
    } finally {
      if (saved === undefined) delete process.env[INFLATER_ENV]
      else process.env[INFLATER_ENV] = saved
    }
  })
})
