import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import type {Finding} from '../../../../../src/lib/analyze/rows.js'
import {CLEANUP_MARKER, editPackageJson, mergeCleanupScript, planHerokuCleanup} from '../../../../../src/lib/plan/diet/heroku-cleanup.js'
import {thrownMessage} from '../../../../helpers/rejection.js'

const finding = (kind: Finding['kind'], paths: string[], savings: number): Finding => ({
  estimated: false, evidence: [], id: kind, kind, paths, remedy: '', savings, severity: 'low', source: 'https://example.com', title: kind,
})

const FINDINGS = [
  finding('build-cache', ['.next/cache/', 'node_modules/.cache/'], 3_000_000),
  finding('foreign-binaries', ['node_modules/@esbuild/darwin-arm64/', 'node_modules/@swc/core-linux-x64-musl/'], 24_000_000),
  finding('browser-download', ['.cache/puppeteer/'], 150_000_000),
  finding('source-maps', [], 2_000_000),
]
const PACKAGES = [
  {compressed: 4_000_000, ecosystem: 'node' as const, evidence: 'installed' as const, files: 1, location: 'node_modules/@esbuild/darwin-arm64', name: '@esbuild/darwin-arm64', size: 1},
  {compressed: 20_000_000, ecosystem: 'node' as const, evidence: 'installed' as const, files: 1, location: 'node_modules/@swc/core-linux-x64-musl', name: '@swc/core-linux-x64-musl', size: 1},
  {compressed: 4_500_000, ecosystem: 'node' as const, evidence: 'installed' as const, files: 1, location: 'node_modules/typescript', name: 'typescript', size: 1},
]

const EXPRESS_APP = {dependencies: {express: '5', typescript: '5'}, scripts: {start: 'node server.js'}}

function plan(server: string, packageJson: object = EXPRESS_APP) {
  return planHerokuCleanup({captured: {}, findings: FINDINGS, packageJson: JSON.stringify(packageJson), packages: PACKAGES, texts: {'server.js': server}})
}

describe('heroku-cleanup plan', () => {
  it('deletes build caches, other platforms\' binaries, source maps and a browser the app never loads', () => {
    const p = plan("const express = require('express')")
    expect(p.items.map(i => [i.label.split(' (')[0], i.savings])).to.deep.equal([
      ['build caches', 3_000_000],
      ['native binaries for other platforms', 24_000_000],
      ['the browser download in .cache/puppeteer/', 150_000_000],
      ['source maps in node_modules', 2_000_000],
    ])
    const removed = "'.next/cache' 'node_modules/.cache' 'node_modules/@esbuild/darwin-arm64' 'node_modules/@swc/core-linux-x64-musl' '.cache/puppeteer'"
    const maps = String.raw`[ ! -d node_modules ] || find node_modules -type f \( -name '*.js.map' -o -name '*.mjs.map' -o -name '*.cjs.map' -o -name '*.css.map' \) -delete; }`
    expect(p.block).to.equal(`${CLEANUP_MARKER} rm -rf ${removed}; ${maps}`)
    expect(p.moves).to.deep.equal([{from: 'dependencies', name: 'typescript', savings: 4_500_000, to: 'devDependencies'}])
  })

  it('never deletes what the app loads: the browser of an app that requires puppeteer stays', () => {
    const p = plan("const puppeteer = require('puppeteer')")
    expect(p.items.flatMap(i => i.paths)).to.not.include('.cache/puppeteer/')
    expect(p.kept).to.deep.equal(['.cache/puppeteer/: the app loads puppeteer (a browser it launches at run time)'])
  })

  it('keeps the browser and every dependency when the entry file is build output it cannot read', () => {
    const p = plan('', {dependencies: {typescript: '5'}, scripts: {start: 'node dist/server.js'}})
    expect(p.items.flatMap(i => i.paths)).to.not.include('.cache/puppeteer/')
    expect(p.moves).to.deep.equal([])
    expect(p.notes[0]).to.include('typescript look like build or test tools')
  })
})

describe('heroku-cleanup script and package.json', () => {
  const block = `${CLEANUP_MARKER} rm -rf '.next/cache'; }`

  it('keeps the user\'s script and appends; replaces its own part in place on the next run', () => {
    expect(mergeCleanupScript(undefined, block)).to.equal(block)
    const once = mergeCleanupScript('npm run clean', block)
    expect(once).to.equal(`npm run clean && ${block}`)
    const again = mergeCleanupScript(`${once} && echo done`, `${CLEANUP_MARKER} rm -rf 'x'; }`)
    expect(again).to.equal(`npm run clean && ${CLEANUP_MARKER} rm -rf 'x'; } && echo done`)
  })

  it('refuses a damaged part rather than guess where it ends', () => {
    expect(thrownMessage(() => mergeCleanupScript(`${CLEANUP_MARKER} rm -rf x`, block))).to.include('has no end')
  })

  it('edits package.json keeping its indent, key order and final newline; moves a dependency in npm\'s sorted order', () => {
    const text = [
      '{',
      '\t"name": "app",',
      '\t"scripts": {',
      '\t\t"start": "node server.js",',
      '\t\t"heroku-cleanup": "npm run clean"',
      '\t},',
      '\t"dependencies": {',
      '\t\t"express": "5",',
      '\t\t"typescript": "5"',
      '\t},',
      '\t"devDependencies": {',
      '\t\t"mocha": "11"',
      '\t},',
      '\t"engines": {',
      '\t\t"node": "22.x"',
      '\t}',
      '}',
      '',
    ].join('\n')
    const edited = editPackageJson(text, block, [{from: 'dependencies', name: 'typescript', savings: 1, to: 'devDependencies'}])
    expect(edited.reformatted).to.equal(false)
    expect(edited.text).to.equal(text
    .replace('"npm run clean"', JSON.stringify(`npm run clean && ${block}`))
    .replace(',\n\t\t"typescript": "5"', '')
    .replace('"mocha": "11"', '"mocha": "11",\n\t\t"typescript": "5"'))
    expect(editPackageJson('{"name":"a"}', block, []).reformatted).to.equal(true)
  })

  it('a user script ending in ; or & or holding a # comment goes in braces, so the plugin part neither breaks nor is swallowed', () => {
    expect(mergeCleanupScript('rm -rf tmp;', block)).to.equal(`{ rm -rf tmp;\n} && ${block}`)
    expect(mergeCleanupScript('npm run clean # tidy', block)).to.equal(`{ npm run clean # tidy\n} && ${block}`)
    expect(execFileSync('sh', ['-c', mergeCleanupScript('echo theirs # comment', '{ : heroku-slug-diet; echo ours; }')], {encoding: 'utf8'})).to.equal('theirs\nours\n')
  })

  it('quotes a path with a single quote in it as one shell word', () => {
    const p = planHerokuCleanup({
      captured: {}, findings: [finding('build-cache', ["it's-web/.next/cache/"], 1_000_000)], packageJson: JSON.stringify(EXPRESS_APP), packages: PACKAGES, texts: {'server.js': ''},
    })
    const script = p.block!
    expect(script).to.include(String.raw`rm -rf 'it'\''s-web/.next/cache'`)
  })

  it('keeps Windows line endings in package.json', () => {
    const text = '{\r\n  "name": "a",\r\n  "scripts": {}\r\n}\r\n'
    const edited = editPackageJson(text, block, [])
    expect(edited.text).to.match(/^\{\r\n {2}"name": "a",\r\n/)
    expect(edited.text.replaceAll('\r\n', '')).to.not.include('\n')
  })

  it('a second run keeps what the earlier part deleted (this slug no longer shows it), but not a browser the app now launches', () => {
    const first = planHerokuCleanup({
      captured: {}, findings: [...FINDINGS, finding('build-cache', ["it's-web/.next/cache/"], 1)], packageJson: JSON.stringify(EXPRESS_APP), packages: PACKAGES, texts: {'server.js': ''},
    })
    const script = mergeCleanupScript('npm run clean', first.block!)
    // the next slug was built with that script: no cache, no foreign binary, no browser, no source map left
    const app = {...EXPRESS_APP, scripts: {...EXPRESS_APP.scripts, 'heroku-cleanup': script}}
    const second = planHerokuCleanup({captured: {}, findings: [], packageJson: JSON.stringify(app), packages: PACKAGES, texts: {'server.js': ''}})
    expect(second.block).to.equal(first.block)
    expect(mergeCleanupScript(script, second.block!)).to.equal(script)
    // the app now launches the browser: that folder leaves the part, the rest stays
    const launches = planHerokuCleanup({captured: {}, findings: [], packageJson: JSON.stringify(app), packages: PACKAGES, texts: {'server.js': "require('puppeteer')"}})
    expect(launches.block).to.not.include('.cache/puppeteer')
    expect(launches.block).to.include("'.next/cache'")
    expect(launches.kept.join('\n')).to.include('.cache/puppeteer/: the app loads puppeteer')
  })
})
