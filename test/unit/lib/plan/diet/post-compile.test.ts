import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {POST_COMPILE_RULES} from '../../../../../src/lib/knowledge/post-compile-rules.js'
import {
  HOOK_BEGIN, HOOK_END, mergePostCompileHook, planPostCompile, SITE_PACKAGES_ENV,
} from '../../../../../src/lib/plan/diet/post-compile.js'
import {UserError} from '../../../../../src/lib/shared/errors.js'
import {thrownMessage} from '../../../../helpers/rejection.js'
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
