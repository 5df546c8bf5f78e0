import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {POST_COMPILE_RULES} from '../../../../src/lib/knowledge/post-compile-rules.js'
import {
  HOOK_BEGIN, HOOK_END, mergePostCompileHook, planPostCompile, SITE_PACKAGES_ENV,
} from '../../../../src/lib/plan/post-compile.js'
import {walkFiles} from '../../../../src/lib/repo/files.js'
import {UserError} from '../../../../src/lib/util/errors.js'
import {thrownMessage} from '../../../helpers/rejection.js'
import {PYTHON} from '../../../helpers/python.js'
import {row, SITE} from './helpers.js'

const GOLDEN = 'test/fixtures/diet/post_compile.golden'

const customRule = (names: string[], type: 'd' | 'f') => ({guard: 'none' as const, id: 'x', minDepth: 2, names, source: 'https://x', title: 'x', type, why: 'x'})

describe('planPostCompile', () => {
  const files = [
    row(`${SITE}/numpy/__init__.py`, 1000),
    row(`${SITE}/numpy/_core/tests/test_a.py`, 4000),
    row(`${SITE}/numpy/_core/tests/data/x.npy`, 6000),
    row(`${SITE}/numpy/_core/include/numpy/ndarraytypes.h`, 2000),
    row(`${SITE}/numpy/_core/lib/libnpymath.a`, 800),
    row(`${SITE}/tensorflow/include/tensorflow/core/framework/op.h`, 10_000),
    row(`${SITE}/weird/include/loader.py`, 500),
    row(`${SITE}/sklearn/datasets/examples/README.txt`, 300),
    row(`${SITE}/pkg/docs/guide.md`, 100),
    row(`${SITE}/tests/__init__.py`, 50),
    row(`${SITE}/torch/include/ATen/ATen.h`, 9000),
    row('app/tests/test_app.py', 700),
    row('lib/libfoo.a', 900),
  ]

  it('matches test folders, headers, static libraries and docs inside packages, with their compressed shares', () => {
    const plan = planPostCompile(files)
    const by = Object.fromEntries(plan.items.map(i => [i.rule.id, i]))
    expect(by['package-tests'].targets).to.deep.equal([`${SITE}/numpy/_core/tests`])
    expect(by['package-tests'].compressed).to.equal(5000)
    expect(by['c-headers'].targets).to.deep.equal([`${SITE}/numpy/_core/include`, `${SITE}/tensorflow/include`])
    expect(by['static-libs'].targets).to.deep.equal([`${SITE}/numpy/_core/lib/libnpymath.a`])
    expect(by['package-docs'].targets).to.deep.equal([`${SITE}/pkg/docs`, `${SITE}/sklearn/datasets/examples`])
    expect(plan.savings).to.equal(5000 + 1000 + 5000 + 400 + 150 + 50)
    expect(plan.measured).to.equal(true)
  })

  it('never touches a folder holding importable code, a top-level module, or files outside site-packages', () => {
    const targets = planPostCompile(files).items.flatMap(i => i.targets)
    expect(targets).not.to.include(`${SITE}/weird/include`)
    expect(targets).not.to.include(`${SITE}/tests`)
    // torch compiles C++ while the app runs (cpp_extension, torch.compile): its headers stay
    expect(targets).not.to.include(`${SITE}/torch/include`)
    expect(targets.some(t => !t.startsWith(SITE))).to.equal(false)
  })

  it('says savings cannot be measured without installed files', () => {
    const plan = planPostCompile([row('app.py', 10)])
    expect(plan.measured).to.equal(false)
    expect(plan.savings).to.equal(0)
    expect(plan.notes[0]).to.match(/cannot be measured/)
  })

  it('matches names as find -name does (picomatch): bracket classes, dotfiles, and * never across a /', () => {
    const tree = [
      row(`${SITE}/pkg/Tests/t.py`, 10),
      row(`${SITE}/pkg/sub/.hidden.a`, 10),
      row(`${SITE}/pkg/x.a/inner.txt`, 10),
    ]
    const [dirs, files] = planPostCompile(tree, [customRule(['[Tt]ests'], 'd'), customRule(['*.a'], 'f')]).items
    expect(dirs.targets).to.deep.equal([`${SITE}/pkg/Tests`])
    expect(files.targets).to.deep.equal([`${SITE}/pkg/sub/.hidden.a`])
  })

  it('every rule has a source URL', () => {
    for (const rule of POST_COMPILE_RULES) expect(rule.source).to.match(/^https:\/\//)
  })
})

describe('mergePostCompileHook', () => {
  it('writes a new bash hook with set -euo pipefail (golden)', () => {
    const hook = mergePostCompileHook()
    expect(hook).to.equal(readFileSync(GOLDEN, 'utf8'))
    expect(hook.split('\n').slice(0, 2)).to.deep.equal(['#!/usr/bin/env bash', 'set -euo pipefail'])
    expect(spawnSync('bash', ['-n'], {input: hook}).status).to.equal(0)
  })

  it('keeps the user\'s lines and adds the block before a final exit', () => {
    const user = '#!/bin/sh\n# collect static\npython manage.py collectstatic --noinput\nexit 0\n'
    const merged = mergePostCompileHook(user)
    const lines = merged.split('\n')
    expect(lines.slice(0, 3)).to.deep.equal(['#!/bin/sh', '# collect static', 'python manage.py collectstatic --noinput'])
    expect(lines.indexOf(HOOK_BEGIN)).to.be.greaterThan(2)
    expect(lines.indexOf('exit 0')).to.be.greaterThan(lines.indexOf(HOOK_END))
  })

  it('runs under a POSIX sh hook too (dash is /bin/sh on Heroku\'s stacks), after the user\'s own lines', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'diet-sh-'))
    try {
      const site = join(tmp, 'site')
      mkdirSync(join(site, 'pkg', 'tests'), {recursive: true})
      writeFileSync(join(site, 'pkg', '__init__.py'), 'X = 1\n')
      writeFileSync(join(site, 'pkg', 'tests', 'test_x.py'), 'def test(): pass\n')
      const hook = join(tmp, 'post_compile')
      writeFileSync(hook, mergePostCompileHook('#!/bin/sh\nset -e\necho "user line ran"\n'), {mode: 0o755})
      const run = spawnSync('/bin/sh', [hook], {encoding: 'utf8', env: {...process.env, [SITE_PACKAGES_ENV]: site}})
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stdout).to.match(/^user line ran\n-----> heroku-slug-diet: pruned 0 MiB/)
      expect(existsSync(join(site, 'pkg', 'tests'))).to.equal(false)
      expect(existsSync(join(site, 'pkg', '__init__.py'))).to.equal(true)
    } finally {
      rmSync(tmp, {force: true, recursive: true})
    }
  })

  it('refuses to add shell code to a hook written in another language', () => {
    expect(() => mergePostCompileHook('#!/usr/bin/env python3\nprint("hi")\n')).to.throw(UserError, /bin\/post_compile is not a shell script \(#!\/usr\/bin\/env python3\)/)
    expect(() => mergePostCompileHook('#!/usr/bin/env bash\necho\n')).not.to.throw()
    expect(() => mergePostCompileHook('echo no shebang\n')).not.to.throw()
  })

  it('refuses a block without its end marker, naming the line, rather than delete the user\'s steps after it', () => {
    const stray = `#!/bin/sh\n${HOOK_BEGIN}\npython manage.py collectstatic --noinput\n`
    expect(thrownMessage(() => mergePostCompileHook(stray))).to.match(/^bin\/post_compile:2: the heroku-slug-diet block begins here but has no end marker; .* Nothing was written\.$/)
    const once = mergePostCompileHook('#!/bin/sh\necho hi\n')
    expect(thrownMessage(() => mergePostCompileHook(`#!/bin/sh\n${HOOK_BEGIN}\necho mine\n${once.slice(once.indexOf('\n') + 1)}`))).to.match(/^bin\/post_compile:6: a second heroku-slug-diet block/)
    expect(thrownMessage(() => mergePostCompileHook(`#!/bin/sh\n${HOOK_END}\necho mine\n`))).to.match(/^bin\/post_compile:2: a heroku-slug-diet end marker without its begin marker/)
  })

  it('refuses a CRLF hook (bash cannot run one) instead of mixing line endings', () => {
    expect(thrownMessage(() => mergePostCompileHook('#!/bin/sh\r\necho hi\r\n'))).to.match(/^bin\/post_compile has Windows \(CRLF\) line endings/)
  })

  it('is idempotent and rewrites only its block', () => {
    const user = '#!/usr/bin/env bash\necho before\n'
    const once = mergePostCompileHook(user)
    expect(mergePostCompileHook(once)).to.equal(once)
    const stale = once.replace('slug_diet_prune_files', 'old_line_from_an_earlier_version')
    expect(mergePostCompileHook(`${stale}echo after\n`)).to.equal(`${once}echo after\n`)
  })
})

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
