import {expect} from 'chai'

import {analyzeScan} from '../../../../../src/lib/analyze/analyze.js'
import type {Finding} from '../../../../../src/lib/analyze/rows.js'
import {ScanBuilder} from '../../../../helpers/scan-fixtures.js'

function findingsOf(builder: ScanBuilder): Finding[] {
  return analyzeScan(builder.build(), {depth: 2, top: 5}).findings
}

function kind(findings: Finding[], k: string): Finding {
  const found = findings.find(f => f.kind === k)
  expect(found, k).to.not.equal(undefined)
  return found!
}

/** A Next.js app as the Node buildpack leaves it, with every Node finding at once. */
function nodeSlug(): ScanBuilder {
  return new ScanBuilder()
  .text('package.json', JSON.stringify({dependencies: {esbuild: '0.25.0', next: '15.5.29'}, devDependencies: {esbuild: '0.25.0', jest: '29.0.0'}}))
  .node('node_modules/next', 'next', '15.5.29', {'dist/server/next.js': 5_000_000, 'dist/server/next.js.map': 3_000_000})
  .node('node_modules/jest', 'jest', '29.0.0', {'build/index.js': 2_000_000})
  .node('node_modules/@esbuild/linux-x64', '@esbuild/linux-x64', '0.25.0', {'bin/esbuild': 4_000_000})
  .node('node_modules/@esbuild/darwin-arm64', '@esbuild/darwin-arm64', '0.25.0', {'bin/esbuild': 4_000_000})
  .node('node_modules/@swc/core-linux-x64-musl', '@swc/core-linux-x64-musl', '1.16.22', {'swc.linux-x64-musl.node': 20_000_000})
  .node('node_modules/lru-cache', 'lru-cache', '11.0.0', {'dist/index.js': 300_000})
  .node('node_modules/glob/node_modules/lru-cache', 'lru-cache', '7.18.3', {'index.js': 200_000})
  .file('.next/cache/webpack/server-production/0.pack', 6_000_000)
  .file('node_modules/.cache/babel-loader/a.json', 1_000_000)
  .file('.cache/ms-playwright/chromium-1148/chrome-linux/chrome', 50_000_000)
  .file('.heroku/node/bin/node', 40_000_000)
  .file('server.js', 1000)
}

describe('Node.js slug findings', () => {
  const findings = findingsOf(nodeSlug())

  it('browser downloads and build caches are build output, removed by heroku-cleanup, never by .slugignore', () => {
    const browser = kind(findings, 'browser-download')
    expect(browser).to.deep.include({paths: ['.cache/ms-playwright/'], savings: 50_000_000, severity: 'medium'})
    expect(browser.evidence[0]).to.equal('.cache/ms-playwright/chromium-1148/: 50.0 MB compressed (1 file)')
    const caches = kind(findings, 'build-cache')
    expect(caches).to.deep.include({paths: ['.next/cache/', 'node_modules/.cache/'], savings: 7_000_000})
    expect(caches.remedy).to.include('heroku-cleanup')
    expect(findings.find(f => f.kind === 'caches')).to.equal(undefined)
  })

  it('binaries for other platforms: by package.json os/cpu/libc or by name, never the dyno\'s own', () => {
    const foreign = kind(findings, 'foreign-binaries')
    expect(foreign.paths).to.deep.equal(['node_modules/@esbuild/darwin-arm64/', 'node_modules/@swc/core-linux-x64-musl/'])
    expect(foreign.savings).to.equal(24_000_000 + 2) // with each package.json
  })

  it('devDependencies in the slug, and the one listed in both', () => {
    const dev = kind(findings, 'dev-dependencies')
    expect(dev.paths).to.deep.equal(['node_modules/jest/'])
    expect(dev.savings).to.equal(2_000_000 + 1)
    expect(dev.evidence.join('\n')).to.include('listed in both dependencies and devDependencies (npm marks it dev in package-lock.json and prunes it with them): esbuild')
    expect(dev.remedy).to.include('NPM_CONFIG_PRODUCTION=false').and.include('--fix-package-json')
  })

  it('npm\'s hidden lock file says which packages only devDependencies need', () => {
    const hidden = {packages: {'node_modules/jest': {dev: true}, 'node_modules/lru-cache': {dev: true}}}
    const dev = kind(findingsOf(nodeSlug().text('node_modules/.package-lock.json', JSON.stringify(hidden))), 'dev-dependencies')
    expect(dev.paths).to.deep.equal(['node_modules/jest/', 'node_modules/lru-cache/'])
  })

  it('source maps, duplicate versions and the runtime row', () => {
    expect(kind(findings, 'source-maps')).to.deep.include({savings: 3_000_000})
    const duplicates = kind(findings, 'duplicate-versions')
    expect(duplicates).to.deep.include({estimated: true, savings: 200_001})
    expect(duplicates.evidence[0]).to.equal('lru-cache: 2 copies (11.0.0, 7.18.3), 200 kB compressed beyond one')
    expect(kind(findings, 'node-runtime')).to.deep.include({savings: 0, title: 'Node.js runtime: 40.0 MB compressed'})
  })

  it('no byte counted twice: package folders claimed once', () => {
    const paths = findings.flatMap(f => f.paths ?? [])
    expect(new Set(paths).size).to.equal(paths.length)
  })

  it('says when Puppeteer is installed but its browser stayed outside the slug (HOME=/app during the build)', () => {
    const missing = findingsOf(new ScanBuilder().node('node_modules/puppeteer', 'puppeteer', '25.19.0', {'lib/index.js': 1000}))
    expect(kind(missing, 'browser-download')).to.deep.include({id: 'browser-download:missing', savings: 0})
    expect(kind(missing, 'browser-download').remedy).to.include('Could not find Chrome')
  })
})
