import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {SlugScanner} from '../../src/lib/scan/scanner.js'
import type {ScanResult} from '../../src/lib/scan/entries.js'
import {incompressible} from '../helpers/slug-builder.js'

/*
 * The tar reader against archives written by tools that are not this project's (issue 12): GNU tar as Heroku's
 * slug compiler runs it, Python's tarfile in pax format, and bsdtar (libarchive). The fixture tree is made at
 * test time; what each writer produced is compared with the tree itself, so a misunderstanding of the format
 * shared by a writer of ours and the reader cannot pass. CI installs the three tools (.ci/run); a missing one
 * fails here with its name.
 */
const SITE = '.heroku/python/lib/python3.12/site-packages'
const DEEP = `${SITE}/${'a_rather_long_package_folder_name/'.repeat(4)}module.py`
const DEEPER = `${SITE}/${'x'.repeat(120)}/${'y'.repeat(120)}/${'z'.repeat(40)}.py`
const LONG_TARGET = `../${'t'.repeat(110)}/python3.12`
const WEIGHTS = incompressible(70_000, 9)

interface Row {
  path: string
  type: string
  size: number
  linkTarget?: string
}

/** The tree each writer archives, as the scanner should report it (hard links aside: see below). */
const TREE: Row[] = [
  {path: 'Procfile', size: 22, type: 'file'},
  {path: 'requirements.txt', size: 19, type: 'file'},
  {path: DEEP, size: 10, type: 'file'},
  {path: DEEPER, size: 10, type: 'file'},
  {path: 'models/模型-café.h5', size: WEIGHTS.length, type: 'file'},
  {path: 'empty.txt', size: 0, type: 'file'},
  {linkTarget: 'python3.12', path: 'bin/python3', size: 0, type: 'symlink'},
  {linkTarget: LONG_TARGET, path: 'bin/long-link', size: 0, type: 'symlink'},
  {path: 'data/a.bin', size: 5000, type: 'file'},
]

function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'tar-writers-'))
  const dir = join(root, 'build')
  const write = (path: string, content: Buffer | string) => {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }

  write('Procfile', 'web: gunicorn app:app\n')
  write('requirements.txt', 'tensorflow==2.16.1\n')
  write(DEEP, 'import os\n')
  write(DEEPER, 'import re\n')
  write('models/模型-café.h5', WEIGHTS)
  write('empty.txt', '')
  write('data/a.bin', incompressible(5000, 4))
  linkSync(join(dir, 'data/a.bin'), join(dir, 'data/b.bin'))
  mkdirSync(join(dir, 'bin'))
  symlinkSync('python3.12', join(dir, 'bin/python3'))
  symlinkSync(LONG_TARGET, join(dir, 'bin/long-link'))
  mkdirSync(join(dir, 'tmp'))
  return dir
}

function run(tool: string, args: string[], cwd: string): void {
  try {
    execFileSync(tool, args, {cwd, stdio: ['ignore', 'ignore', 'pipe']})
  } catch (error) {
    const {code, stderr} = error as NodeJS.ErrnoException & {stderr?: Buffer}
    throw new Error(code === 'ENOENT' ? `${tool} is not installed: the tar-writer tests need it (Debian: tar, python3, libarchive-tools)` : `${tool} failed: ${stderr}`)
  }
}

function scanFile(path: string): ScanResult {
  const scanner = new SlugScanner()
  scanner.write(readFileSync(path))
  return scanner.end()
}

function rows(result: ScanResult): Row[] {
  return result.entries
  .filter(e => e.type !== 'directory')
  .map(e => ({path: e.path, size: e.size, type: e.type, ...(e.linkTarget === undefined ? {} : {linkTarget: e.linkTarget})}))
  .sort((a, b) => a.path.localeCompare(b.path))
}

/** The tree's rows plus data/b.bin: a copy of a.bin (GNU tar --hard-dereference) or a hard link to it. */
function expected(b: Row): Row[] {
  return [...TREE, b].sort((x, y) => x.path.localeCompare(y.path))
}

describe('tar reader against other writers', function () {
  this.timeout(20_000)
  let dir: string
  let out: string

  before(() => {
    dir = makeTree()
    out = mkdtempSync(join(tmpdir(), 'tar-out-'))
  })

  it('reads GNU tar as Heroku\'s slug compiler runs it (magic "ustar  ", GNU long names and links)', () => {
    const slug = join(out, 'gnu.tgz')
    run('tar', ['czf', slug, '--format=gnu', '--xform', 's,^./,./app/,', '--owner=root', '--hard-dereference', '.'], dir)
    const tar = gunzipSync(readFileSync(slug))
    expect(tar.toString('latin1', 257, 265)).to.equal('ustar  \0')
    expect(tar.includes('././@LongLink')).to.equal(true)
    const result = scanFile(slug)
    expect(rows(result)).to.deep.equal(expected({path: 'data/b.bin', size: 5000, type: 'file'}))
    expect(result.entries.filter(e => e.type === 'directory').map(e => e.path)).to.include.members(['bin', 'data', 'models', 'tmp'])
    expect(result.outside.count).to.equal(0)
  })

  it('reads Python\'s tarfile in pax format (long and non-ASCII names as pax records)', () => {
    const slug = join(out, 'python.tgz')
    const script = [
      'import sys, tarfile',
      'with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as t:',
      '    t.add(".", arcname="./app")',
    ].join('\n')
    run('python3', ['-c', script, slug], dir)
    const tar = gunzipSync(readFileSync(slug))
    expect(tar.includes(' path=')).to.equal(true)
    expect(rows(scanFile(slug))).to.deep.equal(expected({linkTarget: './app/data/a.bin', path: 'data/b.bin', size: 0, type: 'hardlink'}))
  })

  it('reads bsdtar (libarchive) in pax format', () => {
    const slug = join(out, 'bsd.tgz')
    run('bsdtar', ['-czf', slug, '--format', 'pax', '-s', String.raw`,^\./,./app/,`, '.'], dir)
    const result = rows(scanFile(slug))
    expect(result).to.deep.equal(expected({linkTarget: './app/data/a.bin', path: 'data/b.bin', size: 0, type: 'hardlink'}))
  })
})
