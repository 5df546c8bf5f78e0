import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {FileRow, PackageRow} from '../../../../../src/lib/analyze/rows.js'
import {applyChanges} from '../../../../../src/lib/apply/files.js'
import {type DietInput, planDiet} from '../../../../../src/lib/plan/diet/diet.js'
import {predictAfter} from '../../../../../src/lib/plan/diet/what-if.js'
import type {SlugReport} from '../../../../../src/lib/analyze/report.js'
import {UserError} from '../../../../../src/lib/shared/errors.js'
import {row, SITE} from './helpers.js'
import {rejection} from '../../../../helpers/rejection.js'

const TF = 'python:tensorflow'
const FILES: FileRow[] = [
  row('app.py', 100),
  row('docs/design.psd', 10e6, {compressed: 9e6}),
  row(`${SITE}/tensorflow/__init__.py`, 100, {package: TF}),
  row(`${SITE}/tensorflow/include/x.h`, 4e6, {compressed: 1e6, package: TF}),
  row(`${SITE}/numpy/_core/include/y.h`, 2e6, {compressed: 0.5e6, package: 'python:numpy'}),
]

function pkg(name: string, version: string, compressed: number): PackageRow {
  return {compressed, ecosystem: 'python', evidence: 'installed', files: 1, name, size: compressed * 2, version}
}

function report(extra: Partial<SlugReport> = {}): SlugReport {
  return {
    categories: [],
    files: [],
    findings: [{estimated: true, evidence: [], id: 'heavy-package:tensorflow', kind: 'heavy-package', remedy: '', savings: 200e6, severity: 'high', source: 'https://pypi.org/project/tensorflow-cpu/', title: ''}],
    folders: [],
    kind: 'slug',
    notes: [],
    origins: {buildpack: {compressed: 0, files: 0, size: 0}, repo: {compressed: 0, files: 0, size: 0}},
    packages: [pkg('tensorflow', '2.16.1', 300e6), pkg('numpy', '1.26.4', 10e6)],
    prediction: false,
    source: {file: 'slug.tgz'},
    totals: {compressed: 520e6, files: 5, limit: 500e6, uncompressed: 1e9, warning: 300e6},
    ...extra,
  }
}

function input(extra: Partial<DietInput> = {}): DietInput {
  return {
    declared: [],
    existing: {'requirements.txt': 'tensorflow==2.16.1\nnumpy\n'},
    files: FILES,
    models: [],
    offloaded: [],
    report: report(),
    repoFiles: [{path: 'app.py', size: 100}, {path: 'docs/design.psd', size: 10e6}, {path: 'requirements.txt', size: 30}],
    texts: {'app.py': 'print("hi")\n'},
    ...extra,
  }
}

describe('planDiet', () => {
  it('predicts the size after this run and after the advice, never counting a byte twice', async () => {
    const plan = await planDiet(input(), {fixRequirements: false, keepTests: false, postCompile: true})
    const labels = plan.whatIf.lines.map(l => [l.label, l.savings, l.applied])
    // tensorflow/include leaves with the tensorflow swap: only numpy's headers count under post_compile
    expect(labels).to.deep.equal([
      ['.slugignore /docs/', 9e6, true],
      ['bin/post_compile: C/C++ headers (e.g. tensorflow/include, numpy/_core/include)', 0.5e6, true],
      ['requirements.txt: swap tensorflow', 200e6, false],
    ])
    expect(plan.whatIf.after).to.equal(520e6 - 9.5e6)
    expect(plan.whatIf.afterAll).to.equal(520e6 - 209.5e6)
    expect(plan.whatIf.status).to.deep.equal({after: 'over-limit', afterAll: 'over-warning', before: 'over-limit'})
    expect(plan.whatIf.lines[2].basis).to.equal('knowledge table (estimate): https://pypi.org/project/tensorflow-cpu/')
    expect(plan.changes.map(c => c.path)).to.deep.equal(['.slugignore', 'bin/post_compile'])
  })

  it('with --fix-requirements the swap is written and counted in this run', async () => {
    const plan = await planDiet(input(), {fixRequirements: true, keepTests: false, postCompile: false})
    expect(plan.changes.find(c => c.path === 'requirements.txt')?.after).to.equal('tensorflow-cpu==2.16.1\nnumpy==1.26.4\n')
    expect(plan.whatIf.after).to.equal(520e6 - 209e6)
    expect(plan.whatIf.estimated).to.equal(true)
  })

  it('never writes a swap that tf-keras blocks; says why, and prunes tensorflow/include since tensorflow stays', async () => {
    const blocked = {...report().findings[0], blockedBy: ['tf-keras'], savings: 0}
    const plan = await planDiet(
      input({existing: {'requirements.txt': 'tensorflow==2.16.1\ntf-keras==2.16.0\n'}, report: report({findings: [blocked]})}),
      {fixRequirements: true, keepTests: false, postCompile: true},
    )
    expect(plan.changes.map(c => c.path)).to.deep.equal(['.slugignore', 'bin/post_compile'])
    expect(plan.requirements!.refused!.map(r => r.requiredBy)).to.deep.equal([['tf-keras']])
    expect(plan.notes).to.include('requirements.txt line 1: tensorflow is not swapped for tensorflow-cpu: tf-keras requires tensorflow, so pip would install both and the slug would grow. Replace or drop tf-keras first, then run slug:diet again.')
    expect(plan.whatIf.lines.map(l => [l.label, l.savings])).to.deep.equal([
      ['.slugignore /docs/', 9e6],
      ['bin/post_compile: C/C++ headers (e.g. tensorflow/include, numpy/_core/include)', 1.5e6],
    ])
  })

  it('estimates repo files the evidence has no share for, and says so', async () => {
    const asked: string[][] = []
    const plan = await planDiet(input({
      async estimate(paths) {
        asked.push(paths)
        return new Map(paths.map(p => [p, 7e6]))
      },
      files: [],
      report: report({kind: 'build-log', prediction: true}),
    }), {fixRequirements: false, keepTests: false, postCompile: false})
    expect(asked).to.deep.equal([['docs/design.psd']])
    expect(plan.slugignore.items[0].compressed).to.equal(7e6)
    expect(plan.slugignoreEstimated).to.equal(true)
    expect(plan.whatIf.lines[0].basis).to.match(/compressed locally/)
  })

  it('leaves out of the what-if packages the size does not include', async () => {
    const plan = await planDiet(input({report: report({packages: []})}), {fixRequirements: false, keepTests: false, postCompile: false})
    expect(plan.whatIf.lines.some(l => l.label.startsWith('requirements.txt'))).to.equal(false)
    expect(plan.notes.join(' ')).to.match(/does not include/)
  })

  it('keeps tests when app.json declares Heroku CI', async () => {
    const repoFiles = [{path: 'tests/test_a.py', size: 10}, {path: 'app.json', size: 10}]
    const ci = await planDiet(input({existing: {'app.json': '{"environments":{"test":{}}}'}, repoFiles}), {fixRequirements: false, keepTests: false, postCompile: false})
    expect(ci.slugignore.rules).to.deep.equal([])
    const noCi = await planDiet(input({existing: {'app.json': '{}'}, repoFiles}), {fixRequirements: false, keepTests: false, postCompile: false})
    expect(noCi.slugignore.rules).to.deep.equal(['/tests/'])
  })
})

describe('planDiet with models', () => {
  const files = [...FILES, row('models/clf.h5', 80e6, {category: 'model', compressed: 76e6, modelFormat: 'keras-h5'})]
  const repoFiles = [{path: 'app.py', size: 100}, {path: 'models/clf.h5', size: 80e6}]
  const models = [{format: 'keras-h5', path: 'models/clf.h5'}]

  it('points to offload-models first, counting the model once', async () => {
    const plan = await planDiet(input({files, models, repoFiles}), {fixRequirements: false, keepTests: false, postCompile: false})
    expect(plan.whatIf.lines.filter(l => l.label.includes('model')).map(l => [l.label, l.savings])).to.deep.equal([['offload models (heroku slug:offload-models)', 76e6]])
    expect(plan.quantize.finding?.savings).to.equal(57e6)
  })

  it('once offloaded, the model leaves through .slugignore and is not quantized as well', async () => {
    const plan = await planDiet(input({files, models, offloaded: ['models/clf.h5'], repoFiles}), {fixRequirements: false, keepTests: false, postCompile: false})
    expect(plan.whatIf.lines.filter(l => l.label.includes('model')).map(l => [l.label, l.savings])).to.deep.equal([['.slugignore /models/', 76e6]])
    expect(plan.quantize.finding).to.equal(undefined)
  })
})

describe('predictAfter', () => {
  it('places the sizes against the 500 MB limit and the 300 MB warning', () => {
    const line = {applied: true, basis: 'x', estimated: false, label: 'a', savings: 250e6}
    const w = predictAfter({compressed: 560e6, estimated: false}, [line, {...line, applied: false, savings: 20e6}])
    expect([w.after, w.afterAll]).to.deep.equal([310e6, 290e6])
    expect(w.status).to.deep.equal({after: 'over-warning', afterAll: 'under-warning', before: 'over-limit'})
    expect(w.estimated).to.equal(false)
  })
})

describe('applyChanges', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'diet-apply-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('writes new files (creating bin/) and makes an existing hook executable', async () => {
    mkdirSync(join(dir, 'bin'))
    writeFileSync(join(dir, 'bin/post_compile'), 'echo hi\n', {mode: 0o644})
    const written = await applyChanges(dir, [
      {after: 'a\n', diff: '', path: '.slugignore', why: ''},
      {after: 'echo hi\nmore\n', before: 'echo hi\n', diff: '', executable: true, mode: 0o755, path: 'bin/post_compile', why: ''},
    ])
    expect(written).to.deep.equal(['.slugignore', 'bin/post_compile'])
    expect(readFileSync(join(dir, '.slugignore'), 'utf8')).to.equal('a\n')
    expect(statSync(join(dir, 'bin/post_compile')).mode & 0o777).to.equal(0o755)
  })

  it('writes nothing when a file changed since the plan was made', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'edited meanwhile\n')
    const attempt = applyChanges(dir, [
      {after: 'x\n', diff: '', path: '.slugignore', why: ''},
      {after: 'new\n', before: 'old\n', diff: '', path: 'requirements.txt', why: ''},
    ])
    const error = await rejection(attempt)
    expect(error).to.be.instanceOf(UserError)
    expect((error as Error).message).to.match(/requirements.txt changed while slug:diet was planning: nothing was written/)
    expect(() => statSync(join(dir, '.slugignore'))).to.throw()
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('edited meanwhile\n')
  })
})

describe('planDiet for a Node.js slug', () => {
  const cache = {estimated: false, evidence: [], id: 'build-cache', kind: 'build-cache' as const, paths: ['.next/cache/'], remedy: '', savings: 2e6, severity: 'low' as const, title: ''}
  const dev = {
    estimated: false, evidence: [], id: 'dev-dependencies', kind: 'dev-dependencies' as const, paths: ['node_modules/@types/node/'], remedy: '', savings: 4e6, severity: 'low' as const, title: '',
  }
  const packageJson = '{\n  "name": "web",\n  "scripts": {\n    "start": "node server.js"\n  },\n  "dependencies": {\n    "express": "5.3.0",\n    "typescript": "5.9.3"\n  }\n}\n'
  const nodeInput = (): DietInput => input({
    captured: {'node_modules/express/package.json': '{"name":"express"}'},
    existing: {'package.json': packageJson},
    files: [row('server.js', 100)],
    report: report({findings: [cache, dev], packages: [{compressed: 4e6, ecosystem: 'node', evidence: 'installed', files: 1, location: 'node_modules/typescript', name: 'typescript', size: 8e6}]}),
    texts: {'server.js': "const express = require('express')\n"},
  })

  it('writes heroku-cleanup into package.json, counts it in this run, and gives the rest as advice', async () => {
    const plan = await planDiet(nodeInput(), {fixRequirements: false, keepTests: false, postCompile: false})
    const change = plan.changes.find(c => c.path === 'package.json')!
    expect(JSON.parse(change.after!).scripts['heroku-cleanup']).to.equal("{ : heroku-slug-diet; rm -rf '.next/cache'; }")
    expect(JSON.parse(change.after!).dependencies).to.deep.equal({express: '5.3.0', typescript: '5.9.3'})
    expect(plan.whatIf.lines.map(l => [l.label, l.savings, l.applied])).to.deep.equal([
      ['heroku-cleanup: build caches', 2e6, true],
      ['devDependencies pruned (unset NPM_CONFIG_PRODUCTION)', 4e6, false],
      ['package.json: typescript to devDependencies', 4e6, false],
    ])
    // counted once when the unpruned devDependencies hold it too
    const both = nodeInput()
    both.report.findings[1].paths = ['node_modules/typescript/']
    both.report.findings[1].id = 'dev-dependencies'
    const again = await planDiet(both, {fixRequirements: false, keepTests: false, postCompile: false})
    expect(again.whatIf.lines.map(l => l.label)).to.not.include('package.json: typescript to devDependencies')
    expect(plan.notes.join('\n')).to.include('typescript is used only by the build or tests: run with --fix-package-json')
  })

  it('with --fix-package-json moves typescript to devDependencies', async () => {
    const plan = await planDiet(nodeInput(), {fixPackageJson: true, fixRequirements: false, keepTests: false, postCompile: false})
    const after = JSON.parse(plan.changes.find(c => c.path === 'package.json')!.after!)
    expect([after.dependencies, after.devDependencies]).to.deep.equal([{express: '5.3.0'}, {typescript: '5.9.3'}])
    // the lock file records the lists too: a frozen install refuses the mismatch until it is regenerated
    expect(plan.notes).to.include('package.json\'s dependencies move: run npm install (or yarn, or pnpm install) and commit the lock file with it, or the build\'s frozen install fails.')
  })
})
