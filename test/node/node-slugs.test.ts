import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {inspectNodeSlug} from '../helpers/node-slug.js'

describe('real Node.js slugs (npm registry)', () => {
  it('Express + Next.js after next build: the buildpack layout, packages and runtime found', async () => {
    const report = await inspectNodeSlug({app: 'express-next'})
    expect(existsSync(join(report.appDir, '.next/BUILD_ID'))).to.equal(true)
    const names = new Set(report.packages.map(p => p.name))
    for (const name of ['express', 'next', 'react', 'react-dom', 'node']) expect(names.has(name), name).to.equal(true)
    // devDependencies were pruned, as the buildpack does
    expect(names.has('typescript')).to.equal(false)
    const runtime = report.packages.find(p => p.ecosystem === 'runtime' && p.name === 'node')!
    expect(runtime.location).to.equal('.heroku/node')
    expect(runtime.compressed).to.be.greaterThan(20e6)
  })
})
