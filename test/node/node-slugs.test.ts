import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import type {Finding} from '../../src/lib/analyze/rows.js'
import {inspectNodeSlug} from '../helpers/node-slug.js'
import {BUILD_TOOLS, EXPRESS_NEXT, EXPRESS_NEXT_DEV, PUPPETEER_APP, PUPPETEER_CHROME} from './apps.js'

function kind(findings: Finding[], k: string): Finding {
  const found = findings.find(f => f.kind === k)
  expect(found, `${k} in ${findings.map(f => f.kind).join(', ')}`).to.not.equal(undefined)
  return found!
}

describe('real Node.js slugs (npm registry)', () => {
  it('Express + Next.js after next build: the buildpack layout, packages, runtime, .next/cache and source maps', async () => {
    const report = await inspectNodeSlug(EXPRESS_NEXT)
    expect(existsSync(join(report.appDir, '.next/BUILD_ID'))).to.equal(true)
    const names = new Set(report.packages.map(p => p.name))
    for (const name of ['express', 'next', 'react', 'react-dom', 'node']) expect(names.has(name), name).to.equal(true)
    // devDependencies were pruned, as the buildpack does
    expect(names.has('typescript')).to.equal(false)
    expect(report.findings.find(f => f.kind === 'dev-dependencies')).to.equal(undefined)
    const runtime = kind(report.findings, 'node-runtime')
    expect(report.packages.find(p => p.ecosystem === 'runtime')!.location).to.equal('.heroku/node')
    expect(runtime.evidence[0]).to.match(/^\.heroku\/node: \d+\.\d MB compressed/)
    const caches = kind(report.findings, 'build-cache')
    expect(caches.paths).to.deep.equal(['.next/cache/'])
    expect(caches.savings).to.be.greaterThan(500_000)
    // Next.js ships its compiled code with source maps
    expect(kind(report.findings, 'source-maps').savings).to.be.greaterThan(5e6)
    // build output is never a repo cache for .slugignore
    expect(report.findings.find(f => f.kind === 'caches')).to.equal(undefined)
  })

  it('the same app with devDependencies kept (NPM_CONFIG_PRODUCTION=false): typescript and what only it needs', async () => {
    const report = await inspectNodeSlug(EXPRESS_NEXT_DEV)
    const dev = kind(report.findings, 'dev-dependencies')
    expect(dev.paths).to.include.members(['node_modules/typescript/', 'node_modules/@types/react/', 'node_modules/csstype/'])
    expect(dev.paths).to.not.include('node_modules/next/')
    expect(dev.savings).to.be.greaterThan(3e6)
    expect(dev.remedy).to.include('NPM_CONFIG_PRODUCTION=false')
  })

  it('Puppeteer with its browser where .puppeteerrc.cjs says: build output with its bytes, remedies for run time', async () => {
    const report = await inspectNodeSlug(PUPPETEER_APP)
    const browser = kind(report.findings, 'browser-download')
    expect(browser.paths).to.deep.equal(['.cache/puppeteer/'])
    expect(browser.evidence.slice(0, 2)).to.deep.equal([
      `.cache/puppeteer/chrome/linux-${PUPPETEER_CHROME}/: 28.0 MB compressed (2 files)`,
      `.cache/puppeteer/chrome-headless-shell/linux-${PUPPETEER_CHROME}/: 12.0 MB compressed (1 file)`,
    ])
    expect(browser.remedy).to.include('.slugignore cannot reach it').and.include('PUPPETEER_SKIP_DOWNLOAD').and.include('Chrome for Testing buildpack')
    expect(report.findings.find(f => f.kind === 'caches')).to.equal(undefined)
  })

  it('esbuild and @swc/core with other platforms\' binaries, and a dependency listed in both lists (npm prunes it)', async () => {
    const report = await inspectNodeSlug(BUILD_TOOLS)
    const foreign = kind(report.findings, 'foreign-binaries')
    expect(foreign.paths).to.deep.equal([
      'node_modules/@esbuild/darwin-arm64/',
      'node_modules/@swc/core-darwin-arm64/',
      'node_modules/@swc/core-linux-x64-musl/',
    ])
    expect(foreign.savings).to.be.greaterThan(10e6)
    // the dyno's own binary stays
    expect(report.packages.map(p => p.name)).to.include('@swc/core-linux-x64-gnu')
    // esbuild, listed in both dependencies and devDependencies, is marked dev by npm and pruned
    expect(report.packages.map(p => p.name)).to.not.include('esbuild')
    expect(kind(report.findings, 'dev-dependencies').evidence.join('\n')).to.include('prunes it with them): esbuild')
  })
})
