import {expect} from 'chai'
import {parsePax} from '../../../../src/lib/scan/tar-reader.js'

describe('parsePax', () => {
  it('reads records, including a value with "=" and a UTF-8 name, and stops at NUL padding', () => {
    const body = Buffer.concat([Buffer.from('30 path=./app/模型-café.h5\n13 a=b=c=d=e\n', 'utf8'), Buffer.alloc(10)])
    expect(body.toString('utf8').startsWith(`${Buffer.byteLength('30 path=./app/模型-café.h5\n')} `)).to.equal(true)
    expect(parsePax(body)).to.deep.equal({a: 'b=c=d=e', path: './app/模型-café.h5'})
  })
})
