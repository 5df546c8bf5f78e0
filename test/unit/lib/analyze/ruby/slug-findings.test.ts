import {expect} from 'chai'

import {analyzeScan} from '../../../../../src/lib/analyze/analyze.js'
import {ScanBuilder} from '../../../../helpers/scan-fixtures.js'

/** A Rails slug as the Ruby buildpack lays it out (gems in vendor/bundle, assets built with node_modules). */
function railsSlug(): ScanBuilder {
  const ruby = 'vendor/bundle/ruby/3.3.0'
  return new ScanBuilder()
  .file(`${ruby}/gems/rails-7.1.3/lib/rails.rb`, 50_000)
  .file(`${ruby}/gems/nokogiri-1.16.0-x86_64-linux/lib/nokogiri/nokogiri.so`, 4_000_000)
  .file(`${ruby}/cache/nokogiri-1.16.0-x86_64-linux.gem`, 4_500_000)
  .file(`${ruby}/cache/rails-7.1.3.gem`, 300_000)
  .file(`${ruby}/specifications/rails-7.1.3.gemspec`, 2000)
  .file('vendor/ruby-3.3.0/bin/ruby', 10_000_000)
  .node('node_modules/esbuild', 'esbuild', '0.25.0', {'lib/main.js': 200_000})
  .node('node_modules/@esbuild/linux-x64', '@esbuild/linux-x64', '0.25.0', {'bin/esbuild': 4_000_000})
  .file('node_modules/.cache/x.json', 500_000)
  .file('tmp/cache/bootsnap/compile-cache-iseq/00/a', 800_000)
  .file('spec/models/user_spec.rb', 150_000)
  .file('app/models/user.rb', 2000)
  .file('Gemfile', 100)
}

describe('Ruby slug findings', () => {
  const {findings} = analyzeScan(railsSlug().build(), {depth: 2, top: 5})
  const byKind = (k: string) => findings.find(f => f.kind === k)!

  it('gem archives, node_modules after assets:precompile, tmp/cache, test folders: with their bytes', () => {
    expect(byKind('gem-cache')).to.deep.include({paths: ['vendor/bundle/ruby/3.3.0/cache/'], savings: 4_800_000})
    expect(byKind('node-modules-after-assets')).to.deep.include({paths: ['node_modules/'], savings: 4_700_000 + 2})
    expect(byKind('ruby-tmp-cache')).to.deep.include({paths: ['tmp/cache/'], savings: 800_000})
    expect(byKind('tests-in-repo')).to.deep.include({paths: ['spec/'], savings: 150_000})
  })

  it('remedies the Ruby buildpack supports: a task enhancing assets:precompile for build output, .slugignore for repo files', () => {
    for (const k of ['gem-cache', 'node-modules-after-assets', 'ruby-tmp-cache']) expect(byKind(k).remedy, k).to.include("Rake::Task['assets:precompile'].enhance")
    expect(byKind('tests-in-repo').remedy).to.include('.slugignore')
  })

  it('node_modules counted once: the Node findings leave a Ruby slug\'s node_modules to the Ruby finding', () => {
    expect(findings.find(f => f.kind === 'build-cache')).to.equal(undefined)
    expect(findings.find(f => f.kind === 'foreign-binaries')).to.equal(undefined)
  })

  it('nothing for a slug without vendor/bundle', () => {
    const {findings: none} = analyzeScan(new ScanBuilder().file('tmp/cache/a', 900_000).file('spec/a_spec.rb', 200_000).build(), {depth: 2, top: 5})
    expect(none.filter(f => ['gem-cache', 'ruby-tmp-cache', 'tests-in-repo'].includes(f.kind))).to.deep.equal([])
  })
})
