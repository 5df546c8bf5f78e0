import {expect} from 'chai'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {partSize} from '../../../../src/lib/s3/store.js'

function sources(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
  .filter(e => e.isFile() && e.name.endsWith('.ts'))
  .map(e => join(e.parentPath, e.name))
}

describe('s3/store', () => {
  it('uses 8 MiB parts, growing them so a huge file stays under S3\'s 10,000 parts', () => {
    expect(partSize(17e6)).to.equal(8 * 1024 * 1024)
    expect(partSize(200e9)).to.equal(Math.ceil(200e9 / 9000))
    expect(Math.ceil(5e12 / partSize(5e12))).to.be.at.most(10_000)
  })

  it('loads the AWS SDK lazily: only src/lib/s3/store.ts imports it, and only with import()', () => {
    const importers = sources('src').filter(file => /from '@aws-sdk\/|import\('@aws-sdk\//.test(readFileSync(file, 'utf8')))
    expect(importers).to.deep.equal([join('src', 'lib', 's3', 'store.ts')])
    const store = readFileSync(join('src', 'lib', 's3', 'store.ts'), 'utf8')
    expect(store).not.to.match(/^import .*@aws-sdk/m)
    expect(store).to.include('await import(\'@aws-sdk/client-s3\')')
  })
})
