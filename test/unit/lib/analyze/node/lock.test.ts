import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {installedPackages, installsOnDyno, type LockGraph, type LockNode} from '../../../../../src/lib/analyze/node/lock.js'
import {readNpmLock} from '../../../../../src/lib/analyze/node/lock-npm.js'
import {readPnpmLock} from '../../../../../src/lib/analyze/node/lock-pnpm.js'
import {readYarnLock} from '../../../../../src/lib/analyze/node/lock-yarn.js'
import {parsePackageJson} from '../../../../../src/lib/analyze/node/package-json.js'
import {thrownMessage} from '../../../../helpers/rejection.js'

// Lock files written by npm 11, yarn 1.22, yarn 4 and pnpm 9 for one app: express and sharp, typescript as a
// devDependency, fsevents (macOS only) as an optional dependency.
const FIXTURES = fileURLToPath(new URL('../../../../fixtures/node-locks/', import.meta.url))
const read = (dir: string, file: string): string => readFileSync(join(FIXTURES, dir, file), 'utf8')
const pkg = (dir: string) => parsePackageJson(read(dir, 'package.json'))

const npm = readNpmLock(read('npm', 'package-lock.json'), 'package-lock.json')
/** Platform fields as npm recorded them: yarn classic's lock has none (the registry's manifests stand in). */
const platforms = new Map([...npm.nodes.values()].map(n => [`${n.name}@${n.version}`, n]))
const fitsAsNpm = (node: LockNode): boolean => installsOnDyno(node.os || node.cpu || node.libc ? node : platforms.get(`${node.name}@${node.version}`) ?? {})

const installed = (graph: LockGraph, dev = false) => installedPackages(graph, {dev, fits: fitsAsNpm})
const names = (graph: LockGraph, dev = false) => [...new Set(installed(graph, dev).nodes.filter(n => !n.local).map(n => `${n.name}@${n.version}`))].sort()

describe('Node lock files', () => {
  it('package-lock.json v3: production packages for Linux x64 glibc, without dev and other platforms', () => {
    const list = names(npm)
    expect(list).to.include.members(['express@4.21.2', 'sharp@0.34.3', '@img/sharp-linux-x64@0.34.3', '@img/sharp-libvips-linux-x64@1.2.0', 'detect-libc@2.1.2'])
    expect(list.some(n => n.startsWith('typescript@'))).to.equal(false)
    expect(list.some(n => n.startsWith('fsevents@'))).to.equal(false)
    expect(list.filter(n => /darwin|musl|arm|wasm|win32|ppc|s390|riscv/.test(n))).to.deep.equal([])
    // only sharp-wasm32 (cpu wasm32) needs it: left out with it
    expect(list.some(n => n.startsWith('@emnapi/runtime@'))).to.equal(false)
    expect(installed(npm).skipped.map(n => n.name)).to.include.members(['fsevents', '@img/sharp-darwin-arm64', '@img/sharp-linuxmusl-x64'])
    expect(names(npm, true)).to.include('typescript@5.9.2')
    expect(installed(npm).nodes.find(n => n.name === 'express')?.location).to.equal('node_modules/express')
  })

  it('yarn classic, yarn berry and pnpm locks of the same app install the same packages as npm', () => {
    const expected = names(npm)
    expect(names(readYarnLock(read('yarn-classic', 'yarn.lock'), 'yarn.lock', pkg('yarn-classic')))).to.deep.equal(expected)
    expect(names(readYarnLock(read('yarn-berry', 'yarn.lock'), 'yarn.lock', pkg('yarn-berry')))).to.deep.equal(expected)
    expect(names(readPnpmLock(read('pnpm', 'pnpm-lock.yaml'), 'pnpm-lock.yaml'))).to.deep.equal(expected)
    expect(names(readPnpmLock(read('pnpm', 'pnpm-lock.yaml'), 'pnpm-lock.yaml'), true)).to.include('typescript@5.9.2')
  })

  it('yarn berry records platforms as conditions; classic records none', () => {
    const berry = readYarnLock(read('yarn-berry', 'yarn.lock'), 'yarn.lock', pkg('yarn-berry'))
    expect(berry.format).to.equal('yarn-berry')
    const linux = [...berry.nodes.values()].find(n => n.name === '@img/sharp-linux-x64')!
    expect([linux.os, linux.cpu, linux.libc]).to.deep.equal([['linux'], ['x64'], ['glibc']])
    expect(readYarnLock(read('yarn-classic', 'yarn.lock'), 'yarn.lock', pkg('yarn-classic')).format).to.equal('yarn-classic')
  })

  it('a field of the wrong type is one line naming the file and the field', () => {
    expect(thrownMessage(() => readNpmLock('{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": 1}}}', 'package-lock.json')))
    .to.equal('package-lock.json: "packages.node_modules/a.version" Expected string but received 1.')
    expect(thrownMessage(() => readPnpmLock("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a: 3\n", 'pnpm-lock.yaml')))
    .to.match(/^pnpm-lock.yaml: "importers\.\.\.dependencies\.a" /)
    expect(thrownMessage(() => readYarnLock('"a@^1":\n  version: [1]\n', 'yarn.lock', {}))).to.match(/^yarn.lock entry "a@\^1": "version" /)
    expect(thrownMessage(() => readNpmLock('{', 'npm-shrinkwrap.json'))).to.match(/^npm-shrinkwrap.json is not valid JSON/)
    expect(thrownMessage(() => readNpmLock('{"lockfileVersion": 1, "dependencies": {}}', 'package-lock.json'))).to.match(/lockfileVersion 1 \(npm 6\)/)
    expect(thrownMessage(() => readPnpmLock("lockfileVersion: '6.0'\n", 'pnpm-lock.yaml'))).to.match(/lockfileVersion 6\.0/)
  })

  it('npm: a nested copy is found from the folder that requires it, and a !os entry excludes', () => {
    const graph = readNpmLock(JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': {dependencies: {a: '1', b: '1'}},
        'node_modules/a': {dependencies: {c: '2'}, version: '1.0.0'},
        'node_modules/a/node_modules/c': {version: '2.0.0'},
        'node_modules/b': {dependencies: {c: '1'}, version: '1.0.0'},
        'node_modules/c': {version: '1.0.0'},
        'node_modules/d': {os: ['!linux'], version: '1.0.0'},
      },
    }), 'package-lock.json')
    expect(installedPackages(graph, {dev: false, fits: installsOnDyno}).nodes.map(n => n.location).sort())
    .to.deep.equal(['node_modules/a', 'node_modules/a/node_modules/c', 'node_modules/b', 'node_modules/c'])
    expect(installsOnDyno({os: ['!linux']})).to.equal(false)
    expect(installsOnDyno({cpu: ['x64', 'arm64'], libc: ['glibc']})).to.equal(true)
  })
})
