import {expect} from 'chai'

import type {Finding} from '../../src/lib/analyze/rows.js'
import {inspectNodeSlug} from '../helpers/node-slug.js'
import {RAILS_ASSETS} from './apps.js'

describe('a Rails slug with assets built by esbuild (real node_modules, the Ruby buildpack\'s layout)', () => {
  it('gem archives, node_modules after assets:precompile, tmp/cache and spec/: each with its bytes, node_modules counted once', async () => {
    const report = await inspectNodeSlug(RAILS_ASSETS)
    const byKind = (k: string): Finding => {
      const found = report.findings.find(f => f.kind === k)
      expect(found, `${k} in ${report.findings.map(f => f.kind).join(', ')}`).to.not.equal(undefined)
      return found!
    }

    expect(byKind('gem-cache').paths).to.deep.equal(['vendor/bundle/ruby/3.3.0/cache/'])
    expect(byKind('gem-cache').savings).to.be.within(4.7e6, 4.9e6)
    const nodeModules = byKind('node-modules-after-assets')
    // esbuild and its linux binary, as npm installed them
    expect(nodeModules.savings).to.be.greaterThan(3e6)
    expect(nodeModules.remedy).to.include('This slug has a Node runtime too')
    expect(byKind('ruby-tmp-cache').savings).to.be.within(0.89e6, 0.92e6)
    expect(byKind('tests-in-repo').paths).to.deep.equal(['spec/'])
    // no Node finding counts node_modules a second time
    const nodeKinds = report.findings.filter(f => (f.paths ?? []).some(p => p.startsWith('node_modules/')) && f.kind !== 'node-modules-after-assets')
    expect(nodeKinds.map(f => f.kind)).to.deep.equal([])
    expect(report.packages.find(p => p.ecosystem === 'ruby' && p.name === 'nokogiri')?.version).to.equal('1.18.8')
  })
})
