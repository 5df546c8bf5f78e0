import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {mergePostCompileHook, planPostCompile, SITE_PACKAGES_ENV} from '../../src/lib/plan/diet/post-compile.js'
import {walkFiles} from '../../src/lib/source/repo-files.js'
import {PYTHON} from '../helpers/python.js'
import {row, SITE} from '../unit/lib/plan/diet/helpers.js'

describe('bin/post_compile on a real numpy', function () {
  this.timeout(120_000)
  let tmp: string

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'diet-prune-'))
  })

  afterEach(() => rmSync(tmp, {force: true, recursive: true}))

  it('prunes tests, headers and static libraries, exactly as planned, is idempotent over the pruned tree (the build cache), and numpy still imports and computes', async () => {
    const numpyInit = execFileSync(PYTHON, ['-c', 'import numpy; print(numpy.__file__)'], {encoding: 'utf8'}).trim()
    const origin = dirname(dirname(numpyInit))
    const site = join(tmp, 'site-packages')
    mkdirSync(site)
    execFileSync('cp', ['-R', join(origin, 'numpy'), site])
    if (existsSync(join(origin, 'numpy.libs'))) execFileSync('cp', ['-R', join(origin, 'numpy.libs'), site])
    // A package whose code imports its own tests module: the guard must keep it.
    mkdirSync(join(site, 'keeper', 'tests'), {recursive: true})
    writeFileSync(join(site, 'keeper', '__init__.py'), 'from keeper.tests import helper\nVALUE = helper.VALUE\n')
    writeFileSync(join(site, 'keeper', 'tests', '__init__.py'), '')
    writeFileSync(join(site, 'keeper', 'tests', 'helper.py'), 'VALUE = 42\n')
    mkdirSync(join(site, 'torch', 'include'), {recursive: true})
    writeFileSync(join(site, 'torch', 'include', 'ATen.h'), '#pragma once\n')

    // numpy 2 keeps its C core in numpy/_core. numpy 1 (Debian 12's 1.24) keeps it in numpy/core, and a docstring
    // line of its numpy/testing/_private/nosetester.py starts with `from ... test`, which the conservative import
    // guard reads as an import of a test module: the script then rightly keeps numpy 1's test folders.
    const numpy2 = existsSync(join(site, 'numpy', '_core'))
    const core = join(site, 'numpy', numpy2 ? '_core' : 'core')
    const before = [
      join(core, 'include'),
      join(core, 'lib', 'libnpymath.a'),
      ...(numpy2 ? [join(core, 'tests'), join(site, 'numpy', 'lib', 'tests')] : []),
    ].filter(p => existsSync(p))
    expect(before.length).to.be.greaterThan(numpy2 ? 2 : 1)

    const filesBefore = await walkFiles(site)
    const plan = planPostCompile(filesBefore.map(p => row(`${SITE}/${p}`, 100)))
    const planned = new Set(plan.items.flatMap(i => i.targets).flatMap(t => filesBefore.filter(p => `${SITE}/${p}` === t || `${SITE}/${p}`.startsWith(`${t}/`))))

    const hook = join(tmp, 'post_compile')
    writeFileSync(hook, mergePostCompileHook(), {mode: 0o755})
    const run = spawnSync('bash', [hook], {encoding: 'utf8', env: {...process.env, [SITE_PACKAGES_ENV]: site}})
    expect(run.status, run.stderr).to.equal(0)
    expect(run.stdout).to.match(/heroku-slug-diet: pruned \d+ MiB/)

    // The build cache keeps the pruned tree: the next build runs the hook over it again. It must succeed
    // and remove nothing more.
    const pruned = await walkFiles(site)
    const again = spawnSync('bash', [hook], {encoding: 'utf8', env: {...process.env, [SITE_PACKAGES_ENV]: site}})
    expect(again.status, again.stderr).to.equal(0)
    expect(again.stdout).to.match(/heroku-slug-diet: pruned 0 MiB/)
    expect(await walkFiles(site)).to.deep.equal(pruned)

    for (const p of before) expect(existsSync(p), p).to.equal(false)
    // The plan measured what the script removes: every removed file was planned, and the only planned
    // files left are the test folder the build-time import guard keeps.
    const after = new Set(await walkFiles(site))
    const removed = filesBefore.filter(p => !after.has(p))
    expect(removed.filter(p => !planned.has(p))).to.deep.equal([])
    const keptPlanned = [...planned].filter(p => after.has(p)).sort()
    expect(keptPlanned.filter(p => p.startsWith('keeper/'))).to.deep.equal(['keeper/tests/__init__.py', 'keeper/tests/helper.py'])
    const keptNumpy = keptPlanned.filter(p => !p.startsWith('keeper/'))
    if (numpy2) expect(keptNumpy).to.deep.equal([])
    else expect(keptNumpy.filter(p => !/^numpy\/(.+\/)?tests?\//.test(p))).to.deep.equal([])
    expect(existsSync(join(site, 'numpy', 'testing', '__init__.py'))).to.equal(true)
    expect(existsSync(join(site, 'keeper', 'tests', 'helper.py'))).to.equal(true)
    expect(existsSync(join(site, 'torch', 'include', 'ATen.h'))).to.equal(true)

    const check = spawnSync(
      PYTHON,
      ['-c', 'import numpy, keeper; assert numpy.zeros(3).sum() == 0; assert numpy.linalg.inv(numpy.eye(2))[0][0] == 1; print(keeper.VALUE, numpy.__file__)'],
      {cwd: tmp, encoding: 'utf8', env: {...process.env, PYTHONPATH: site}},
    )
    expect(check.status, check.stderr).to.equal(0)
    expect(check.stdout).to.contain('42')
    expect(check.stdout).to.contain(site)
  })
})
