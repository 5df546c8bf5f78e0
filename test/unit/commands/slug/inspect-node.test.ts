import {expect} from 'chai'
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import Inspect from '../../../../src/commands/slug/inspect.js'
import {readNpmLock} from '../../../../src/lib/analyze/node/lock-npm.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import {committedRepo} from '../../../helpers/git-repo.js'
import {FakeNpmRegistry} from '../../../helpers/npm-registry.js'
import {runCommand} from '../../../helpers/run-command.js'

const FIXTURES = fileURLToPath(new URL('../../../fixtures/node-locks/npm/', import.meta.url))

describe('slug:inspect --dir: a Node.js repo', () => {
  let registry: FakeNpmRegistry
  let repo: string

  before(async () => {
    const lock = readNpmLock(readFileSync(join(FIXTURES, 'package-lock.json'), 'utf8'), 'package-lock.json')
    const versions = new Map([...lock.nodes.values()].map(n => [`${n.name}@${n.version}`, {cpu: n.cpu, libc: n.libc, name: n.name, os: n.os, tarball: Buffer.alloc(400), unpackedSize: 1000, version: n.version}]))
    registry = await new FakeNpmRegistry([...versions.values()]).start()
    // npm reads its registry from npm_config_registry as from an .npmrc
    process.env.npm_config_registry = registry.url
  })

  after(async () => {
    delete process.env.npm_config_registry
    await registry.stop()
  })

  afterEach(() => rmSync(repo, {force: true, recursive: true}))

  it('with Python too: both are predicted, node_modules and the Node runtime in the totals and the categories', async () => {
    const files = Object.fromEntries(readdirSync(FIXTURES).map(f => [f, readFileSync(join(FIXTURES, f))]))
    repo = committedRepo({...files, 'index.js': 'require("express")\n', 'requirements.txt': 'flask==3.0.0\n'})
    const {result} = await runCommand<SlugReport>(Inspect, ['--dir', repo, '--json'])
    const report = result!
    const node = report.packages.filter(p => p.ecosystem === 'node')
    expect(node).to.have.length(83)
    const runtime = report.packages.find(p => p.ecosystem === 'runtime' && p.name === 'node')!
    expect(runtime.version).to.equal('22.23.5')
    const nodeCompressed = node.reduce((s, p) => s + p.compressed, 0) + runtime.compressed
    expect(report.categories.find(c => c.category === 'node-package')?.compressed).to.equal(83 * 400)
    expect(report.totals.compressed).to.be.above(nodeCompressed)
    const notes = report.notes.join('\n')
    // HEROKU_SLUG_DIET_PYTHON=none in the unit tests: Python's prediction says why it stopped, Node's goes on
    expect(notes).to.include('Python dependencies were not resolved')
    expect(notes).to.include('node_modules predicted from package-lock.json: 83 packages, 83.0 kB unpacked')
    expect(notes).not.to.include('node_modules, installed by the Node.js buildpack, is not included.')
    expect(notes).not.to.match(/package\.json: 1 devDependencies are pruned/)
  })
})
